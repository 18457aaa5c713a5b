"""The managed claude-probe block is real sh: it passes on 2xx and fails the script on 404 and 5xx."""

from __future__ import annotations

import http.server
import os
import subprocess
import threading

import pytest

from flowgate_lint.clients.render import claude_probe_sh
from rulekit import fixture_spec


class Handler(http.server.BaseHTTPRequestHandler):
    status = 200
    seen: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        Handler.seen.append((self.path, self.headers.get("anthropic-version"), self.headers.get("authorization"), body))
        self.send_response(Handler.status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture()
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    Handler.seen = []
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.mark.parametrize("status,code", [(200, 0), (404, 1), (500, 1), (503, 1)])
def test_probe_block_exit_code_follows_the_gateway(server, status, code, tmp_path):
    Handler.status = status
    script = tmp_path / "smoke.sh"
    script.write_text("#!/bin/sh\nset -e\n" + claude_probe_sh(fixture_spec()) + "echo smoke OK\n")
    env = {**{k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")},
           "FLOWGATE_GATEWAY_URL": server, "OPENAI_API_KEY": "sk-test"}
    res = subprocess.run(["sh", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert res.returncode == code, res.stdout + res.stderr
    assert ("smoke OK" in res.stdout) == (code == 0)
    paths = [p for p, *_ in Handler.seen]
    assert paths[0] == "/v1/messages/count_tokens"
    assert all(version == "2023-06-01" and auth == "Bearer sk-test" for _, version, auth, _ in Handler.seen)
    if code == 0:
        assert paths == ["/v1/messages/count_tokens", "/v1/messages"]
        assert b'"model":"router-default"' in Handler.seen[1][3]
