"""`flowgate-lint probe` against a real LiteLLM proxy on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gateway import MASTER_KEY, SPEC, free_port

pytestmark = pytest.mark.gateway


def probe(*args: str, token: str | None = MASTER_KEY) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GW_TOKEN"}
    if token:
        env["GW_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "flowgate_lint", "probe", *args], capture_output=True, text=True,
                          env=env, timeout=180)


def test_probe_passes_against_the_gateway(gateway):
    res = probe("--spec", str(gateway.spec))
    assert res.returncode == 0, res.stdout + res.stderr
    for path in ("/v1/models", "/v1/messages/count_tokens", "/v1/messages", "/v1/responses"):
        assert path in res.stdout
    assert "All required endpoints answer." in res.stdout
    assert MASTER_KEY not in res.stdout + res.stderr
    log = gateway.log_text()
    assert "/v1/messages/count_tokens" in log and "/v1/responses" in log


def test_probe_json_output(gateway):
    res = probe("--spec", str(gateway.spec), "--output-format", "json")
    data = json.loads(res.stdout)
    assert data["ok"] is True and data["token_set"] is True
    assert {r["endpoint"] for r in data["results"]} >= {"POST /v1/messages", "POST /v1/responses"}
    assert MASTER_KEY not in res.stdout


def test_probe_fails_with_a_hint_when_the_port_is_wrong(gateway, tmp_path):
    res = probe("--spec", str(gateway.spec_with(tmp_path, port=free_port())))
    assert res.returncode == 1
    assert "nothing listens at" in res.stdout and "gateway is not started, or the port is wrong" in res.stdout


def test_probe_with_nothing_listening_gives_the_hint_once(tmp_path):
    spec = tmp_path / "flowgate.yaml"
    spec.write_text(SPEC.format(port=free_port(), default="router-default"))
    res = probe("--spec", str(spec))
    assert res.returncode == 1
    assert res.stdout.count("FAIL") == 4 and res.stdout.count("warn") == 1  # every endpoint is reported (count_tokens: a warning)
    assert res.stdout.count("hint:") == 1, res.stdout
    assert res.stdout.count("gateway is not started, or the port is wrong") == 1, res.stdout


def test_probe_fails_when_a_spec_model_is_missing(gateway, tmp_path):
    res = probe("--spec", str(gateway.spec_with(tmp_path, default="router-missing")))
    assert res.returncode == 1
    assert "does not list router-missing" in res.stdout


def test_probe_names_the_v1_mistake(gateway):
    res = probe("--spec", str(gateway.spec), "--url", gateway.url + "/v1")
    assert res.returncode == 1
    assert "the URL ends in /v1" in res.stdout
    assert "this went to" in res.stdout and "/v1/v1/messages" in res.stdout


def test_probe_reports_a_rejected_token(gateway):
    res = probe("--spec", str(gateway.spec), token="sk-wrong-token")
    assert res.returncode == 1
    assert "rejected the token" in res.stdout and "sk-wrong-token" not in res.stdout


def test_a_count_tokens_404_beside_a_working_messages_route_is_a_warning_naming_the_route(tmp_path):
    """A loopback server that serves everything but count_tokens: probe passes, warns, and blames the route."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            missing = self.path.startswith("/v1/messages/count_tokens")
            body = b'{"detail":"Not Found"}' if missing else (
                b'{"data":[{"id":"router-default"},{"id":"router-cheap"}]}' if self.path == "/v1/models" else b"{}")
            self.send_response(404 if missing else 200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        spec = tmp_path / "flowgate.yaml"
        spec.write_text(SPEC.format(port=server.server_address[1], default="router-default"))
        res = probe("--spec", str(spec))
    finally:
        server.shutdown()
    assert res.returncode == 0, res.stdout + res.stderr
    line = next(x for x in res.stdout.splitlines() if "count_tokens" in x and "404" in x)
    assert "warn" in line and "FAIL" not in res.stdout
    assert "serves /v1/messages but not /v1/messages/count_tokens" in res.stdout
    assert "the base URL carries /v1" not in res.stdout and "All required endpoints answer." in res.stdout
