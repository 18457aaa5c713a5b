"""The spec from each popular gateway's own config, recognised by content at any tracked path: CLIProxyAPI,
claude-code-router, Arch/Plano, and docker compose publishing a gateway's port. The configs are written in the
shapes the projects' own sources read (see the module docstrings in flowgate_lint/spec/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import tomlkit

from flowgate_lint.spec.cache import decode, encode, load_spec_cached
from flowgate_lint.spec.load import load_spec
from flowgate_lint.spec.settings import load_settings

CPA = """# Server host/interface to bind to. Default is empty ("") to bind all interfaces (IPv4 + IPv6).
host: ""
port: 8318
remote-management:
  allow-remote: false
  secret-key: ""
auth-dir: "~/.cli-proxy-api"
api-keys:
  - "cpa-placeholder-key-1"
debug: false
openai-compatibility:
  - name: "openrouter"
    base-url: "https://openrouter.ai/api/v1"
    api-key-entries:
      - api-key: "cpa-placeholder-key-2"
    models:
      - name: "moonshotai/kimi-k2:free"
        alias: "kimi-k2"
"""

CCR = {
    "LOG": True,
    "HOST": "0.0.0.0",
    "PORT": 3457,
    "APIKEY": "ccr-placeholder-key",
    "Providers": [
        {"name": "openrouter", "api_base_url": "https://openrouter.ai/api/v1/chat/completions",
         "api_key": "ccr-placeholder-key-2", "models": ["anthropic/claude-sonnet-4", "google/gemini-2.5-pro-preview"]},
        {"name": "deepseek", "api_base_url": "https://api.deepseek.com/chat/completions",
         "api_key": "ccr-placeholder-key-3", "models": ["deepseek-chat", "deepseek-reasoner"]},
    ],
    "Router": {"default": "deepseek,deepseek-chat", "background": "openrouter,google/gemini-2.5-pro-preview",
               "think": "deepseek,deepseek-reasoner", "longContextThreshold": 60000},
}

ARCH = """version: v0.3.0

listeners:
  - type: model
    name: model_1
    address: 0.0.0.0
    port: 12000
  - type: prompt
    name: prompt_1
    port: 10000

model_providers:
  - model: openai/gpt-4o
    access_key: $OPENAI_API_KEY
    default: true
  - model: anthropic/claude-sonnet-4-5
    access_key: $ANTHROPIC_API_KEY

model_aliases:
  arch.fast.v1:
    target: gpt-4o
"""

ARCH_LEGACY = """version: v0.1.0
listeners:
  egress_traffic:
    address: 0.0.0.0
    port: 12001
    message_format: openai
    timeout: 30s
llm_providers:
  - model: anthropic/claude-sonnet-4-5
    access_key: $ANTHROPIC_API_KEY
"""

LITELLM = """model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
"""

COMPOSE = """services:
  litellm:
    image: ghcr.io/berriai/litellm:main-stable
    command: ["--config", "/app/config.yaml"]
    ports:
      - "24040:4000"
    volumes:
      - ./litellm_config.yaml:/app/config.yaml
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:4000/health/liveliness"]
      interval: 30s
  db:
    image: postgres:16
    ports:
      - "5432:5432"
"""


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    """A git repository holding ``files`` (all tracked)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True)
    return tmp_path


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FLOWGATE_LINT_NO_CACHE": "1"}
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=cwd, capture_output=True, text=True,
                          env=env)


def doc(port: int, path: str = "/v1", var: str = "OPENAI_BASE_URL") -> str:
    return f"# Setup\n\nPoint the client at the gateway:\n\n```sh\nexport {var}=http://127.0.0.1:{port}{path}\n```\n"


def spec_of(root: Path):
    return load_spec(load_settings(None, root))


def no_keys(*outputs: str) -> None:
    for out in outputs:
        assert "placeholder-key" not in out


# ----------------------------------------------------------------------------------------- CLIProxyAPI


def test_cliproxyapi_config_at_any_tracked_path(tmp_path):
    root = repo(tmp_path, {"deploy/cliproxyapi/config.yaml": CPA, "docs/setup.md": doc(8317)})
    spec = spec_of(root)
    assert spec.source_kind == "cliproxyapi" and spec.gateway.service == "cli-proxy-api"
    assert (spec.gateway.host, spec.gateway.port) == ("127.0.0.1", 8318)  # host "" = every interface
    assert spec.models is None  # OAuth logins under auth-dir serve models the config does not name
    assert spec.codex.model is None and spec.claude.model is None
    res = cli(root, "print", "claude-code")  # no model in the config: print says so in one line, leaves it out
    assert res.returncode == 0 and res.stderr.count("\n") == 1 and "add default-model" in res.stderr
    assert json.loads(res.stdout)["env"] == {"ANTHROPIC_BASE_URL": "http://127.0.0.1:8318"}
    codex = cli(root, "print", "codex")
    assert codex.returncode == 0
    assert tomlkit.parse(codex.stdout)["model_providers"]["flowgate"]["base_url"] == "http://127.0.0.1:8318/v1"
    (root / "flowgate-lint.toml").write_text('default-model = "kimi-k2"\n')
    claude = cli(root, "print", "claude-code")
    env = json.loads(claude.stdout)["env"]
    assert env["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:8318" and env["ANTHROPIC_MODEL"] == "kimi-k2"
    lint = cli(root, "--preview", "--output-format", "concise", ".")
    assert lint.returncode == 1 and "docs/setup.md:6:" in lint.stdout and "FG301" in lint.stdout, lint.stdout
    no_keys(codex.stdout, codex.stderr, claude.stdout, claude.stderr, lint.stdout, cli(root, "print", "codex", "-v").stderr)


def test_cliproxyapi_defaults_and_notes(tmp_path):
    root = repo(tmp_path, {"config.yaml": "auth-dir: ~/.cli-proxy-api\napi-keys: [cpa-placeholder-key]\n"})
    spec = spec_of(root)
    assert spec.gateway.port == 8317 and spec.gateway.host == "127.0.0.1"  # CLIProxyAPI's defaults
    res = cli(root, "print", "codex", "-v")
    assert "spec from config.yaml (cliproxyapi)" in res.stderr
    assert "gateway port: 8317, CLIProxyAPI's default" in res.stderr and "models: unknown" in res.stderr
    no_keys(res.stdout, res.stderr)


# ------------------------------------------------------------------------------------ claude-code-router


def test_ccr_config(tmp_path):
    root = repo(tmp_path, {"ccr/config.json": json.dumps(CCR, indent=2),
                           "docs/use.md": doc(8080, "", "ANTHROPIC_BASE_URL")})
    spec = spec_of(root)
    assert spec.source_kind == "claude-code-router" and spec.gateway.port == 3457 and spec.gateway.host == "127.0.0.1"
    assert spec.claude.model == "deepseek,deepseek-chat"  # Router.default
    assert spec.claude.haiku_model == "openrouter,google/gemini-2.5-pro-preview"  # Router.background
    assert "deepseek,deepseek-reasoner" in spec.models
    assert spec.serves("claude-sonnet-4-5") is True  # any other name goes to Router.default
    claude = cli(root, "print", "claude-code")
    assert json.loads(claude.stdout)["env"]["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:3457"
    codex = cli(root, "print", "codex")
    assert tomlkit.parse(codex.stdout)["model_providers"]["flowgate"]["base_url"] == "http://127.0.0.1:3457/v1"
    lint = cli(root, "--preview", "--output-format", "concise", ".")
    assert lint.returncode == 1 and "docs/use.md:6:" in lint.stdout and "FG302" in lint.stdout, lint.stdout
    no_keys(claude.stdout, codex.stdout, lint.stdout, cli(root, "print", "claude-code", "-v").stderr)


def test_ccr_defaults_without_router(tmp_path):
    config = {"Providers": [{"name": "p", "models": ["m1"], "api_key": "ccr-placeholder-key"}], "HOST": "0.0.0.0"}
    root = repo(tmp_path, {"config.json": json.dumps(config)})
    spec = spec_of(root)
    assert spec.gateway.port == 3456 and spec.models == ("p,m1",) and spec.claude.model is None
    res = cli(root, "print", "claude-code")
    assert res.returncode == 0 and res.stderr.count("\n") == 1 and "add default-model" in res.stderr
    assert json.loads(res.stdout)["env"]["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:3456"
    verbose = cli(root, "print", "codex", "-v").stderr
    assert "HOST is forced" not in verbose and "forces it when APIKEY is not set" in verbose
    assert "3456, claude-code-router's default" in verbose


# ---------------------------------------------------------------------------------------------- Arch


def test_arch_config(tmp_path):
    root = repo(tmp_path, {"gateway/arch_config.yaml": ARCH, "docs/use.md": doc(8000)})
    spec = spec_of(root)
    assert spec.source_kind == "arch" and spec.gateway.port == 12000 and spec.gateway.host == "127.0.0.1"
    assert spec.codex.model == "openai/gpt-4o"  # the provider with default: true
    assert set(spec.models) == {"openai/gpt-4o", "gpt-4o", "anthropic/claude-sonnet-4-5", "claude-sonnet-4-5", "arch.fast.v1"}
    assert spec.other_ports() == frozenset({10000})  # the prompt listener: another port, never "wrong"
    codex = cli(root, "print", "codex")
    assert tomlkit.parse(codex.stdout)["model_providers"]["flowgate"]["base_url"] == "http://127.0.0.1:12000/v1"
    claude = cli(root, "print", "claude-code")
    assert json.loads(claude.stdout)["env"]["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:12000"
    lint = cli(root, "--preview", "--output-format", "concise", ".")
    assert lint.returncode == 1 and "docs/use.md:6:" in lint.stdout and "FG301" in lint.stdout, lint.stdout


def test_arch_legacy_listeners(tmp_path):
    root = repo(tmp_path, {"arch_config.yaml": ARCH_LEGACY})
    spec = spec_of(root)
    assert spec.gateway.port == 12001 and spec.claude.model is None
    assert "claude-sonnet-4-5" in spec.models


# ------------------------------------------------------------------------------------------ compose


def test_compose_publishes_the_gateway_on_a_host_port(tmp_path):
    docs = doc(4000) + "\nCheck it from inside the container:\n\n```sh\n" \
        "docker compose exec litellm curl -s http://localhost:4000/health/liveliness\n```\n"
    root = repo(tmp_path, {"litellm_config.yaml": LITELLM, "docker-compose.yml": COMPOSE, "docs/use.md": docs,
                           "flowgate-lint.toml": 'default-model = "gpt-4o"\n'})
    spec = spec_of(root)
    assert spec.source_kind == "litellm" and spec.gateway.port == 24040 and spec.gateway.container_port == 4000
    assert any(p.name == "docker-compose.yml" for p in spec.inputs)
    codex = cli(root, "print", "codex")
    assert tomlkit.parse(codex.stdout)["model_providers"]["flowgate"]["base_url"] == "http://127.0.0.1:24040/v1"
    lint = cli(root, "--preview", "--output-format", "concise", ".")
    lines = [line for line in lint.stdout.splitlines() if ": FG" in line]
    assert lines and all(line.startswith("docs/use.md:6:") for line in lines), lint.stdout  # not the healthcheck, not exec
    assert "FG301" in lint.stdout
    verbose = cli(root, "print", "codex", "-v").stderr
    assert "gateway port: 24040, the host port docker-compose.yml:6 publishes service 'litellm'" in verbose


def test_compose_alone_and_interpolated_ports(tmp_path):
    compose = ("services:\n  proxy:\n    image: ${CLI_PROXY_IMAGE:-eceasy/cli-proxy-api:latest}\n    ports:\n"
               "      - \"127.0.0.1:${CPA_PORT:-28317}:8317\"\n      - \"1455:1455\"\n")
    root = repo(tmp_path, {"compose.yaml": compose})
    spec = spec_of(root)
    assert spec.source_kind == "compose" and spec.gateway.service == "cli-proxy-api"
    assert (spec.gateway.port, spec.gateway.container_port) == (28317, 8317)


def test_compose_modifies_a_cliproxyapi_config(tmp_path):
    compose = "services:\n  cli-proxy-api:\n    image: eceasy/cli-proxy-api:latest\n    ports:\n      - \"8318:8318\"\n" \
              "      - target: 8318\n        published: 18318\n"
    root = repo(tmp_path, {"config.yaml": CPA, "docker/docker-compose.yml": compose})
    spec = spec_of(root)
    assert spec.source_kind == "cliproxyapi" and spec.gateway.port == 8318 and spec.gateway.container_port is None
    (root / "docker" / "docker-compose.yml").write_text(compose.replace('"8318:8318"', '"28318:8318"'))
    spec = spec_of(root)
    assert (spec.gateway.port, spec.gateway.container_port) == (28318, 8318)


# ---------------------------------------------------------------------------- ambiguity, settings, cache


def test_two_kinds_are_one_line_error_asking_for_the_spec_setting(tmp_path):
    root = repo(tmp_path, {"cpa/config.yaml": CPA, "ccr/config.json": json.dumps(CCR)})
    res = cli(root, "print", "codex")
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert "a CLIProxyAPI config (cpa/config.yaml)" in res.stderr and "a claude-code-router config (ccr/config.json)" in res.stderr
    assert "set 'spec'" in res.stderr
    (root / "flowgate-lint.toml").write_text('spec = "ccr/config.json"\n')
    assert spec_of(root).source_kind == "claude-code-router"
    (root / "flowgate-lint.toml").write_text('gateway-port = 4100\ndefault-model = "m"\n')
    spec = spec_of(root)  # settings alone still work, with a note
    assert spec.source_kind == "settings" and spec.gateway.port == 4100
    assert any("used the settings alone" in note for note in spec.notes)


def test_settings_override_every_derived_value(tmp_path):
    root = repo(tmp_path, {"ccr/config.json": json.dumps(CCR), "docker-compose.yml": COMPOSE.replace("litellm", "ccr")
                           .replace("24040:4000", "23457:3457"),
                           "flowgate-lint.toml": 'gateway-port = 4545\ngateway-host = "10.0.0.5"\n'
                                                 'default-model = "openrouter,anthropic/claude-sonnet-4"\n'
                                                 'fast-model = "deepseek,deepseek-chat"\n'})
    spec = spec_of(root)
    assert spec.claude.base_url == "http://10.0.0.5:4545"
    assert spec.claude.model == "openrouter,anthropic/claude-sonnet-4" and spec.claude.haiku_model == "deepseek,deepseek-chat"
    assert any("from the settings, not the host port" in note for note in spec.notes)
    (root / "flowgate-lint.toml").write_text('models = ["only-this"]\ndefault-model = "only-this"\nfast-model = "only-this"\n')
    spec = spec_of(root)
    assert spec.models == ("only-this",) and spec.gateway.port == 23457 and spec.gateway.container_port == 3457


def test_verbose_says_where_each_value_came_from(tmp_path):
    root = repo(tmp_path, {"arch/config.yaml": ARCH})
    res = cli(root, "print", "codex", "-v")
    assert "spec from arch/config.yaml (arch)" in res.stderr
    assert "recognised by its content (arch)" in res.stderr
    assert "default model: 'openai/gpt-4o', the config's default provider" in res.stderr


def test_scan_is_bounded_to_tracked_yaml_and_json(tmp_path):
    root = repo(tmp_path, {"README.md": "x\n"})
    (root / "config.yaml").write_text(CPA)  # untracked: CI never sees it
    (root / "node_modules" / "x").mkdir(parents=True)
    (root / "node_modules" / "x" / "config.yaml").write_text(CPA)
    subprocess.run(["git", "-C", str(root), "add", "-f", "node_modules"], check=True)
    (root / "big.yaml").write_text(CPA + "# " + "x" * 300_000 + "\n")
    subprocess.run(["git", "-C", str(root), "add", "big.yaml"], check=True)
    res = cli(root, "print", "codex")
    assert res.returncode == 2 and "no gateway config found" in res.stderr


def test_spec_cache_round_trips_and_sees_a_new_tracked_config(tmp_path, monkeypatch):
    root = repo(tmp_path, {"litellm_config.yaml": LITELLM, "docker-compose.yml": COMPOSE})
    spec = spec_of(root)
    assert decode(json.loads(json.dumps(encode(spec)))) == spec
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    monkeypatch.setenv("FLOWGATE_LINT_CACHE_DIR", str(cache))
    monkeypatch.delenv("FLOWGATE_LINT_NO_CACHE", raising=False)
    monkeypatch.chdir(root)
    old = 1_600_000_000
    for p in [*root.rglob("*"), root / ".git" / "index"]:
        if (".git" not in p.parts or p.name == "index") and p.is_file():
            os.utime(p, (old, old))  # settled files (git's index too): the cache stores them
    settings = load_settings(None, root)
    first = load_spec_cached(settings)
    assert first.gateway.container_port == 4000 and list(cache.glob("spec-*.json"))
    assert load_spec_cached(settings) == first
    (root / "compose.yaml").write_text(COMPOSE.replace("24040:4000", "24041:4000"))
    os.remove(root / "docker-compose.yml")
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    assert load_spec_cached(settings).gateway.port == 24041


def test_litellm_config_at_any_tracked_path_after_the_other_kinds(tmp_path):
    root = repo(tmp_path, {"deploy/gateway/proxy.yaml": LITELLM, "README.md": doc(4000),
                           "notes/list.yaml": "model_list:\n  - gpt-4o\n"})  # a model_list of another shape: not a config
    spec = spec_of(root)
    assert (spec.source_kind, spec.models, spec.source_path.name) == ("litellm", ("gpt-4o",), "proxy.yaml")
    assert any("deploy/gateway/proxy.yaml, recognised by its content (a LiteLLM model_list)" in n for n in spec.notes)
    (root / "router.json").write_text(json.dumps(CCR))
    subprocess.run(["git", "-C", str(root), "add", "router.json"], check=True)
    assert spec_of(root).source_kind == "claude-code-router"  # a gateway product's own config comes first


def test_a_web_port_in_front_of_litellm_keeps_its_default_port_behind(tmp_path):
    from rulekit import lint_text

    root = repo(tmp_path, {"litellm/config.yaml": LITELLM})
    spec = load_spec(load_settings(None, root), str(root / "litellm/config.yaml"))
    assert spec.gateway.behind is None
    web = load_spec(load_settings(None, root)._replace(values={"gateway-port": 443}), str(root / "litellm/config.yaml"))
    assert (web.gateway.port, web.gateway.behind) == (443, 4000)
    assert any("a web server's port" in n for n in web.notes)
    diagram = "# Architecture\n\n```\n[Codex]──HTTPS──►[Nginx :443]──►[LiteLLM :4000]\n```\n"
    assert [f for f in lint_text(diagram, "README.md", ["FG301"], spec=web)] == []
    moved = load_spec(load_settings(None, root)._replace(values={"gateway-port": 4100}), str(root / "litellm/config.yaml"))
    assert moved.gateway.behind is None  # LiteLLM itself on 4100: a leftover 4000 is drift
    assert [f.code for f in lint_text("LiteLLM listens on port 4000.\n", "README.md", ["FG301"], spec=moved)] == ["FG301"]
