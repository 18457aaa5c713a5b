"""`flowgate-lint probe` never shows the token, reads past interim answers, and survives a malformed model list:
small HTTP servers on 127.0.0.1 play the gateway."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from urllib.parse import quote

import pytest

from flowgate_lint.clients.probe import scrub
from gateway import SPEC

TOKEN = "PLANTEDprobeToken-0123456789abcdef"
MODELS = b'{"data": [{"id": "router-default"}, {"id": "router-cheap"}]}'


def runs_of_token(text: str, size: int = 8) -> list[str]:
    """Every piece of the token of ``size`` characters that ``text`` shows."""
    return sorted({TOKEN[i:i + size] for i in range(len(TOKEN) - size + 1) if TOKEN[i:i + size] in text})


class Gateway(http.server.BaseHTTPRequestHandler):
    """Answers each path with ``answers[path]`` (status, headers, body), else 200 {}; ``interim`` raw bytes
    (a 103 Early Hints) go before every answer."""

    answers: dict = {}
    interim = b""

    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        status, headers, body = type(self).answers.get(self.path.split("?")[0], (200, {}, b"{}"))
        if type(self).interim:
            self.wfile.write(type(self).interim)
            self.wfile.flush()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

    def log_message(self, *args):
        pass


@pytest.fixture()
def gateway(tmp_path):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    spec = tmp_path / "flowgate.yaml"
    spec.write_text(SPEC.format(port=srv.server_address[1], default="router-default"))
    Gateway.answers, Gateway.interim = {}, b""
    yield spec
    srv.shutdown()
    srv.server_close()


def probe(spec, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLANTED": TOKEN}
    return subprocess.run([sys.executable, "-m", "flowgate_lint", "probe", "--spec", str(spec), "--token-env", "PLANTED",
                           *args], capture_output=True, text=True, env=env, timeout=120)


def both_formats(spec) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    return probe(spec), probe(spec, "--output-format", "json")


def test_scrub_takes_out_the_token_its_cut_pieces_and_its_encodings():
    cases = [f"x {TOKEN} y", f"cut at 200: {TOKEN[:12]}", f"echo ...{TOKEN[-9:]}", f"/r/{quote(TOKEN + '/+=', safe='')}",
             f"{TOKEN}{TOKEN}"]
    for text in cases:
        assert runs_of_token(scrub(text, TOKEN + "/+=" if "%2F" in text else TOKEN)) == [], text
    assert scrub("ordinary text, 200 OK", TOKEN) == "ordinary text, 200 OK"


def test_a_redirect_carrying_the_token_in_its_path_or_query_is_shown_without_it(gateway):
    for path in ("/v1/models", "/v1/messages", "/v1/responses", "/v1/messages/count_tokens", "/health/readiness"):
        Gateway.answers[path] = (307, {"location": f"https://elsewhere.example/k/{TOKEN}{path}?api_key={quote(TOKEN)}"
                                                   f"&t={TOKEN[:10]}"}, b"")
    text, js = both_formats(gateway)
    data = json.loads(js.stdout)
    assert js.returncode == 1 and text.returncode == 1
    assert all(r["status"] == 307 and "does not follow redirects" in r["hint"] for r in data["results"]), data
    assert "elsewhere.example" in text.stdout and "elsewhere.example" in js.stdout  # the hint still says where
    for out in (text.stdout + text.stderr, js.stdout + js.stderr):
        assert runs_of_token(out) == [], out


def test_a_body_is_scrubbed_before_it_is_cut_and_an_echoed_piece_is_redacted(gateway):
    straddling = b'{"error": "' + b"x" * 180 + TOKEN.encode() + b'"}'  # byte 200 falls inside the token
    Gateway.answers["/v1/messages"] = (401, {}, straddling)
    Gateway.answers["/v1/responses"] = (401, {}, f'{{"error": "invalid key ...{TOKEN[-12:]}"}}'.encode())
    Gateway.answers["/v1/models"] = (200, {}, MODELS)
    text, js = both_formats(gateway)
    data = {r["endpoint"]: r for r in json.loads(js.stdout)["results"]}
    assert data["POST /v1/messages"]["status"] == 401 and "xxxx" in data["POST /v1/messages"]["detail"]
    assert "invalid key" in data["POST /v1/responses"]["detail"]
    for out in (text.stdout + text.stderr, js.stdout + js.stderr):
        assert runs_of_token(out) == [], out


def test_an_interim_103_early_hints_answer_is_not_a_failure(gateway):
    Gateway.interim = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
    Gateway.answers["/v1/models"] = (200, {"content-type": "application/json"}, MODELS)
    res = probe(gateway, "--output-format", "json")
    data = json.loads(res.stdout)
    assert res.returncode == 0 and data["ok"] is True, res.stdout + res.stderr
    assert {r["status"] for r in data["results"]} == {200}


@pytest.mark.parametrize("body,reason", [
    (b'{"data": 5}', '"data" is not a list'),
    (b'{"data": [{"id": ["x"]}]}', 'no string "id"'),
    (b"[" * (1 << 20), "not JSON"),
    (b'["router-default"]', '"data" is not a list'),
])
def test_a_malformed_model_list_fails_that_endpoint_and_the_others_are_still_reported(gateway, body, reason):
    Gateway.answers["/v1/models"] = (200, {"content-type": "application/json"}, body)
    text, js = both_formats(gateway)
    assert js.returncode == 1 and text.returncode == 1, js.stderr + text.stderr
    assert "Traceback" not in js.stderr + text.stderr
    data = {r["endpoint"]: r for r in json.loads(js.stdout)["results"]}
    assert len(data) == 5
    models = data["GET /v1/models"]
    assert models["status"] == 200 and not models["ok"] and reason in models["detail"], models
    assert all(r["ok"] for name, r in data.items() if name != "GET /v1/models"), data
    assert "1 required endpoint(s) failed." in text.stdout and reason in text.stdout
