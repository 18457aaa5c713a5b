"""The canonical spec: every source, every override, every validation error (message, line, exit code)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit

from flowgate_lint.clients.render import claude_env, claude_json, codex_json, codex_toml
from flowgate_lint.spec.settings import Settings, load_settings
from flowgate_lint.spec.load import load_spec

V2 = """config_version: 2
services:
  litellm:
    host: 127.0.0.1
    port: 4000
  cliproxyapi_plus:
    host: 127.0.0.1
    port: 8317
integration:
  default_model: router-default
  fast_model: router-cheap
litellm_base:
  model_list:
    - model_name: router-default
    - model_name: router-cheap
    - model_name: router-big
"""


def spec_from(tmp_path: Path, text: str, name: str = "config/flowgate.yaml", settings: str | None = None):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if settings is not None:
        (tmp_path / "flowgate-lint.toml").write_text(settings)
    return load_spec(load_settings(None, tmp_path))


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=tmp_path, capture_output=True, text=True)


def test_seed_acceptance_example(tmp_path):
    spec = spec_from(tmp_path, V2)
    assert spec.codex.base_url == "http://127.0.0.1:4000/v1"
    assert spec.claude.base_url == "http://127.0.0.1:4000"
    assert spec.claude.sonnet_model == "router-default" and spec.claude.opus_model == "router-default"
    assert spec.claude.haiku_model == "router-cheap" and spec.claude.model == "router-default"
    assert spec.codex.model == "router-default" and spec.codex.wire_api == "responses"
    assert (spec.codex.provider_id, spec.codex.provider_name, spec.codex.env_key) == ("flowgate", "FlowGate Local", "OPENAI_API_KEY")
    assert spec.models == ("router-default", "router-cheap", "router-big")
    assert spec.other_ports() == frozenset({8317}) and spec.source_kind == "flowgate-v2"


def test_fast_model_defaults_to_the_default_model(tmp_path):
    spec = spec_from(tmp_path, V2.replace("  fast_model: router-cheap\n", ""))
    assert spec.claude.haiku_model == "router-default"


def test_json_in_yaml_flowgate_config(tmp_path):
    data = {"services": {"litellm": {"host": "localhost", "port": 4100}}, "integration": {"default_model": "m"}}
    spec = spec_from(tmp_path, json.dumps(data))
    assert spec.claude.base_url == "http://localhost:4100" and spec.models is None


def test_every_override(tmp_path):
    text = V2.replace("  fast_model: router-cheap\n", """  fast_model: router-cheap
  token_env: GATEWAY_TOKEN
  codex:
    model: router-big
    provider_id: gw
    provider_name: My Gateway
    env_key: GW_KEY
  claude_code:
    model: router-big
    opus_model: router-big
    sonnet_model: router-cheap
    haiku_model: router-default
    subagent_model: router-cheap
""")
    spec = spec_from(tmp_path, text)
    assert spec.codex == spec.codex._replace(model="router-big", provider_id="gw", provider_name="My Gateway", env_key="GW_KEY")
    c = spec.claude
    assert (c.model, c.opus_model, c.sonnet_model, c.haiku_model, c.subagent_model, c.token_env) == (
        "router-big", "router-big", "router-cheap", "router-default", "router-cheap", "GATEWAY_TOKEN")
    assert c.slots()["CLAUDE_CODE_SUBAGENT_MODEL"] == "router-cheap"


def test_settings_override_the_config(tmp_path):
    spec = spec_from(tmp_path, V2, settings='gateway-port = 4500\ngateway-host = "10.0.0.5"\ndefault-model = "router-big"\n'
                                             'fast-model = "router-default"\ncodex-provider-id = "fg"\n')
    assert spec.claude.base_url == "http://10.0.0.5:4500" and spec.codex.provider_id == "fg"
    assert spec.claude.model == "router-big" and spec.claude.haiku_model == "router-default"


def test_v3_reads_the_cliproxyapi_config(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "cpa.yaml").write_text('host: ""\nport: 8318\n')
    spec = spec_from(tmp_path, "config_version: 3\nservices:\n  cliproxyapi_plus:\n    config_file: cpa.yaml\n"
                               "integration:\n  default_model: gpt-5\n")
    assert spec.gateway == spec.gateway._replace(service="cliproxyapi_plus", host="127.0.0.1", port=8318)
    assert spec.source_kind == "flowgate-v3" and any(p.name == "cpa.yaml" for p in spec.inputs)


def test_plain_litellm_config_uses_defaults_or_settings(tmp_path):
    lite = "model_list:\n  - model_name: a\n  - model_name: b\ngeneral_settings:\n  master_key: os.environ/K\n"
    spec = spec_from(tmp_path, lite, name="litellm_config.yaml")
    # LiteLLM has no canonical model: the spec does not invent one from the list's order.
    assert spec.source_kind == "litellm" and spec.claude.base_url == "http://127.0.0.1:4000"
    assert spec.claude.model is None and spec.codex.model is None and spec.models == ("a", "b")
    assert spec.claude.slots() == {} and not spec.claude.complete
    assert any("default model: unknown" in note for note in spec.notes)
    spec = spec_from(tmp_path, lite, name="litellm_config.yaml", settings='gateway-port = 4001\ndefault-model = "b"\n')
    assert spec.codex.base_url == "http://127.0.0.1:4001/v1" and spec.codex.model == "b"


def test_settings_only_spec(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.flowgate-lint]\ngateway-port = 4002\ndefault-model = "m"\nmodels = ["m", "n"]\n')
    spec = load_spec(load_settings(None, tmp_path))
    assert spec.source_kind == "settings" and spec.claude.base_url == "http://127.0.0.1:4002" and spec.models == ("m", "n")


def test_discovery_order(tmp_path):
    (tmp_path / "config" / "examples").mkdir(parents=True)
    (tmp_path / "config" / "examples" / "flowgate.yaml").write_text(V2.replace("4000", "4001"))
    assert load_spec(load_settings(None, tmp_path)).gateway.port == 4001  # well-known path
    (tmp_path / "config" / "flowgate.yaml").write_text(V2)
    assert load_spec(load_settings(None, tmp_path)).gateway.port == 4000  # an earlier well-known path wins
    (tmp_path / "other.yaml").write_text(V2.replace("4000", "4002"))
    (tmp_path / "pyproject.toml").write_text('[tool.flowgate-lint]\nspec = "other.yaml"\n')
    sub = tmp_path / "docs" / "deep"
    sub.mkdir(parents=True)
    assert load_spec(load_settings(None, sub)).gateway.port == 4002  # the setting, found walking up
    (tmp_path / "flowgate-lint.toml").write_text('spec = "config/examples/flowgate.yaml"\n')
    assert load_spec(load_settings(None, sub)).gateway.port == 4001  # flowgate-lint.toml beats pyproject.toml
    explicit = tmp_path / "x.yaml"
    explicit.write_text(V2.replace("4000", "4003"))
    assert load_spec(load_settings(None, sub), str(explicit)).gateway.port == 4003  # --spec beats all
    assert load_spec(load_settings(None, sub, isolated=True), str(explicit)).settings_path is None


def test_print_renderers_parse_back_to_the_spec(tmp_path):
    spec = spec_from(tmp_path, V2)
    doc = tomlkit.parse(codex_toml(spec))
    assert doc["model_provider"] == "flowgate" and doc["model"] == "router-default"
    assert dict(doc["model_providers"]["flowgate"]) == {"name": "FlowGate Local", "base_url": "http://127.0.0.1:4000/v1",
                                                        "env_key": "OPENAI_API_KEY", "wire_api": "responses"}
    assert json.loads(codex_json(spec)) == doc.unwrap()
    env = json.loads(claude_json(spec))["env"]
    assert env == {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000", "ANTHROPIC_MODEL": "router-default",
                   "ANTHROPIC_DEFAULT_OPUS_MODEL": "router-default", "ANTHROPIC_DEFAULT_SONNET_MODEL": "router-default",
                   "ANTHROPIC_DEFAULT_HAIKU_MODEL": "router-cheap"}
    script = tmp_path / "env.sh"
    script.write_text(claude_env(spec) + 'printf "%s|%s|%s" "$ANTHROPIC_BASE_URL" "$ANTHROPIC_AUTH_TOKEN" "$ANTHROPIC_DEFAULT_HAIKU_MODEL"\n')
    out = subprocess.run(["sh", str(script)], capture_output=True, text=True, env={"OPENAI_API_KEY": "tok-from-env"}).stdout
    assert out == "http://127.0.0.1:4000|tok-from-env|router-cheap"  # the token is a reference, resolved at run time


def test_print_cli_formats(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flowgate.yaml").write_text(V2)
    assert tomlkit.parse(cli(tmp_path, "print", "codex").stdout)["model"] == "router-default"
    assert json.loads(cli(tmp_path, "print", "claude-code").stdout)["env"]["ANTHROPIC_MODEL"] == "router-default"
    assert "export ANTHROPIC_BASE_URL=" in cli(tmp_path, "print", "claude-code", "--format", "env").stdout
    res = cli(tmp_path, "print", "codex", "--format", "env")
    assert res.returncode == 2 and res.stderr.strip() == "flowgate-lint: codex has no 'env' format (choose: toml, json)"
    res = cli(tmp_path, "print", "codex", "--verbose")
    assert "spec from config/flowgate.yaml (flowgate-v2)" in res.stderr


ERRORS = [
    (V2.replace("port: 4000", "port: abc"), "config/flowgate.yaml:5: gateway port must be an integer 1-65535, got 'abc'"),
    (V2.replace("port: 4000", "port: 70000"), "config/flowgate.yaml:5: gateway port must be an integer 1-65535, got int 70000"),
    (V2.replace("port: 4000", "port: true"), "config/flowgate.yaml:5: gateway port must be an integer 1-65535, got boolean true"),
    (V2.replace("host: 127.0.0.1\n    port: 4000", "host: ''\n    port: 4000"),
     "config/flowgate.yaml:4: gateway host must be a non-empty string, got ''"),
    (V2.replace("  fast_model: router-cheap", "  fast_model: router-cheap\n  gateway_service: vllm"),
     "config/flowgate.yaml:12: gateway service 'vllm' is not in the config's services (services: cliproxyapi_plus, litellm)"),
    (V2.replace("fast_model: router-cheap", "fast_model: router-tiny"),
     "config/flowgate.yaml:11: fast model 'router-tiny' is not served by the gateway (model_list: router-default, router-cheap, router-big)"),
    (V2.replace("  fast_model: router-cheap", "  fast_model: router-cheap\n  codex:\n    provider_id: openai"),
     "config/flowgate.yaml:13: Codex provider id 'openai' is reserved by Codex; choose another (e.g. 'flowgate')"),
    (V2.replace("  fast_model: router-cheap", "  fast_model: router-cheap\n  fastmodel: x"),
     "config/flowgate.yaml:12: unknown key 'integration.fastmodel' (known: default_model, fast_model, gateway_service, token_env)"),
    (V2.replace("config_version: 2", "config_version: 7"), "config/flowgate.yaml:1: unsupported config_version int 7 (supported: 2, 3)"),
    (V2.replace("  litellm:\n", "  litellm: [\n"), None),  # malformed YAML: line reported by the parser
    ("config_version: 3\nservices:\n  cliproxyapi_plus:\n    config_file: missing.yaml\n",
     "config/flowgate.yaml:4: cliproxyapi_plus.config_file 'missing.yaml' not found (looked at config/missing.yaml)"),
    ("- just\n- a list\n", "config/flowgate.yaml:1: not a FlowGate config (services/integration) or a LiteLLM config (model_list)"),
]


@pytest.mark.parametrize("text,message", ERRORS)
def test_validation_errors_are_one_line_with_exit_2(tmp_path, text, message):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flowgate.yaml").write_text(text)
    res = cli(tmp_path, "print", "codex")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1 and res.stdout == ""
    if message is None:
        import re

        assert re.match(r"config/flowgate.yaml:[3-5]: invalid YAML: ", res.stderr), res.stderr
    else:
        assert res.stderr.strip() == message


def test_non_utf8_directory_and_missing_spec_errors(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flowgate.yaml").write_bytes(b"services:\n  litellm:\n    host: \xff\n")
    res = cli(tmp_path, "print", "codex")
    assert res.returncode == 2 and res.stderr.strip() == "config/flowgate.yaml:3: not valid UTF-8"
    res = cli(tmp_path, "print", "codex", "--spec", "config")
    assert res.returncode == 2 and res.stderr.strip() == "config: is a directory, expected a gateway config file"
    empty = tmp_path / "empty"
    empty.mkdir()
    res = cli(empty, "print", "codex")
    assert res.returncode == 2 and "no gateway config found" in res.stderr and res.stderr.count("\n") == 1


@pytest.mark.parametrize("settings,message", [
    ('gateway-port = "4000"\n', "flowgate-lint.toml:1: setting 'gateway-port' must be an integer, got a string"),
    ('gateway_port = 4000\n', "flowgate-lint.toml:1: unknown setting 'gateway_port' (did you mean 'gateway-port'?)"),
    ('select = [\n', None),
    ('gateway-routes = ["claude"]\n', "flowgate-lint.toml:1: gateway-routes must be a list of paths starting with / (\"/\" for the root)"),
    ('gateway-ports = ["8084"]\n', "flowgate-lint.toml:1: setting 'gateway-ports' must be a list of ports (integers 1-65535)"),
])
def test_bad_settings_are_one_line_with_exit_2(tmp_path, settings, message):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flowgate.yaml").write_text(V2)
    (tmp_path / "flowgate-lint.toml").write_text(settings)
    res = cli(tmp_path, "print", "codex")
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    if message:
        assert res.stderr.strip() == message
    else:
        assert res.stderr.startswith("flowgate-lint.toml:") and "invalid TOML" in res.stderr


def test_ipv6_and_bind_all_hosts(tmp_path):
    spec = spec_from(tmp_path, V2.replace("host: 127.0.0.1\n    port: 4000", "host: '::1'\n    port: 4000"))
    assert spec.claude.base_url == "http://[::1]:4000"
    spec = spec_from(tmp_path, V2.replace("host: 127.0.0.1\n    port: 4000", "host: 0.0.0.0\n    port: 4000"))
    assert spec.claude.base_url == "http://127.0.0.1:4000"


def test_settings_object_line_lookup(tmp_path):
    path = tmp_path / "flowgate-lint.toml"
    path.write_text('# c\nselect = ["FG3"]\n')
    s = load_settings(str(path), tmp_path)
    assert isinstance(s, Settings) and s.line_of("select") == 2


# The usual FlowGate config: no integration section (issue repro).
NO_INTEGRATION = """config_version: 2
services:
  litellm: {host: 127.0.0.1, port: 4000}
litellm_base:
  model_list: [{model_name: router-default}, {model_name: router-cheap}]
"""


def test_flowgate_config_without_integration_uses_flowgates_defaults(tmp_path):
    spec = spec_from(tmp_path, NO_INTEGRATION)
    assert spec.codex.model == "router-default" and spec.claude.haiku_model == "router-default"
    assert spec.claude.pinned == frozenset() and spec.claude.complete
    assert any("FlowGate's integration default" in note for note in spec.notes)
    res = cli(tmp_path, "print", "codex")
    assert res.returncode == 0 and 'model = "router-default"' in res.stdout, res.stderr
    (tmp_path / "README.md").write_text("Codex: `base_url = \"http://127.0.0.1:4000/v1\"`.\n")
    res = cli(tmp_path, "--verbose", ".")
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stderr.count("FlowGate's integration default") == 1


def test_unknown_default_model_lints_but_print_and_apply_name_the_setting(tmp_path):
    text = NO_INTEGRATION.replace("router-default}", "gpt-5}")
    spec = spec_from(tmp_path, text)
    assert spec.codex.model is None and spec.claude.model is None
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "claude.md").write_text(
        "```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000\nexport ANTHROPIC_MODEL=gpt-5\n```\n")
    res = cli(tmp_path, "--verbose", ".")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "default model: unknown" in res.stderr and res.stderr.count("FG401 skips the model slots") == 1
    res = cli(tmp_path, "apply", "codex", "--dry-run", "--target", str(tmp_path / "c.toml"))
    assert res.returncode == 2 and res.stdout == "" and "Traceback" not in res.stderr
    assert res.stderr.strip() == ("config/flowgate.yaml:1: names no default model for the clients: "
                                  "add integration.default_model (or the default-model setting)")
    # print leaves the model out, with a comment saying how to set it; it never invents one
    for args in (("print", "codex"), ("print", "claude-code", "--format", "env"), ("print", "codex", "--format", "json")):
        res = cli(tmp_path, *args)
        assert res.returncode == 0 and "gpt-5" not in res.stdout and "router-default" not in res.stdout, res.stdout
        assert res.stderr.strip().endswith("the model is left out") and res.stderr.count("\n") == 1
        if args[-1] != "json":
            assert "set integration.default_model in config/flowgate.yaml" in res.stdout
    assert "model" not in json.loads(cli(tmp_path, "print", "codex", "--format", "json").stdout)
    assert "ANTHROPIC_MODEL" not in json.loads(cli(tmp_path, "print", "claude-code").stdout)["env"]
    res = cli(tmp_path, "probe", "--url", "http://127.0.0.1:9")
    assert res.returncode == 2 and "pass --model" in res.stderr and res.stderr.count("\n") == 1


def test_settings_pin_slots_and_fill_unknown_models(tmp_path):
    lite = "model_list:\n  - model_name: a\n  - model_name: b\n"
    spec = spec_from(tmp_path, lite, name="litellm_config.yaml", settings='default-model = "a"\nhaiku-model = "b"\n')
    assert spec.claude.complete and spec.claude.haiku_model == "b"
    assert spec.claude.pinned == frozenset({"ANTHROPIC_DEFAULT_HAIKU_MODEL"})
    assert not any("unknown" in note for note in spec.notes)
    res = cli(tmp_path, "print", "claude-code")
    assert res.returncode == 0 and '"ANTHROPIC_DEFAULT_HAIKU_MODEL": "b"' in res.stdout


def test_v2_config_with_only_cliproxyapi_plus_uses_it_as_the_gateway(tmp_path):
    spec = spec_from(tmp_path, "config_version: 2\nservices:\n  cliproxyapi_plus: {host: 127.0.0.1, port: 8317}\n")
    assert spec.gateway.service == "cliproxyapi_plus" and spec.gateway.port == 8317
    assert spec.codex.model is None and spec.models is None  # no model list names FlowGate's default
    res = cli(tmp_path, "print", "codex")
    assert res.returncode == 0 and "model =" not in res.stdout and "# model: the gateway config names no model" in res.stdout


def test_model_served_reads_variant_suffixes_and_wildcards():
    from flowgate_lint.spec.model import model_served

    assert model_served("claude-sonnet-4-5[1m]", ("claude-sonnet-4-5",))
    assert model_served(" gpt-5 ", ("gpt-5",))
    assert not model_served("claude-sonnet-4-5[1m]", ("claude-opus-4-1",))
    assert model_served("anthropic/claude-3", ("anthropic/*",)) and model_served("anything", ("*",))
    assert not model_served("openai/gpt-5", ("anthropic/*",))


def test_flowgate_comment_keys_beside_the_services_are_skipped(tmp_path):
    # FlowGate's own loader drops "_comment*" keys; a JSON-style note beside the services is no error
    text = V2.replace("services:\n", "services:\n  _comment_litellm: \"Note: the gateway\"\n", 1)
    spec = spec_from(tmp_path, text)
    assert spec.gateway.port == 4000 and "_comment_litellm" not in spec.services


def test_a_git_ignored_personal_config_does_not_outrank_the_tracked_example(tmp_path):
    (tmp_path / "config" / "examples").mkdir(parents=True)
    (tmp_path / "config" / "examples" / "flowgate.yaml").write_text(V2)
    (tmp_path / "config" / "flowgate.yaml").write_text(V2.replace("port: 4000", "port: 4100"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000\n```\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    # not ignored: the first well-known path wins, as before (and the spec cache remembers it)
    assert load_spec(load_settings(None, tmp_path)).gateway.port == 4100
    assert "port 4000 is not the gateway's 4100" in cli(tmp_path, "--preview", "--output-format", "concise", ".").stdout
    (tmp_path / ".gitignore").write_text("config/flowgate.yaml\n")
    res = cli(tmp_path, "--verbose", "--preview", ".")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "spec from config/examples/flowgate.yaml" in res.stderr
    assert "passed over config/flowgate.yaml: git ignores it" in res.stderr
    spec = load_spec(load_settings(None, tmp_path))
    assert spec.gateway.port == 4000 and spec.source_path.name == "flowgate.yaml" and "examples" in str(spec.source_path)


@pytest.mark.parametrize("name, wrap", [("litellm_config.yaml", False), ("config/flowgate.yaml", True)])
def test_model_group_aliases_are_served(tmp_path, name, wrap):
    """LiteLLM routes a router_settings.model_group_alias name to its model group: the docs' Gemini CLI and
    Qwen Code setups name such aliases (gemini-2.5-pro, qwen-code), and they must not read as unserved."""
    body = ("model_list:\n  - model_name: router-default\n    litellm_params: {model: openai/x}\n"
            "router_settings:\n  model_group_alias:\n    gemini-2.5-pro: router-default\n"
            "    qwen-code: {model: router-default, hidden: true}\n    dangling: no-such-group\n")
    if wrap:
        body = "config_version: 2\nservices: {litellm: {host: 127.0.0.1, port: 4000}}\nlitellm_base:\n" + \
            "".join("  " + line + "\n" for line in body.splitlines())
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    spec = load_spec(Settings({}, None, tmp_path), str(path))
    assert spec.serves("gemini-2.5-pro") and spec.serves("qwen-code")
    assert spec.serves("dangling") is False
