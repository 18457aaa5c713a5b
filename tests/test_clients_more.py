"""OpenCode, Gemini CLI and Qwen Code through the real gateway: the configs `flowgate-lint apply` writes work, and
the drift FG308 and FG404 flag makes the real clients fail. Offline: telemetry, usage statistics and update checks
are off, proxies are bypassed, and the only address the clients are given is the loopback gateway."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway import CANNED, MASTER_KEY, offline_env
from test_clients import apply, client, run

pytestmark = [pytest.mark.gateway, pytest.mark.clients]


def _home(tmp_path: Path, **extra: str) -> tuple[Path, dict]:
    h = tmp_path / "home"
    (h / "tmp").mkdir(parents=True)
    work = tmp_path / "work"  # no .env on the way up to HOME: both clients would read it
    work.mkdir()
    env = offline_env(HOME=str(h), TMPDIR=str(h / "tmp"), GW_TOKEN=MASTER_KEY, OPENAI_API_KEY=MASTER_KEY, CI="1",
                      **extra)
    for var in ("GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL", "GEMINI_MODEL", "OPENAI_BASE_URL", "OPENAI_MODEL",
                "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env.pop(var, None)
    return h, env


# ------------------------------------------------------------------ Gemini CLI

# What a user's own settings.json may hold beside what apply manages: here, the switches that keep the run
# offline and short (no usage statistics, no telemetry, one attempt, no folder-trust prompt).
GEMINI_OWN = {
    "privacy": {"usageStatisticsEnabled": False},
    "telemetry": {"enabled": False},
    "general": {"enableAutoUpdate": False, "enableAutoUpdateNotification": False, "maxAttempts": 1},
    "security": {"folderTrust": {"enabled": False}},
    "ide": {"enabled": False, "hasSeenNudge": True},
}


def _gemini_home(tmp_path: Path) -> tuple[Path, dict]:
    h, env = _home(tmp_path)
    (h / ".gemini").mkdir()
    (h / ".gemini" / "settings.json").write_text(json.dumps(GEMINI_OWN, indent=2) + "\n")
    return h, env


def test_gemini_cli_answers_through_the_gateway_with_the_applied_config(gateway, tmp_path):
    gemini = client("gemini")
    h, env = _gemini_home(tmp_path)
    apply("gemini-cli", gateway.spec, env, "--token-env", "GW_TOKEN")
    settings = json.loads((h / ".gemini" / "settings.json").read_text())
    assert settings["security"] == {"folderTrust": {"enabled": False}, "auth": {"selectedType": "gemini-api-key"}}
    before = gateway.log_text().count("/v1beta/models/router-default:streamGenerateContent")
    res = run([gemini, "-p", "say hi"], env, tmp_path / "work")
    assert res.returncode == 0, res.stdout + res.stderr
    assert CANNED in res.stdout
    assert gateway.log_text().count("/v1beta/models/router-default:streamGenerateContent") > before


def test_gemini_cli_without_an_auth_type_refuses_the_base_url(gateway, tmp_path):
    """Why apply writes security.auth.selectedType: with a base URL and none, headless Gemini CLI stops."""
    gemini = client("gemini")
    h, env = _gemini_home(tmp_path)
    res = run([gemini, "-p", "say hi"], {**env, "GOOGLE_GEMINI_BASE_URL": gateway.url, "GEMINI_API_KEY": MASTER_KEY},
              tmp_path / "work")
    assert res.returncode != 0 and "Invalid auth method selected" in res.stdout + res.stderr


@pytest.mark.parametrize("suffix", ["/v1", "/v1beta"])
def test_gemini_cli_fails_when_the_base_url_carries_an_api_version(gateway, tmp_path, suffix):
    """The evidence behind FG308: Gemini CLI appends /v1beta/models/... itself."""
    gemini = client("gemini")
    h, env = _gemini_home(tmp_path)
    apply("gemini-cli", gateway.spec, env, "--token-env", "GW_TOKEN")
    env = {**env, "GOOGLE_GEMINI_BASE_URL": gateway.url + suffix}  # the environment beats ~/.gemini/.env
    res = run([gemini, "-p", "say hi"], env, tmp_path / "work")
    assert res.returncode != 0 and CANNED not in res.stdout
    assert f"POST {suffix}/v1beta/models/router-default:streamGenerateContent" in gateway.log_text()


def test_gemini_cli_with_an_unserved_model_gets_the_gateways_400(gateway, tmp_path):
    """The evidence behind FG404 for Gemini CLI."""
    gemini = client("gemini")
    h, env = _gemini_home(tmp_path)
    apply("gemini-cli", gateway.spec, env, "--token-env", "GW_TOKEN")
    res = run([gemini, "-m", "router-missing", "-p", "say hi"], env, tmp_path / "work")
    assert res.returncode != 0
    assert "Invalid model name passed in model=router-missing" in res.stdout + res.stderr


# ------------------------------------------------------------------ Qwen Code

QWEN_OWN = {
    "privacy": {"usageStatisticsEnabled": False},
    "telemetry": {"enabled": False},
    "general": {"enableAutoUpdate": False},
    "memory": {"enableManagedAutoMemory": False, "enableManagedAutoDream": False},
    "tools": {"useRipgrep": False},
}


def _qwen_home(tmp_path: Path) -> tuple[Path, dict]:
    h, env = _home(tmp_path, QWEN_USAGE_STATISTICS_ENABLED="false")
    (h / ".qwen").mkdir()
    (h / ".qwen" / "settings.json").write_text(json.dumps(QWEN_OWN, indent=2) + "\n")
    return h, env


def test_qwen_code_answers_through_the_gateway_with_the_applied_config(gateway, tmp_path):
    qwen = client("qwen")
    h, env = _qwen_home(tmp_path)
    apply("qwen-code", gateway.spec, env)
    entry = json.loads((h / ".qwen" / "settings.json").read_text())["modelProviders"]["openai"][0]
    assert entry["baseUrl"] == f"{gateway.url}/v1" and entry["envKey"] == "OPENAI_API_KEY"
    before = gateway.log_text().count("POST /v1/chat/completions")
    res = run([qwen, "-p", "say hi"], env, tmp_path / "work")
    assert res.returncode == 0, res.stdout + res.stderr
    assert CANNED in res.stdout
    assert gateway.log_text().count("POST /v1/chat/completions") > before


def test_qwen_code_with_an_unserved_model_gets_the_gateways_400(gateway, tmp_path):
    """The evidence behind FG404 for Qwen Code: the entry's id is the model sent."""
    qwen = client("qwen")
    h, env = _qwen_home(tmp_path)
    apply("qwen-code", gateway.spec, env)
    path = h / ".qwen" / "settings.json"
    data = json.loads(path.read_text())
    data["modelProviders"]["openai"][0]["id"] = data["model"]["name"] = "router-missing"
    path.write_text(json.dumps(data))
    res = run([qwen, "-p", "say hi"], env, tmp_path / "work")
    assert res.returncode != 0
    assert "Invalid model name passed in model=router-missing" in res.stdout + res.stderr


# ------------------------------------------------------------------ OpenCode

# OpenCode fetches a model catalogue and installs its plugin package on every run unless told not to; the
# switches below stop both, and a proxy on a closed loopback port catches anything else (only the loopback
# gateway bypasses it).
OPENCODE_OFFLINE = dict(OPENCODE_DISABLE_MODELS_FETCH="1", OPENCODE_DISABLE_AUTOUPDATE="1", OPENCODE_DISABLE_SHARE="1",
                        OPENCODE_DISABLE_DEFAULT_PLUGINS="1", OPENCODE_DISABLE_LSP_DOWNLOAD="1", OPENCODE_DISABLE_FFF="1",
                        HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost",
                        no_proxy="127.0.0.1,localhost", npm_config_registry="http://127.0.0.1:9/", TERM="dumb")


def _opencode_home(tmp_path: Path) -> tuple[Path, dict]:
    h, env = _home(tmp_path)
    config = h / ".config"
    env.update(OPENCODE_OFFLINE, XDG_CONFIG_HOME=str(config), XDG_DATA_HOME=str(h / ".local" / "share"),
               XDG_CACHE_HOME=str(h / ".cache"), XDG_STATE_HOME=str(h / ".local" / "state"))
    own = config / "opencode"
    (own / "node_modules").mkdir(parents=True)  # the plugin package counts as installed: no npm run
    deps = {"@opencode-ai/plugin": "1.18.33"}
    (own / "package.json").write_text(json.dumps({"dependencies": deps}))
    (own / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "packages": {"": {"dependencies": deps}}}))
    return h, env


def _opencode_config(h: Path) -> Path:
    return h / ".config" / "opencode" / "opencode.json"


def test_opencode_answers_through_the_gateway_with_the_applied_config(gateway, tmp_path):
    opencode = client("opencode")
    h, env = _opencode_home(tmp_path)
    apply("opencode", gateway.spec, env)
    provider = json.loads(_opencode_config(h).read_text())["provider"]["flowgate"]
    assert provider["options"] == {"baseURL": f"{gateway.url}/v1", "apiKey": "{env:OPENAI_API_KEY}"}
    before = gateway.log_text().count("POST /v1/chat/completions")
    res = run([opencode, "run", "say hi"], env, tmp_path / "work")
    assert res.returncode == 0, res.stdout + res.stderr
    assert CANNED in res.stdout
    assert gateway.log_text().count("POST /v1/chat/completions") > before


@pytest.mark.parametrize("path, works", [("/v1", True), ("", False)])
def test_opencode_anthropic_sdk_needs_v1_on_the_base_url(gateway, tmp_path, path, works):
    """The evidence behind FG309: @ai-sdk/anthropic appends /messages, so the gateway root gets /messages (404)."""
    opencode = client("opencode")
    h, env = _opencode_home(tmp_path)
    apply("opencode", gateway.spec, env)
    config = _opencode_config(h)
    data = json.loads(config.read_text())
    data["provider"]["flowgate"]["npm"] = "@ai-sdk/anthropic"
    data["provider"]["flowgate"]["options"]["baseURL"] = gateway.url + path
    config.write_text(json.dumps(data))
    res = run([opencode, "run", "say hi"], env, tmp_path / "work")
    if works:
        assert res.returncode == 0 and CANNED in res.stdout, res.stdout + res.stderr
        assert "POST /v1/messages" in gateway.log_text()
    else:
        assert res.returncode != 0 and CANNED not in res.stdout
        assert '"POST /messages HTTP/1.1" 404' in gateway.log_text()


def test_opencode_with_an_unserved_model_gets_the_gateways_400(gateway, tmp_path):
    """The evidence behind FG404 for OpenCode: the model key is the name sent."""
    opencode = client("opencode")
    h, env = _opencode_home(tmp_path)
    config = _opencode_config(h)
    config.write_text(json.dumps({"provider": {"gw": {"npm": "@ai-sdk/openai-compatible", "options": {
        "baseURL": f"{gateway.url}/v1", "apiKey": "{env:OPENAI_API_KEY}"}, "models": {"router-missing": {}}}},
        "model": "gw/router-missing"}))
    res = run([opencode, "run", "say hi"], env, tmp_path / "work")
    assert res.returncode != 0
    assert "Invalid model name passed in model=router-missing" in res.stdout + res.stderr
