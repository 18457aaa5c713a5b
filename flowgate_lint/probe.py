"""Live gateway probe: the only network code in flowgate-lint, and only toward the URL it is given.

``plan`` and ``judge`` are pure (what to send, how to read the answer, which hint to give);
``send`` does the HTTP with the standard library, ignoring proxy settings so the request
goes exactly where it was told.
"""

from __future__ import annotations

import json
import time
from typing import Any, NamedTuple

ANTHROPIC_VERSION = "2023-06-01"


class Probe(NamedTuple):
    name: str
    method: str
    path: str
    body: dict | None
    anthropic: bool  # send anthropic-version
    required: bool


class Answer(NamedTuple):
    status: int | None  # None: no HTTP answer
    body: bytes
    error: str  # connection error text, "" on an HTTP answer
    seconds: float


class Verdict(NamedTuple):
    probe: Probe
    status: int | None
    ms: float
    ok: bool
    detail: str
    hint: str


def plan(spec: Any, model: str | None = None) -> list[Probe]:
    claude_model = model or spec.claude.model
    codex_model = model or spec.codex.model
    msgs = [{"role": "user", "content": "ping"}]
    return [
        Probe("readiness", "GET", "/health/readiness", None, False, spec.gateway.service == "litellm"),
        Probe("models", "GET", "/v1/models", None, False, True),
        Probe("count_tokens", "POST", "/v1/messages/count_tokens", {"model": claude_model, "messages": msgs}, True, True),
        Probe("messages", "POST", "/v1/messages", {"model": claude_model, "max_tokens": 8, "messages": msgs}, True, True),
        Probe("responses", "POST", "/v1/responses", {"model": codex_model, "input": "ping", "max_output_tokens": 16},
              False, True),
    ]


def judge(probe: Probe, answer: Answer, base: str, spec: Any, expected_models: list[str]) -> Verdict:
    ms = answer.seconds * 1000
    if answer.status is None:
        refused = "refused" in answer.error.lower() or "errno 111" in answer.error.lower()
        hint = (f"nothing listens at {base}: the gateway is not started, or the port is wrong (the spec says "
                f"{spec.gateway.root_url})") if refused else f"no HTTP answer ({answer.error})"
        return Verdict(probe, None, ms, False, answer.error, hint)
    status = answer.status
    if 200 <= status < 300:
        if probe.name == "models" and expected_models:
            try:
                listed = {m.get("id") for m in json.loads(answer.body).get("data", []) if isinstance(m, dict)}
            except (ValueError, AttributeError):
                listed = set()
            missing = [m for m in expected_models if m not in listed]
            if missing:
                return Verdict(probe, status, ms, False, f"missing: {', '.join(missing)}",
                               f"the gateway does not list {', '.join(missing)}: add it to model_list or fix the spec's "
                               "model slots")
            return Verdict(probe, status, ms, True, f"lists {', '.join(expected_models)}", "")
        return Verdict(probe, status, ms, True, "", "")
    text = answer.body[:2000].decode("utf-8", "replace").lower()
    auth_error = any(w in text for w in ("auth", "api key", "api_key", "invalid token", "no connected db"))
    if status in (401, 403) or (status == 400 and auth_error):
        hint = "the gateway rejected the token: pass --token-env VAR (sent as Authorization: Bearer)"
    elif status == 404 and probe.anthropic:
        hint = ("404 on the Anthropic API: the gateway does not serve /v1/messages, or the base URL carries /v1 "
                "(Claude Code appends /v1/messages itself; ANTHROPIC_BASE_URL must be the root)")
        if base.rstrip("/").endswith("/v1"):
            hint = f"the base URL ends in /v1, so this went to {base.rstrip('/')}{probe.path}: use the gateway root"
    elif status == 404 and probe.name == "responses":
        hint = "404 on /v1/responses: Codex (wire_api = \"responses\") cannot use this gateway"
    elif status == 404:
        hint = "404: wrong base URL, or not this gateway" + (" (the URL ends in /v1)" if base.rstrip("/").endswith("/v1") else "")
    elif status >= 500:
        hint = "gateway error: check its log (upstream unreachable, model misconfigured)"
    elif status == 400:
        hint = "bad request: the model name may be unknown to the gateway"
    else:
        hint = ""
    detail = answer.body[:200].decode("utf-8", "replace").replace("\n", " ")
    return Verdict(probe, status, ms, False, detail, hint)


def send(base: str, probe: Probe, token: str | None, timeout: float) -> Answer:
    import urllib.error
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    data = json.dumps(probe.body).encode() if probe.body is not None else None
    req = urllib.request.Request(base.rstrip("/") + probe.path, data=data, method=probe.method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
        req.add_header("x-api-key", token)
    if probe.anthropic:
        req.add_header("anthropic-version", ANTHROPIC_VERSION)
    start = time.perf_counter()
    try:
        with opener.open(req, timeout=timeout) as resp:
            return Answer(resp.status, resp.read(1 << 20), "", time.perf_counter() - start)
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read(1 << 16) if exc.fp else b"", "", time.perf_counter() - start)
    except urllib.error.URLError as exc:
        return Answer(None, b"", str(exc.reason), time.perf_counter() - start)
    except (OSError, ValueError) as exc:
        return Answer(None, b"", str(exc), time.perf_counter() - start)
