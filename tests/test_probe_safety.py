"""`flowgate-lint probe` against hostile HTTP servers on 127.0.0.1: redirects, trickled answers, terminal escapes."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from gateway import SPEC

TOKEN = "PLANTEDprobeToken-0123456789abcdef"


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers 200 {} and records what it was sent."""

    seen: list = []

    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        type(self).seen.append((self.command, self.path, self.headers.get("authorization"), self.headers.get("x-api-key")))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"data": []}')

    do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

    def log_message(self, *args):
        pass


class Redirector(http.server.BaseHTTPRequestHandler):
    """Redirects every request to ``target`` (another origin), keeping the path."""

    target = ""
    status = 307

    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.send_response(type(self).status)
        self.send_header("location", type(self).target + self.path)
        self.send_header("content-length", "0")
        self.end_headers()

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, *args):
        pass


class Trickler(http.server.BaseHTTPRequestHandler):
    """Sends a valid answer one byte every ``pause`` seconds: each read gets something, the whole never comes."""

    pause = 0.25

    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        payload = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n" + b" " * 200
        try:
            for i in range(len(payload)):
                self.wfile.write(payload[i:i + 1])
                self.wfile.flush()
                time.sleep(type(self).pause)
        except OSError:
            pass  # the client gave up: what it should do

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, *args):
        pass


class Hostile(http.server.BaseHTTPRequestHandler):
    """Errors whose bodies carry terminal escapes, a bare CR and workflow commands."""

    body = b"\x1b[2J\x1b]0;owned\x07\rgateway down\n::error file=x::injected\n  ::add-mask::oops ##[set-output name=a;]b"

    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.send_response(500)
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, *args):
        pass


def serve(handler):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"


@pytest.fixture()
def spec(tmp_path):
    path = tmp_path / "flowgate.yaml"
    path.write_text(SPEC.format(port=4000, default="router-default"))
    return path


def probe(spec, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLANTED": TOKEN}
    return subprocess.run([sys.executable, "-m", "flowgate_lint", "probe", "--spec", str(spec), "--token-env", "PLANTED",
                           *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_reported_and_never_followed_with_the_token(spec, status):
    target, target_url = serve(Recorder)
    Recorder.seen = []
    redirector, url = serve(Redirector)
    Redirector.target, Redirector.status = target_url, status
    try:
        res = probe(spec, "--url", url, "--output-format", "json")
    finally:
        target.shutdown()
        redirector.shutdown()
    assert Recorder.seen == [], f"followed the redirect to another origin, sending {Recorder.seen}"
    data = json.loads(res.stdout)
    assert res.returncode == 1 and data["ok"] is False
    for r in data["results"]:
        assert r["status"] == status and not r["ok"], r
        assert r["detail"] == f"redirect to {target_url}{r['endpoint'].split(' ')[1]}", r
        assert "does not follow redirects" in r["hint"]
    assert TOKEN not in res.stdout + res.stderr


def test_the_timeout_is_a_deadline_for_the_whole_request(spec):
    srv, url = serve(Trickler)
    start = time.monotonic()
    try:
        res = probe(spec, "--url", url, "--timeout", "1", "--output-format", "json", timeout=40)
    finally:
        srv.shutdown()
    elapsed = time.monotonic() - start
    data = json.loads(res.stdout)
    assert res.returncode == 1 and len(data["results"]) == 5
    for r in data["results"]:
        assert r["status"] is None and "timed out" in r["detail"], r
        assert r["ms"] < 1000 + 700, r  # one second, not one per byte
    assert elapsed < 5 * 1.7 + 6, elapsed  # five requests, each cut at its deadline (plus start-up)


def test_answer_bodies_cannot_draw_on_the_terminal_or_inject_workflow_commands(spec):
    srv, url = serve(Hostile)
    try:
        res = probe(spec, "--url", url)
    finally:
        srv.shutdown()
    assert res.returncode == 1 and "gateway down" in res.stdout, res.stdout
    out = res.stdout + res.stderr
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out
    assert "\\u001b[2J" in out  # shown, visibly
    lines = out.splitlines()
    assert not [line for line in lines if line.lstrip().startswith("::") or "##[" in line]
