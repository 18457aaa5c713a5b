"""Live gateway probe: the only network code in flowgate-lint, and only toward the URL it is given.

``plan`` and ``judge`` are pure (what to send, how to read the answer, which hint to give);
``send`` does the HTTP with the standard library's ``http.client``: no proxy (the request goes
exactly where it was told), no redirect followed (a redirect is reported as what it is: following
it would send the token to another host), and ``timeout`` is a deadline for the whole request
(connect, send, headers and body), so a server that trickles its answer cannot hold a probe longer.
Credentials in the URL (``user:password@``) are not sent. ``scrub_answer`` takes the token out of an
answer (body, error, Location) before anything reads it, and ``scrub`` out of any text shown.
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any, NamedTuple

ANTHROPIC_VERSION = "2023-06-01"
REDACTED = "<redacted>"
_RUN = 8  # an echoed piece of the token this long is redacted (shorter pieces tell nothing)


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
    location: str = ""  # a redirect's Location header (never followed)


class Verdict(NamedTuple):
    probe: Probe
    status: int | None
    ms: float
    ok: bool
    detail: str
    hint: str


def _spellings(token: str) -> list[str]:
    """The token as a server may echo it: raw, percent-encoded (a Location's path or query), JSON-escaped."""
    from urllib.parse import quote, quote_plus

    out = [token, quote(token, safe=""), quote_plus(token), json.dumps(token)[1:-1]]
    return sorted(set(out), key=len, reverse=True)


def scrub(text: str, token: str | None) -> str:
    """``text`` with the token and every run of ``_RUN`` or more of its characters (a cut or partial echo)
    replaced by ``<redacted>``."""
    if not token or not text:
        return text
    for spelling in _spellings(token):
        if len(spelling) < _RUN:
            text = text.replace(spelling, REDACTED)
            continue
        spans = []  # every place a piece of the token sits; overlapping and touching pieces make one run
        for piece in {spelling[i:i + _RUN] for i in range(len(spelling) - _RUN + 1)}:
            at = text.find(piece)
            while at >= 0:
                spans.append((at, at + _RUN))
                at = text.find(piece, at + 1)
        if not spans:
            continue
        out, last = [], 0
        for start, end in sorted(spans):
            if start > last or not out:
                out.append(text[last:start])
                out.append(REDACTED)
            last = max(last, end)
        out.append(text[last:])
        text = "".join(out)
    return text


def scrub_answer(answer: Answer, token: str | None) -> Answer:
    """``answer`` with the token out of its body (all of it, before anything cuts it), error and Location."""
    if not token:
        return answer
    body = answer.body
    if body:
        text = body.decode("utf-8", "replace")
        clean = scrub(text, token)
        if clean != text:
            body = clean.encode("utf-8")
    return answer._replace(body=body, error=scrub(answer.error, token), location=scrub(answer.location, token))


def plan(spec: Any, model: str | None = None) -> list[Probe]:
    claude_model = model or spec.claude.model
    codex_model = model or spec.codex.model
    msgs = [{"role": "user", "content": "ping"}]
    return [
        Probe("readiness", "GET", "/health/readiness", None, False, spec.gateway.service == "litellm"),
        Probe("models", "GET", "/v1/models", None, False, True),
        # Not required: without it Claude Code estimates its context locally, with no visible error.
        Probe("count_tokens", "POST", "/v1/messages/count_tokens", {"model": claude_model, "messages": msgs}, True, False),
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
    if 300 <= status < 400:
        where = answer.location or "(no Location header)"
        return Verdict(probe, status, ms, False, f"redirect to {where}",
                       f"the gateway answered with a redirect to {where}; probe does not follow redirects (the token "
                       "would be sent there too): pass the URL that answers directly with --url")
    if 200 <= status < 300:
        if probe.name == "models" and expected_models:
            listed, problem = listed_models(answer.body)
            if listed is None:
                return Verdict(probe, status, ms, False, problem,
                               "the gateway's /v1/models answer is not an OpenAI model list: is this the gateway?")
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


def listed_models(body: bytes) -> tuple[set[str] | None, str]:
    """The model ids a ``/v1/models`` answer lists (``{"data": [{"id": ...}, ...]}``), or None and why not."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: a megabyte of "["
        return None, "the answer is not JSON"
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return None, "the answer has no model list (\"data\" is not a list)"
    ids = set()
    for n, entry in enumerate(entries):
        model_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(model_id, str):
            return None, f"model list entry {n} has no string \"id\""
        ids.add(model_id)
    return ids, ""


def relate(verdicts: list[Verdict]) -> list[Verdict]:
    """Hints that depend on another endpoint's answer: a count_tokens 404 beside a /v1/messages that answered
    is the missing route, not a wrong base URL."""
    messages_ok = any(v.probe.name == "messages" and v.ok for v in verdicts)
    return [v._replace(hint="the gateway serves /v1/messages but not /v1/messages/count_tokens: Claude Code works, "
                            "but estimates its context locally (/context); a gateway release with the route fixes it")
            if v.probe.name == "count_tokens" and v.status == 404 and messages_ok else v
            for v in verdicts]


def send(base: str, probe: Probe, token: str | None, timeout: float) -> Answer:
    """One request, answered within ``timeout`` seconds in all, or a timeout error."""
    import http.client
    import threading
    from urllib.parse import urlsplit

    start = time.perf_counter()

    def answer(status: int | None, body: bytes = b"", error: str = "", location: str = "") -> Answer:
        return Answer(status, body, error, time.perf_counter() - start, location)

    try:
        url = urlsplit(base.rstrip("/") + probe.path)
        host, port = url.hostname, url.port
    except ValueError as exc:
        return answer(None, error=f"invalid URL: {exc}")
    if not host or url.scheme not in ("http", "https"):
        return answer(None, error="not an http(s) URL")
    cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    conn = cls(host, port, timeout=timeout)
    conn.response_class = _final_response_class()
    expired = threading.Event()

    def expire() -> None:  # the deadline: unblock whatever the request is waiting for
        expired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(2)  # SHUT_RDWR
            except OSError:
                pass

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    headers = {"content-type": "application/json"}  # Host comes from host and port: the userinfo is never sent
    if token:
        headers["Authorization"] = f"Bearer {token}"
        headers["x-api-key"] = token
    if probe.anthropic:
        headers["anthropic-version"] = ANTHROPIC_VERSION
    body = json.dumps(probe.body).encode() if probe.body is not None else None
    timer.start()
    try:
        conn.request(probe.method, (url.path or "/") + (f"?{url.query}" if url.query else ""), body=body, headers=headers)
        resp = conn.getresponse()
        limit = 1 << 20 if 200 <= resp.status < 300 else 1 << 16
        chunks, size = [], 0
        while size < limit and not expired.is_set():
            chunk = resp.read1(min(65536, limit - size)) if hasattr(resp, "read1") else resp.read(min(65536, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if expired.is_set():
            raise TimeoutError
        location = resp.getheader("location", "") if 300 <= resp.status < 400 else ""
        return answer(resp.status, b"".join(chunks), location=location)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            return answer(None, error=f"no complete answer within {timeout:g} s (timed out)")
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return answer(None, error=str(reason))
    finally:
        timer.cancel()
        conn.close()


@functools.lru_cache(maxsize=1)
def _final_response_class() -> type:
    """Defined on first use: ``http.client`` is imported only when a probe is sent."""
    import http.client

    class FinalResponse(http.client.HTTPResponse):
        """A response that skips interim answers (``103 Early Hints`` and other 1xx but 101), as it skips ``100``:
        the final answer is the one that counts."""

        def _read_status(self) -> tuple[str, int, str]:
            while True:
                version, status, reason = super()._read_status()
                if not 100 < status < 200 or status == 101:
                    return version, status, reason
                http.client.parse_headers(self.fp)  # the interim answer's headers, then the next status line

    return FinalResponse
