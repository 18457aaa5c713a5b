"""`flowgate-lint verify`: the docs' setups and requests asked of a running gateway (a real LiteLLM on loopback).

Also: the extraction of requests and setups (judgement/requests.py), a gateway that never answers (ends within
the deadline), a redirect (never followed), the request cap, and the token in no output format.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gateway import MASTER_KEY, free_port, offline_env

from flowgate_lint.documents.source import HostFile
from flowgate_lint.judgement.requests import requests, setups
from flowgate_lint.lint.engine import sources_of

SPEC = """config_version: 2
services:
  litellm:
    host: 127.0.0.1
    port: {port}
integration:
  default_model: router-default
  fast_model: router-cheap
  token_env: GW_TOKEN
litellm_base:
  model_list:
    - model_name: router-default
    - model_name: router-cheap
    - model_name: router-missing
"""

# Line numbers matter: the assertions name them.
DOC = """# Setup

## Claude Code

```bash
export ANTHROPIC_BASE_URL=http://127.0.0.1:{port}
export ANTHROPIC_AUTH_TOKEN="$GW_TOKEN"
export ANTHROPIC_MODEL=router-default
export ANTHROPIC_DEFAULT_HAIKU_MODEL=router-cheap
```

## A second model set

```bash
export ANTHROPIC_MODEL=router-missing
```

## Counting tokens

```bash
curl -X POST http://127.0.0.1:{port}/v1/count_tokens \\
  -H "content-type: application/json" \\
  -d '{{"model": "router-default", "messages": [{{"role": "user", "content": "hi"}}]}}'
```

## Calling the Messages API

```bash
curl http://127.0.0.1:{port}/v1/messages \\
  -H "x-api-key: $GW_TOKEN" -H "anthropic-version: 2023-06-01" \\
  -d '{{"model": "router-ghost", "max_tokens": 8, "messages": [{{"role": "user", "content": "hi"}}]}}'
curl http://127.0.0.1:{port}/v1/messages/count_tokens -H "x-api-key: $GW_TOKEN" -d @- <<'EOF'
{{"model": "router-cheap", "messages": [{{"role": "user", "content": "hi"}}]}}
EOF
```

## Codex

```toml
model_provider = "flowgate"
model = "router-default"

[model_providers.flowgate]
name = "FlowGate"
base_url = "http://127.0.0.1:{port}/v1"
env_key = "GW_TOKEN"
wire_api = "responses"
```

Check the list with `curl -sS http://127.0.0.1:{port}/v1/models -H "Authorization: Bearer $GW_TOKEN"`.

## Upstream, for comparison

```bash
curl https://api.anthropic.com/v1/nowhere -H "x-api-key: $ANTHROPIC_API_KEY" -d '{{"model": "claude-sonnet-4-5"}}'
```

## Try it in a sandbox

This example brings its own proxy config:

```yaml
model_list:
  - model_name: sandbox-model
    litellm_params: {{model: openai/gpt-4o-mini}}
```

```bash
litellm --config sandbox.yaml --port 4999
export ANTHROPIC_BASE_URL=http://127.0.0.1:4999
export ANTHROPIC_MODEL=sandbox-model
curl http://127.0.0.1:4999/v1/sandbox-only -d '{{"model": "sandbox-model"}}'
```

## Migrating from the old proxy

Before:

```bash
export ANTHROPIC_BASE_URL=http://127.0.0.1:{port}/v1
export ANTHROPIC_MODEL=old-model
```

After:

```bash
export ANTHROPIC_BASE_URL=http://127.0.0.1:{port}
export ANTHROPIC_MODEL=router-default
```
"""

EXPECTED = {
    ("docs/setup.md", 15, "FG801"),  # ANTHROPIC_MODEL=router-missing: in the spec, not served by the gateway
    ("docs/setup.md", 21, "FG802"),  # curl .../v1/count_tokens: LiteLLM answers 404
    ("docs/setup.md", 31, "FG801"),  # the curl body's "router-ghost"
}


def _repo(root: Path, port: int, doc: str = DOC) -> Path:
    (root / "config").mkdir(parents=True)
    (root / "config" / "flowgate.yaml").write_text(SPEC.format(port=port))
    (root / "pyproject.toml").write_text('[tool.flowgate-lint]\nspec = "config/flowgate.yaml"\n')
    (root / "docs").mkdir()
    (root / "docs" / "setup.md").write_text(doc.format(port=port))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root


def verify(root: Path, *args: str, token: str | None = MASTER_KEY, timeout: float = 120) -> subprocess.CompletedProcess:
    # Any proxy would be a closed loopback port: a request that tried to leave through one would fail loudly.
    env = offline_env(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", ALL_PROXY="http://127.0.0.1:9")
    env.pop("GW_TOKEN", None)
    env.pop("FLOWGATE_LINT_OUTPUT_FORMAT", None)
    if token:
        env["GW_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "flowgate_lint", "verify", "--no-cache", *args], cwd=root,
                          capture_output=True, text=True, env=env, timeout=timeout)


def _found(res: subprocess.CompletedProcess) -> set:
    return {(f["path"], f["line"], f["code"]) for f in json.loads(res.stdout)}


# ------------------------------------------------------------------------------------------- the real gateway

@pytest.mark.gateway
def test_verify_reports_what_the_gateway_refuses_at_the_doc_line(gateway, tmp_path):
    root = _repo(tmp_path / "repo", gateway.port)
    res = verify(root, "--output-format", "json", "--verbose")
    assert res.returncode == 1, res.stdout + res.stderr
    assert _found(res) == EXPECTED, res.stdout
    by_line = {f["line"]: f["message"] for f in json.loads(res.stdout)}
    assert by_line[15] == (f"the gateway at {gateway.url} does not list model 'router-missing' "
                           "(it lists mock-chat, router-cheap, router-default)")
    assert "answers 404 on POST /v1/count_tokens" in by_line[21]
    assert "'router-ghost'" in by_line[31]
    err = res.stderr
    # The example section with its own config and both halves of the migration: not asked, and --verbose says why.
    assert "docs/setup.md:70: skipped ANTHROPIC_BASE_URL http://127.0.0.1:4999: example (the section brings its own gateway config)" in err
    assert "docs/setup.md:72: skipped curl POST http://127.0.0.1:4999/v1/sandbox-only: example" in err
    assert f"docs/setup.md:80: skipped ANTHROPIC_BASE_URL http://127.0.0.1:{gateway.port}/v1: migration" in err
    assert "docs/setup.md:81: skipped ANTHROPIC_MODEL old-model" in err
    assert "docs/setup.md:55: skipped curl POST https://api.anthropic.com/v1/nowhere: not the gateway (upstream" in err
    # Each question once: the models (the prose's GET /v1/models is the same question), the documented routes,
    # count_tokens for the two documented Claude models.
    asked = [line for line in err.splitlines() if line.startswith("flowgate-lint verify: ") and " -> " in line]
    assert sorted(a.split(" -> ")[0].split(": ", 1)[1] for a in asked) == [
        "GET /v1/models", "POST /v1/count_tokens", "POST /v1/messages", "POST /v1/messages/count_tokens",
        "POST /v1/messages/count_tokens", "POST /v1/messages/count_tokens", "POST /v1/responses"]
    assert f"7 request(s) to {gateway.url} (token from $GW_TOKEN: set)" in err
    assert "/v1/sandbox-only" not in gateway.log_text() and "/v1/nowhere" not in gateway.log_text()


@pytest.mark.gateway
def test_verify_reports_nothing_for_a_correct_doc(gateway, tmp_path):
    head = DOC.split("## A second model set")[0] + DOC[DOC.index("## Codex"):DOC.index("## Upstream")]
    root = _repo(tmp_path / "repo", gateway.port, head)
    res = verify(root, "--output-format", "concise")
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout == "No findings.\n"
    assert "request(s) to" in res.stderr


@pytest.mark.gateway
def test_a_client_base_url_route_the_gateway_lacks(gateway, tmp_path):
    doc = "# Claude Code\n\n```bash\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:{port}/v1\n```\n"
    res = verify(_repo(tmp_path / "repo", gateway.port, doc), "--output-format", "concise")
    assert res.returncode == 1, res.stdout + res.stderr
    assert (f"docs/setup.md:4:27: FG802 Claude Code calls http://127.0.0.1:{gateway.port}/v1/v1/messages: the gateway "
            f"at {gateway.url} answers 404 on POST /v1/v1/messages (no such route)") in res.stdout


@pytest.mark.gateway
@pytest.mark.parametrize("fmt", ["concise", "full", "json", "github", "sarif"])
def test_the_token_is_in_no_output_format(gateway, tmp_path, fmt):
    root = _repo(tmp_path / "repo", gateway.port)
    res = verify(root, "--output-format", fmt, "--verbose")
    assert res.returncode == 1, res.stdout + res.stderr
    assert MASTER_KEY not in res.stdout and MASTER_KEY not in res.stderr
    assert "FG801" in res.stdout and "FG802" in res.stdout


@pytest.mark.gateway
def test_a_rejected_token_is_an_error_not_findings(gateway, tmp_path):
    root = _repo(tmp_path / "repo", gateway.port)
    res = verify(root, "--output-format", "concise", token="sk-wrong-token-value")
    assert res.returncode == 2, res.stdout + res.stderr
    assert "GET /v1/models answered" in res.stderr and "did not answer as expected" in res.stderr
    assert "sk-wrong-token-value" not in res.stdout + res.stderr


@pytest.mark.gateway
def test_the_request_cap_is_said(gateway, tmp_path):
    root = _repo(tmp_path / "repo", gateway.port)
    res = verify(root, "--output-format", "concise", "--max-requests", "2")
    assert "2 request(s) to" in res.stderr and "the cap of 2 was reached, 5 question(s) not asked" in res.stderr


# ------------------------------------------------------------------------------------ gateways that misbehave

class _Hanging:
    """A server on loopback that accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self) -> None:
        self.stop = True
        for c in self.conns:
            c.close()
        self.sock.close()


def test_a_hanging_gateway_ends_within_the_deadline(tmp_path):
    server = _Hanging()
    try:
        root = _repo(tmp_path / "repo", server.port)
        start = time.monotonic()
        res = verify(root, "--output-format", "json", "--timeout", "1.5", timeout=60)
        elapsed = time.monotonic() - start
    finally:
        server.close()
    assert res.returncode == 2, res.stdout + res.stderr
    assert "no complete answer within 1.5 s (timed out)" in res.stderr
    assert "1 request(s) to" in res.stderr  # the questions after a silent one are not asked
    assert json.loads(res.stdout) == []
    assert elapsed < 1.5 + 6, elapsed  # the deadline, plus start-up


def test_a_redirect_is_not_followed(tmp_path):
    hits: list[str] = []

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        res = verify(_repo(tmp_path / "repo", server.server_port), "--output-format", "concise")
    finally:
        server.shutdown()
    assert res.returncode == 2, res.stdout + res.stderr
    assert "GET /v1/models answered 302" in res.stderr
    assert hits == ["/v1/models"]  # /elsewhere never asked


def test_another_host_only_when_named(tmp_path):
    root = _repo(tmp_path / "repo", 4000)
    spec = root / "config" / "flowgate.yaml"
    spec.write_text(spec.read_text().replace("host: 127.0.0.1", "host: gateway.example.com"))
    res = verify(root)
    assert res.returncode == 2
    assert "not on loopback: name it with --url" in res.stderr
    assert "request(s)" not in res.stderr


# ---------------------------------------------------------------------------------------------- extraction

def _extract(text: str, name: str = "docs/x.md", kind: str = "markdown"):
    host = HostFile(name, text, kind)
    reqs, sets = [], []
    for src in sources_of(host):
        reqs += [(src, r) for r in requests(src)]
        sets += [(src, s) for s in setups(src)]
    return reqs, sets


def test_curl_requests_with_method_url_headers_body_and_model():
    text = ("```bash\ncurl -sS -XPOST 'http://127.0.0.1:4000/v1/chat/completions' \\\n  -H 'Authorization: Bearer $T' \\\n"
            "  --data-raw '{\n  \"model\": \"router-a\",\n  \"messages\": []\n}'\n"
            "curl -I http://127.0.0.1:4000/health | head -1\n"
            "curl http://127.0.0.1:4000/v1/messages -d @- <<EOF\n{\"model\": \"router-b\"}\nEOF\n"
            "curl --json '{\"model\":\"router-c\"}' http://127.0.0.1:4000/v1/responses\n"
            "echo curl is not run here; curl $BASE/v1/models\n```\n"
            "Run `curl http://localhost:4000/v1/models` in prose too.\n")
    found = sorted(_extract(text)[0], key=lambda sr: sr[0].to_host(sr[1].start))
    got = [(r.method, src.text[r.start:r.end], r.model, src.text[r.model_start:r.model_end] if r.model else None,
            r.reference) for src, r in found]
    assert got == [
        ("POST", "http://127.0.0.1:4000/v1/chat/completions", "router-a", "router-a", False),
        ("HEAD", "http://127.0.0.1:4000/health", None, None, False),
        ("POST", "http://127.0.0.1:4000/v1/messages", "router-b", "router-b", False),
        ("POST", "http://127.0.0.1:4000/v1/responses", "router-c", "router-c", False),
        ("GET", "$BASE/v1/models", None, None, True),
        ("GET", "http://localhost:4000/v1/models", None, None, False),
    ]
    assert found[0][1].headers == (("Authorization", "Bearer $T"),)
    src, first = found[0]
    assert src.position(first.start) == (2, 18) and src.position(first.model_start)[0] == 5


def test_client_setups_of_claude_code_and_codex():
    text = ('```bash\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000\nexport ANTHROPIC_DEFAULT_OPUS_MODEL=router-a\n'
            'claude --model router-b -p hi\ncodex -m router-c exec hi\n```\n\n'
            '```toml\nmodel_provider = "fg"\nmodel = "router-d"\n[model_providers.fg]\nbase_url = "http://127.0.0.1:4000/v1"\n'
            '[profiles.fast]\nmodel = "router-e"\n```\n\n```json\n{"model": "router-f", "env": {"ANTHROPIC_MODEL": "router-g"}}\n```\n')
    got = [(s.client, s.field, s.key, s.value, src.text[s.start:s.end]) for src, s in _extract(text)[1]]
    assert got == [
        ("claude", "base_url", "ANTHROPIC_BASE_URL", "http://127.0.0.1:4000", "http://127.0.0.1:4000"),
        ("claude", "model", "ANTHROPIC_DEFAULT_OPUS_MODEL", "router-a", "router-a"),
        ("claude", "model", "--model", "router-b", "router-b"),
        ("codex", "model", "--model", "router-c", "router-c"),
        ("codex", "model", "model", "router-d", "router-d"),
        ("codex", "base_url", "model_providers.fg.base_url", "http://127.0.0.1:4000/v1", "http://127.0.0.1:4000/v1"),
        ("codex", "model", "profiles.fast.model", "router-e", "router-e"),
        ("claude", "model", "model", "router-f", "router-f"),
        ("claude", "model", "ANTHROPIC_MODEL", "router-g", "router-g"),
    ]


def test_nothing_from_a_doc_is_executed(tmp_path):
    marker = tmp_path / "ran"
    doc = f"```bash\ncurl http://127.0.0.1:{{port}}/v1/models $(touch {marker}) `touch {marker}`; touch {marker}\n```\n"
    server = _Hanging()
    try:
        verify(_repo(tmp_path / "repo", server.port, doc), "--timeout", "1", timeout=60)
    finally:
        server.close()
    assert not marker.exists()
    assert os.path.exists(tmp_path / "repo" / "docs" / "setup.md")


OTHER_CLIENTS_DOC = """# Other clients

## OpenCode

```json
{{
  "provider": {{
    "gw": {{"npm": "@ai-sdk/openai-compatible", "options": {{"baseURL": "http://127.0.0.1:{port}/v1"}}}},
    "gwa": {{"npm": "@ai-sdk/anthropic", "options": {{"baseURL": "http://127.0.0.1:{port}"}}}},
    "elsewhere": {{"options": {{"baseURL": "https://openrouter.ai/api/v1"}}}}
  }},
  "model": "gw/router-default",
  "small_model": "gw/router-gone"
}}
```

## Qwen Code

```json
{{"modelProviders": {{"openai": [{{"id": "router-vanished", "baseUrl": "http://127.0.0.1:{port}/v1"}},
                               {{"id": "qwen3-coder-plus", "baseUrl": "https://dashscope.aliyuncs.com/compatible-mode/v1"}}]}}}}
```

## Gemini CLI

```bash
export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:{port}
export GEMINI_MODEL=router-absent
```

## Gemini CLI, straight to Google

```bash
export GEMINI_MODEL=gemini-2.5-pro
```
"""


@pytest.mark.gateway
def test_verify_asks_opencode_qwen_code_and_gemini_cli_setups(gateway, tmp_path):
    root = _repo(tmp_path / "repo", gateway.port, OTHER_CLIENTS_DOC)
    res = verify(root, "--output-format", "json", "--verbose")
    assert res.returncode == 1, res.stdout + res.stderr
    found = {(f["line"], f["code"]): f["message"] for f in json.loads(res.stdout)}
    assert set(found) == {(9, "FG802"), (13, "FG801"), (20, "FG801"), (28, "FG801")}, res.stdout
    assert "OpenCode (@ai-sdk/anthropic) calls" in found[(9, "FG802")] and "POST /messages" in found[(9, "FG802")]
    assert "'router-gone'" in found[(13, "FG801")] and "'router-vanished'" in found[(20, "FG801")]
    assert "'router-absent'" in found[(28, "FG801")]
    # the model sent elsewhere (DashScope, Google) is not asked, and --verbose says why
    assert "docs/setup.md:21: skipped" in res.stderr and "docs/setup.md:34: skipped GEMINI_MODEL gemini-2.5-pro" in res.stderr
