"""The real clients through the real gateway: configs written by `flowgate-lint apply` work, and the drift
the rules flag makes the real clients fail (the evidence behind FG302, FG503 and FG505)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import CANNED, MASTER_KEY, ROOT, offline_env, unavailable

pytestmark = [pytest.mark.gateway, pytest.mark.clients]
BIN = ROOT / ".tools" / "node" / "node_modules" / ".bin"


def client(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        unavailable("clients", f"{name} not installed at {path} (./scripts/test installs it)")
    return path


def home(tmp_path: Path) -> dict:
    h = tmp_path / "home"
    (h / ".codex").mkdir(parents=True)
    (h / ".claude").mkdir()
    (h / ".claude.json").write_text(json.dumps({"hasCompletedOnboarding": True}))
    return offline_env(HOME=str(h), CODEX_HOME=str(h / ".codex"), CLAUDE_CONFIG_DIR=str(h / ".claude"),
                       GW_TOKEN=MASTER_KEY, OPENAI_API_KEY=MASTER_KEY, DISABLE_TELEMETRY="1",
                       CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_AUTOUPDATER="1", CI="1")


def apply(client_name: str, spec: Path, env: dict, *extra: str) -> None:
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "apply", client_name, "--spec", str(spec), *extra],
                         capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr


def run(cmd: list, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, cwd=cwd, timeout=180,
                          stdin=subprocess.DEVNULL)


def test_codex_answers_through_the_gateway_with_the_applied_config(gateway, tmp_path):
    codex = client("codex")
    env = home(tmp_path)
    apply("codex", gateway.spec, env)
    before = gateway.log_text().count("POST /v1/responses")
    res = run([codex, "exec", "--skip-git-repo-check", "say hi"], env, tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert CANNED in res.stdout, res.stdout  # the reply itself, not an echo in the progress log on stderr
    assert gateway.log_text().count("POST /v1/responses") > before  # the proxy saw it


def test_claude_code_answers_through_the_gateway_with_the_applied_config(gateway, tmp_path):
    claude = client("claude")
    env = home(tmp_path)
    apply("claude-code", gateway.spec, env, "--token-env", "GW_TOKEN")
    before = gateway.log_text().count("POST /v1/messages")
    res = run([claude, "-p", "say hi"], env, tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert CANNED in res.stdout
    assert gateway.log_text().count("POST /v1/messages") > before


def test_claude_code_fails_when_the_base_url_carries_v1(gateway, tmp_path):
    claude = client("claude")
    env = home(tmp_path)
    apply("claude-code", gateway.spec, env, "--token-env", "GW_TOKEN")
    settings = Path(env["CLAUDE_CONFIG_DIR"]) / "settings.json"
    data = json.loads(settings.read_text())
    data["env"]["ANTHROPIC_BASE_URL"] = gateway.url + "/v1"  # the drift FG302 reports
    settings.write_text(json.dumps(data))
    res = run([claude, "-p", "say hi"], env, tmp_path)
    assert res.returncode != 0
    assert CANNED not in res.stdout
    assert "issue with the selected model" in res.stdout + res.stderr


def test_codex_fails_with_wire_api_chat(gateway, tmp_path):
    codex = client("codex")
    env = home(tmp_path)
    apply("codex", gateway.spec, env)
    config = Path(env["CODEX_HOME"]) / "config.toml"
    config.write_text(config.read_text().replace('wire_api = "responses"', 'wire_api = "chat"'))  # FG503's drift
    res = run([codex, "exec", "--skip-git-repo-check", "say hi"], env, tmp_path)
    assert res.returncode != 0
    assert '`wire_api = "chat"` is no longer supported' in res.stderr, res.stderr
    assert CANNED not in res.stdout


def test_codex_fails_with_a_legacy_profile_selector(gateway, tmp_path):
    codex = client("codex")
    env = home(tmp_path)
    apply("codex", gateway.spec, env)
    config = Path(env["CODEX_HOME"]) / "config.toml"
    config.write_text('profile = "flowgate"\n' + config.read_text())  # FG505's drift
    res = run([codex, "exec", "--skip-git-repo-check", "say hi"], env, tmp_path)
    assert res.returncode != 0
    # The profile-specific error, not the generic "no longer supported" the wire_api test also sees.
    assert 'legacy `profile = "flowgate"` config is no longer supported' in res.stderr, res.stderr
    assert "use `--profile flowgate` with `flowgate.config.toml`" in res.stderr, res.stderr
    assert CANNED not in res.stdout


def test_claude_code_sends_one_request_per_prompt_and_no_count_tokens_in_print_mode(gateway, tmp_path):
    # Claude Code 2.1.332: `claude -p` sends one /v1/messages and never calls count_tokens (FG201 is a warning).
    claude = client("claude")
    env = home(tmp_path)
    apply("claude-code", gateway.spec, env, "--token-env", "GW_TOKEN")
    log = gateway.log_text()
    res = run([claude, "-p", "say hi"], env, tmp_path)
    assert res.returncode == 0 and CANNED in res.stdout, res.stdout + res.stderr
    new = gateway.log_text()[len(log):]
    assert new.count("count_tokens") == 0, new
    assert new.count("POST /v1/messages") == 1, new


def test_an_unserved_model_gets_litellms_400_not_the_selected_model_message(gateway, tmp_path):
    # FG401/FG402's pages quote this: LiteLLM answers 400 "Invalid model name", Claude Code retries and exits 1.
    claude = client("claude")
    env = home(tmp_path)
    apply("claude-code", gateway.spec, env, "--token-env", "GW_TOKEN")
    settings = Path(env["CLAUDE_CONFIG_DIR"]) / "settings.json"
    data = json.loads(settings.read_text())
    data["env"]["ANTHROPIC_MODEL"] = "router-missing"
    settings.write_text(json.dumps(data))
    res = run([claude, "-p", "say hi"], env, tmp_path)
    out = res.stdout + res.stderr
    assert res.returncode != 0 and CANNED not in res.stdout
    assert "400" in out and "Invalid model name passed in model=router-missing" in out, out
    assert "issue with the selected model" not in out


def test_codex_profile_without_a_file_silently_uses_the_base_config(gateway, tmp_path):
    # FG507's page: `--profile X` with no X.config.toml is no error; the base config answers.
    codex = client("codex")
    env = home(tmp_path)
    apply("codex", gateway.spec, env)
    res = run([codex, "exec", "--profile", "nosuch", "--skip-git-repo-check", "say hi"], env, tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert CANNED in res.stdout


def test_codex_openai_base_url_needs_codex_api_key_not_openai_api_key(gateway, tmp_path):
    # FG509's evidence: the built-in provider with openai_base_url sends no OPENAI_API_KEY; CODEX_API_KEY works.
    codex = client("codex")
    env = home(tmp_path)
    config = Path(env["CODEX_HOME"]) / "config.toml"
    config.write_text(f'model = "router-default"\nopenai_base_url = "{gateway.url}/v1"\n')
    before = gateway.log_text().count("/v1/responses")
    res = run([codex, "exec", "--skip-git-repo-check", "say hi"], env, tmp_path)
    assert res.returncode != 0 and CANNED not in res.stdout
    assert gateway.log_text().count("/v1/responses") > before  # the URL was right: the requests carried no key
    res = run([codex, "exec", "--skip-git-repo-check", "say hi"], {**env, "CODEX_API_KEY": MASTER_KEY}, tmp_path)
    assert res.returncode == 0 and CANNED in res.stdout, res.stdout + res.stderr
