"""FG201/FG202's unsafe fix gives a smoke script a probe that runs while the gateway is up, with the script's own
base-URL and token variables (issue 29, item 5): the fixed scripts are run against a local server."""

from __future__ import annotations

import http.server
import os
import subprocess
import threading
from pathlib import Path

import pytest

from flowgate_lint.rules.smoke import insertion_point, script_variables, stops_services
from rulekit import RULE_FIXTURES, lint_text

STOPPED = {"flag": False}


class Handler(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        if self.path == "/__stop":
            STOPPED["flag"] = True
        Handler.seen.append((self.command, self.path, self.headers.get("authorization"), STOPPED["flag"]))
        self.send_response(503 if STOPPED["flag"] else 200)
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

    def log_message(self, *args):
        pass


@pytest.fixture()
def gateway():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    Handler.seen, STOPPED["flag"] = [], False
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def _run(script: Path, tmp_path: Path, env: dict) -> subprocess.CompletedProcess:
    # ./scripts/flowgate stands in for the stack's CLI: "service stop all" stops the gateway (it then answers 503).
    (tmp_path / "scripts").mkdir(exist_ok=True)
    cli = tmp_path / "scripts" / "flowgate"
    cli.write_text('#!/bin/sh\ncase "$*" in *stop*) curl -s "$GATEWAY_URL/__stop" >/dev/null ;; esac\n')
    cli.chmod(0o755)
    base = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and k != "OPENAI_API_KEY"}
    return subprocess.run(["bash", str(script)], cwd=tmp_path, env={**base, **env}, capture_output=True, text=True,
                          timeout=60)


def test_the_fixed_script_probes_before_it_stops_the_services_with_its_own_variables(gateway, tmp_path):
    fixed = RULE_FIXTURES / "FG202" / "bad-stops-services.sh.fixed"
    script = tmp_path / "smoke.sh"
    script.write_text(fixed.read_text())
    res = _run(script, tmp_path, {"GATEWAY_URL": gateway, "FLOWGATE_TOKEN": "sk-own-token"})
    assert res.returncode == 0, res.stdout + res.stderr
    assert "ok   POST /v1/messages (200)" in res.stdout and "smoke test passed" in res.stdout
    probes = [s for s in Handler.seen if s[1].startswith("/v1/messages")]
    assert [p[1] for p in probes][-2:] == ["/v1/messages/count_tokens", "/v1/messages"]
    assert all(auth == "Bearer sk-own-token" and not stopped for _, _, auth, stopped in probes)


def test_the_block_goes_before_the_stop_and_the_messages_that_announce_it():
    text = ("#!/bin/sh\n# smoke test\ncurl -fsS \"$BASE/v1/models\"\n\n# stop everything\necho stopping\n"
            "service stop all\necho 'smoke OK'\n")
    assert text[insertion_point(_src(text)):].startswith("# stop everything\n")
    # a command after the stop (cleanup of temp files) does not push the probe past it
    text2 = "#!/bin/sh\ncurl -fsS http://127.0.0.1:4000/v1/models\ndocker compose down\nrm -f /tmp/body.json\n"
    assert text2[insertion_point(_src(text2)):].startswith("docker compose down\n")
    # a trap handler is not a stop; without closing lines the block goes at the end
    text3 = "#!/bin/sh\ntrap 'kill $PID' EXIT\ncurl -fsS http://127.0.0.1:4000/v1/models\n"
    assert insertion_point(_src(text3)) == len(text3)


@pytest.mark.parametrize("line,stops", [
    ("service stop all", True), ("./scripts/flowgate service stop all", True), ("docker compose down", True),
    ("docker-compose down -v", True), ("sudo systemctl stop litellm", True), ('kill "$PID"', True),
    ("pkill -f litellm", True), ("./scripts/stop.sh", True), ("cleanup", True), ("stop_gateway", True),
    ("trap 'kill $PID' EXIT", False), ("docker compose up -d", False), ("echo stop", False),
    ('curl -fsS "$BASE/stop"', False), ("service start all", False),
])
def test_what_stops_the_services(line, stops):
    assert stops_services(line) is stops


def test_the_scripts_own_variables():
    assert script_variables('U="${GW:-http://127.0.0.1:4000}"\ncurl -fsS "${U}/v1/models" -H "Authorization: Bearer $TOK"\n') \
        == ("U", "TOK")
    assert script_variables("# curl $OLD/v1/models\ncurl -fsS http://127.0.0.1:4000/health\n") == (None, None)


def _src(text: str):
    from flowgate_lint.documents.source import HostFile

    return HostFile("scripts/smoke.sh", text, "shell").whole()


def test_fg201_offers_the_block_before_the_stop():
    text = "#!/bin/sh\n# smoke test\nset -e\nB=http://127.0.0.1:4000\ncurl -fsS \"$B/v1/models\"\nservice stop all\n"
    [f] = [f for f in lint_text(text, "scripts/smoke.sh", ["FG201"])]
    [edit] = f.fix.edits
    assert text[:edit.start].endswith("/v1/models\"\n") and '${FLOWGATE_GATEWAY_URL:-$B}' in edit.content
