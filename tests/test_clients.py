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


# A proxy on a closed loopback port: a client that ignores the gateway and heads for its default endpoint
# reaches only this (checked once with strace: every connect went to 127.0.0.1), never the network.
LOOPBACK_TRAP = dict(HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
                     http_proxy="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")


def test_claude_code_warns_that_a_gateway_model_id_gets_a_1m_token_window(gateway, tmp_path):
    # Claude Code 2.1.332 assumes a 1m-token context for a model id it does not know, and says so on stderr.
    claude = client("claude")
    env = home(tmp_path)
    apply("claude-code", gateway.spec, env, "--token-env", "GW_TOKEN")
    res = run([claude, "-p", "say hi"], env, tmp_path)
    assert res.returncode == 0 and CANNED in res.stdout, res.stdout + res.stderr
    assert 'doesn\'t recognize the model "router-default", so it assumes a context window of 1m tokens' in res.stderr


def test_codex_ignores_openai_base_url_and_never_reaches_the_gateway(gateway, tmp_path):
    # FG304's evidence: with OPENAI_BASE_URL and no provider table, Codex heads for its default endpoint.
    codex = client("codex")
    env = {**home(tmp_path), **LOOPBACK_TRAP, "OPENAI_BASE_URL": f"{gateway.url}/v1"}
    before = gateway.log_text().count("POST ")
    try:
        res = subprocess.run([str(codex), "exec", "--skip-git-repo-check", "say hi"], capture_output=True, text=True,
                             env=env, cwd=tmp_path, timeout=15, stdin=subprocess.DEVNULL)
        out = res.stdout + res.stderr
        assert res.returncode != 0
    except subprocess.TimeoutExpired as exc:  # it keeps "Reconnecting... waiting for network"
        out = (exc.stdout or b"").decode(errors="replace") + (exc.stderr or b"").decode(errors="replace")
    assert CANNED not in out
    assert gateway.log_text().count("POST ") == before  # not one request reached the gateway
    assert "Reconnecting" in out, out[-2000:]


def test_claude_code_sends_both_auth_headers_when_both_variables_are_set(tmp_path):
    # FG702's evidence: with ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY both set, one request carries both
    # Authorization: Bearer and x-api-key (a gateway that checks one of them may see the other, stale key).
    import http.server
    import threading
    import time

    seen: list[dict] = []

    class Stub(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's name
            seen.append({k.lower(): v for k, v in self.headers.items()})
            self.rfile.read(int(self.headers.get("content-length") or 0))
            body = b'{"type":"error","error":{"type":"authentication_error","message":"stub"}}'
            self.send_response(401)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        claude = client("claude")
        env = {**home(tmp_path), **LOOPBACK_TRAP, "ANTHROPIC_BASE_URL": f"http://127.0.0.1:{server.server_port}",
               "ANTHROPIC_AUTH_TOKEN": "token-from-auth-token", "ANTHROPIC_API_KEY": "key-from-api-key",
               "ANTHROPIC_MODEL": "router-default"}
        proc = subprocess.Popen([str(claude), "-p", "say hi"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env, cwd=tmp_path, stdin=subprocess.DEVNULL)
        try:  # the first request is all this needs; Claude Code then retries for a while
            deadline = time.monotonic() + 60
            while not seen and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            proc.kill()
            proc.wait()
    finally:
        server.shutdown()
    messages = [h for h in seen if "authorization" in h or "x-api-key" in h]
    assert messages, seen
    first = messages[0]
    assert first.get("authorization") == "Bearer token-from-auth-token"
    assert first.get("x-api-key") == "key-from-api-key"


def test_codex_ignores_provider_keys_in_a_trusted_projects_own_config(gateway, tmp_path):
    # FG511's evidence: even trusted, a project's .codex/config.toml loses model_provider and model_providers.
    codex = client("codex")
    env = {**home(tmp_path), **LOOPBACK_TRAP}
    project = tmp_path / "project"
    (project / ".codex").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / ".codex" / "config.toml").write_text(
        f'model = "router-default"\nmodel_provider = "flowgate"\n\n[model_providers.flowgate]\nname = "F"\n'
        f'base_url = "{gateway.url}/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"\n')
    (Path(env["CODEX_HOME"]) / "config.toml").write_text(f'[projects."{project}"]\ntrust_level = "trusted"\n')
    before = gateway.log_text().count("POST ")
    try:
        res = subprocess.run([str(codex), "exec", "--skip-git-repo-check", "say hi"], capture_output=True, text=True,
                             env=env, cwd=project, timeout=15, stdin=subprocess.DEVNULL)
        err = res.stderr
    except subprocess.TimeoutExpired as exc:
        err = (exc.stderr or b"").decode(errors="replace")
    assert "Ignored unsupported project-local config keys" in err and "model_provider, model_providers" in err, err
    assert "provider: openai" in err
    assert gateway.log_text().count("POST ") == before
