"""``flowgate-lint verify``: ask the running gateway about every client setup and request the docs show.

The docs are read as lint reads them (the same discovery, settings, frames and judgement); what they tell a
user to send to the live gateway (``judgement.requests``) is turned into the cheapest questions that prove it,
each asked once: ``GET /v1/models`` (the documented models are listed), the documented routes (an empty JSON
object answers 400/401/422 when the route exists, 404/405 when not), ``count_tokens`` for the documented Claude
models, and a one-token completion only with ``--allow-completions``. Failures are findings of the live rules
(FG8xx, ``rules/verify.py``) at the doc line, reported like lint's. The HTTP is probe's (``clients.probe.send``):
only the gateway URL, no redirect followed, a deadline per request, the token never printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NamedTuple

from flowgate_lint.plumbing.errors import EXIT_ERROR, UsageError

HELP = "check the docs' client setups and requests against the running gateway (models, routes, count_tokens)"
EPILOG = """Findings (FG8xx) and exit codes as lint: 0 none, 1 findings, 2 usage error or no answer from the gateway.
Only the gateway URL is contacted (the spec's root URL, loopback only unless --url names another host); a
redirect is never followed; the token (--token-env, default the spec's token variable) is never printed; no
command from a doc is executed (requests are parsed and re-issued). See docs/verify.md."""

MAX_REQUESTS = 200
_SAFE_METHODS = frozenset({"GET", "HEAD", "POST"})
_PING = [{"role": "user", "content": "ping"}]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flowgate_lint.commands.specargs import add_spec_arguments
    from flowgate_lint.report import FORMATS

    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories whose docs to verify (default: .)")
    net = parser.add_argument_group("gateway")
    net.add_argument("--url", help="the running gateway's root URL (default: the spec's; another host than loopback "
                     "only when named here)")
    net.add_argument("--token-env", metavar="VAR", help="environment variable holding the gateway token (default: the "
                     "spec's token variable)")
    net.add_argument("--timeout", type=float, default=10.0, metavar="S",
                     help="deadline for each whole request, in seconds (default 10)")
    net.add_argument("--max-requests", type=int, default=MAX_REQUESTS, metavar="N",
                     help=f"ask at most N requests (default {MAX_REQUESTS})")
    net.add_argument("--allow-completions", action="store_true",
                     help="also send a one-token completion for each documented model (FG804; costs a request upstream)")
    out = parser.add_argument_group("output")
    out.add_argument("--output-format", choices=sorted(FORMATS), default=None, help="as lint's (full, concise, json, "
                     "github, sarif)")
    out.add_argument("--output-file", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("--color", choices=["auto", "always", "never"], default="auto", help="colour full and concise output")
    out.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    out.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    add_spec_arguments(parser, writes_cache=False)


class Where(NamedTuple):
    """A place in a doc that tells the user something, and what."""

    src: Any
    start: int
    end: int
    what: str  # for messages and --verbose: "ANTHROPIC_MODEL", "curl POST .../v1/count_tokens"


class Question(NamedTuple):
    kind: str  # "route", "count_tokens", "completion"
    method: str
    path: str
    body: Any
    anthropic: bool
    token: bool  # send the token


def _namespace(args: argparse.Namespace) -> Any:
    """What lint's helpers read, from verify's arguments."""
    from types import SimpleNamespace

    from flowgate_lint.commands.lint import DEFAULTS

    values = {k: list(v) if isinstance(v, list) else v for k, v in DEFAULTS.items()}
    for key in ("paths", "output_format", "output_file", "color", "quiet", "exit_zero", "spec", "config", "isolated",
                "no_cache", "verbose"):
        values[key] = getattr(args, key)
    return SimpleNamespace(**values)


def _origin(args: argparse.Namespace, spec: Any) -> str:
    from urllib.parse import urlsplit

    from flowgate_lint.judgement.urls import is_loopback

    raw = (args.url or spec.gateway.root_url).strip()
    try:
        url = urlsplit(raw)
        port = url.port
    except ValueError as exc:
        raise UsageError(f"--url is not a URL ({exc})") from None
    if url.scheme not in ("http", "https") or not url.hostname:
        raise UsageError(f"--url must be an http(s) URL, got {raw!r}")
    if not args.url and not is_loopback(url.hostname):
        raise UsageError(f"the spec's gateway {url.hostname} is not on loopback: name it with --url to verify against it")
    host = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
    return f"{url.scheme}://{host}" + (f":{port}" if port else "")  # credentials in --url are dropped


def run(args: argparse.Namespace) -> int:
    from flowgate_lint.commands import lint
    from flowgate_lint.clients.probe import scrub
    from flowgate_lint.report import Report

    if args.timeout <= 0 or args.max_requests < 1:
        raise UsageError("--timeout and --max-requests must be positive")
    ns = _namespace(args)
    ctx, settings, paths = lint.build_context(ns)
    origin = _origin(args, ctx.spec)
    var = args.token_env or ctx.spec.claude.token_env
    token = os.environ.get(var) or None
    codes = _selected(settings)
    candidates, problems = lint.discover_files(ns, ctx, settings, paths)
    collected = _collect(candidates, ctx)
    asker = _Asker(origin, token, args.timeout, args.max_requests)
    findings: list = []
    failure = ""
    try:
        findings = _verify(collected, asker, origin, token, args.allow_completions, codes, findings)
    except _NoAnswer as exc:
        failure = str(exc)
    findings = _filtered(findings, ctx, collected.hosts)
    findings = [f._replace(message=scrub(f.message, token)) for f in findings]
    report = lint.human_report(ns, Report(findings, problems + collected.errors, len(collected.hosts), ctx.spec), ctx,
                               candidates)
    if args.verbose:
        for line in [text for *_, text in sorted(collected.skipped)] + asker.log:
            print(scrub(line, token), file=sys.stderr)
    lint.emit(ns, report)
    if not args.quiet:
        note = f"; {len(collected.skipped)} documented value(s) skipped (--verbose says why)" if collected.skipped else ""
        capped = f"; the cap of {args.max_requests} was reached, {asker.unasked} question(s) not asked" if asker.unasked else ""
        print(scrub(f"flowgate-lint verify: {asker.sent} request(s) to {origin} (token from ${var}: "
                    f"{'set' if token else 'not set'}){capped}{note}", token), file=sys.stderr)
    if failure:  # the questions after it were not asked: the docs are not verified
        print(scrub(f"flowgate-lint verify: the gateway at {origin} did not answer as expected ({failure}); "
                    "is it running (--url)?", token), file=sys.stderr)
        return EXIT_ERROR
    return lint.exit_code(ns, report)


def _selected(settings: Any) -> frozenset[str]:
    from flowgate_lint.rules import select_codes

    return frozenset(select_codes(settings.get("select"), list(settings.get("extend-select", []) or []),
                                  list(settings.get("ignore", []) or []), preview=True, live=True))


# ----------------------------------------------------------------------------------------------- what docs say

class Collected(NamedTuple):
    models: dict  # (client, model) -> [Where]
    routes: dict  # (method, path) -> [Where]
    skipped: list  # --verbose lines
    errors: list  # FileErrors of unreadable files
    hosts: dict  # path -> HostFile


def _collect(candidates: list, ctx: Any) -> Collected:
    from flowgate_lint.documents.findings import FileError
    from flowgate_lint.lint.engine import decode_host, read_raw, sources_of

    models: dict = {}
    routes: dict = {}
    skipped: list[str] = []
    errors: list = []
    hosts: dict = {}
    for cand in candidates:
        raw = read_raw(cand.path, cand.rel)
        if isinstance(raw, FileError):
            errors.append(raw)
            continue
        host = decode_host(raw, cand.rel, cand.kind, str(cand.path), cand.rel == ctx.spec_rel)
        if isinstance(host, FileError):
            errors.append(host)
            continue
        if host.is_spec:
            continue
        try:
            sources = sources_of(host)
            found = _from_host(host, sources, ctx, models, routes, skipped)
        except RecursionError:
            errors.append(FileError(host.path, "too deeply nested to read"))
            continue
        if found:
            hosts[host.path] = host
    return Collected(models, routes, skipped, errors, hosts)


def _from_host(host: Any, sources: list, ctx: Any, models: dict, routes: dict, skipped: list) -> bool:
    from urllib.parse import urlsplit

    from flowgate_lint.judgement.requests import requests, setups

    found = False

    def skip(src: Any, offset: int, what: str, why: str) -> None:
        line = src.position(offset)[0]
        skipped.append((host.path, line, f"{host.path}:{line}: skipped {what}: {why}"))

    for src in sources:
        for req in requests(src):
            found = True
            what = f"curl {req.method} {req.url}"
            why = "the URL is built from a variable" if req.reference else _not_live(src, ctx, req.start, req.end, url=True)
            if why:
                skip(src, req.start, what, why)
                continue
            path = urlsplit(req.url if "://" in req.url else "http://" + req.url).path or "/"
            if req.method not in _SAFE_METHODS:
                skip(src, req.start, what, f"{req.method} is not sent (it could change the gateway)")
            else:
                routes.setdefault((req.method, path), []).append(Where(src, req.start, req.end, what))
            if req.model is not None:
                where = (req.model_start, req.model_end) if req.model_start >= 0 else (req.start, req.end)
                models.setdefault(("body", req.model), []).append(Where(src, *where, f"the request body's model '{req.model}'"))
        live_bases: set[tuple[str, str]] = set()  # (client, provider key) whose base URL is the live gateway
        # base URLs first: a model of OpenCode, Qwen Code or Gemini CLI counts only beside its provider's
        for st in sorted(setups(src), key=lambda s: s.field != "base_url"):
            found = True
            what = f"{st.key} {st.value}"
            if st.field == "base_url":
                why = _not_live(src, ctx, st.start, st.end, url=True, key=_BASE_KEYS.get(st.client, st.key.rsplit(".", 1)[-1]))
                if why:
                    skip(src, st.start, what, why)
                    continue
                live_bases.add((st.client.split("-")[0], st.key))
                suffix, name = _CALLS[st.client]
                if suffix is None:
                    continue  # Gemini CLI's path names the model: its models are asked instead
                path = urlsplit(st.value).path.rstrip("/") + suffix
                label = f"{name} calls {st.value.rstrip('/')}{suffix}"
                routes.setdefault(("POST", path), []).append(Where(src, st.start, st.end, label))
                continue
            if st.client in _NEEDS_BASE:
                provider = st.key if st.client != "gemini" else "GOOGLE_GEMINI_BASE_URL"
                if (st.client, provider) not in live_bases:
                    skip(src, st.start, what, "the same file or block does not point this client's provider at the gateway")
                    continue
                why = _not_live(src, ctx, st.start, st.end) or (
                    None if st.value.strip() and not _reference(st.value) else "a reference, not a model name")
            else:
                why = _model_not_live(src, ctx, st)
            if why:
                skip(src, st.start, what, why)
                continue
            models.setdefault((st.client, st.value.strip()), []).append(Where(src, st.start, st.end, st.key))
    return found


# The path each client appends to its base URL, and how messages name it (None: the path names the model).
_CALLS = {"claude": ("/v1/messages", "Claude Code"), "codex": ("/responses", "Codex"),
          "opencode": ("/chat/completions", "OpenCode"), "opencode-anthropic": ("/messages", "OpenCode (@ai-sdk/anthropic)"),
          "qwen": ("/chat/completions", "Qwen Code"), "gemini": (None, "Gemini CLI")}
# The key the judgement knows each client's base URL by.
_BASE_KEYS = {"opencode": "baseURL", "opencode-anthropic": "baseURL", "qwen": "baseUrl",
              "gemini": "GOOGLE_GEMINI_BASE_URL"}
# Clients whose model counts only beside their own provider's base URL on the gateway, in the same file or block.
_NEEDS_BASE = frozenset({"opencode", "qwen", "gemini"})


def _reference(value: str) -> bool:
    from flowgate_lint.documents.scan import is_reference

    return is_reference(value)


def _not_live(src: Any, ctx: Any, start: int, end: int, url: bool = False, key: str | None = None) -> str | None:
    """Why the value at ``src.text[start:end]`` is not about the live gateway, or None."""
    from flowgate_lint import judgement as context

    if context.is_history(src.path, ctx):
        return "a history file"
    section = context.section_at(src, ctx, start)
    if section.history:
        return f"a history section ('{section.title}')"
    frame = context.frame_at(src, ctx, start)
    if not frame.live:
        return f"{frame.kind} ({frame.evidence})"
    local = context.own_example(section, ctx)
    if local is not None:
        return f"an example with its own gateway config (line {local.line})"
    if url:
        target = context.judge(src, ctx, start, end, key=key)
        if target.quoted:
            return f"quoted on purpose ({target.reason})"
        if not target.is_gateway:
            return f"not the gateway ({target.kind}: {target.reason})"
    return None


def _model_not_live(src: Any, ctx: Any, st: Any) -> str | None:
    from flowgate_lint import judgement as context
    from flowgate_lint.documents.scan import is_reference
    from flowgate_lint.rules.models import CLAUDE_ALIASES

    value = st.value.strip()
    if not value or is_reference(value):
        return "a reference, not a model name"
    if st.client == "claude" and value in CLAUDE_ALIASES:
        return "a Claude Code alias (the slots name the model)"
    why = _not_live(src, ctx, st.start, st.end)
    if why:
        return why
    if context.NATIVE_MODEL_ID.match(value):
        return "a cloud provider's model id"
    if context.client_models(src, ctx, st.start, st.client) is None:
        return "not sent to the gateway (its block or section points the client elsewhere)"
    return None


# ------------------------------------------------------------------------------------------------- questions

class _NoAnswer(Exception):
    """The gateway did not answer: the rest of the questions would only wait for their deadlines."""


class _Asker:
    """Asks each distinct question once, at most ``cap`` in all, only at ``origin``."""

    def __init__(self, origin: str, token: str | None, timeout: float, cap: int) -> None:
        self.origin, self.token, self.timeout, self.cap = origin, token, timeout, cap
        self.sent = 0
        self.unasked = 0
        self.log: list[str] = []
        self._answers: dict = {}

    def ask(self, q: Question) -> Any:
        """The answer (``clients.probe.Answer``, scrubbed), None when the cap is reached; raises _NoAnswer."""
        from urllib.parse import urlsplit

        from flowgate_lint.clients.probe import Probe, scrub_answer, send

        key = (q.method, q.path, repr(q.body), q.anthropic, q.token)
        if key in self._answers:
            return self._answers[key]
        path = "/" + q.path.lstrip("/")
        where = urlsplit(self.origin + path)
        home = urlsplit(self.origin)
        if (where.hostname, where.port, where.scheme) != (home.hostname, home.port, home.scheme):
            self.log.append(f"flowgate-lint verify: not asked: {q.method} {path} (would leave {self.origin})")
            return None
        if self.sent >= self.cap:
            self.unasked += 1
            return None
        self.sent += 1
        answer = scrub_answer(send(self.origin, Probe(q.kind, q.method, path, q.body, q.anthropic, False),
                                   self.token if q.token else None, self.timeout), self.token)
        status = answer.status if answer.status is not None else "-"
        self.log.append(f"flowgate-lint verify: {q.method} {path} -> {status} ({answer.seconds * 1000:.0f} ms)")
        if answer.status is None:
            raise _NoAnswer(f"no answer to {q.method} {path}: {answer.error}")
        self._answers[key] = answer
        return answer


def _verify(collected: Collected, asker: _Asker, origin: str, token: str | None, completions: bool,
            codes: frozenset[str], findings: list) -> list:
    """The findings of every question, appended to ``findings`` as they come (kept when the gateway stops
    answering part way)."""
    from flowgate_lint.clients.probe import listed_models
    from flowgate_lint.judgement.urls import is_client_path
    from flowgate_lint.rules.verify import CompletionFails, CountTokensFails, ModelNotListed, RouteMissing
    from flowgate_lint.spec.model import model_served

    served: dict = {}  # (client, model) -> listed?
    if collected.models:
        answer = asker.ask(Question("models", "GET", "/v1/models", None, False, True))
        if answer is not None:
            if not 200 <= answer.status < 300:
                raise _NoAnswer(f"GET /v1/models answered {answer.status}"
                                + (" (the token was rejected: pass --token-env VAR)" if answer.status in (401, 403) else "")
                                + f": {answer.body[:160].decode('utf-8', 'replace')}")
            listed, problem = listed_models(answer.body)
            if listed is None:
                raise _NoAnswer(f"GET /v1/models: {problem}")
            names = sorted(listed)
            shown = ", ".join(names[:12]) + (f", and {len(names) - 12} more" if len(names) > 12 else "")
            for (client, model), places in collected.models.items():
                served[(client, model)] = ok = model_served(model, tuple(names))
                if not ok and ModelNotListed.code in codes:
                    for w in places:
                        findings.append(w.src.finding(ModelNotListed, w.start, w.end,
                                                      f"the gateway at {origin} does not list model '{model}' "
                                                      f"(it lists {shown or 'no model'})"))
    for (method, path), places in collected.routes.items():
        if RouteMissing.code not in codes:
            break
        client = is_client_path(path)
        body = {} if method == "POST" else None
        answer = asker.ask(Question("route", method, path, body, "/messages" in path, client))
        if answer is not None and answer.status in (404, 405):
            for w in places:
                findings.append(w.src.finding(RouteMissing, w.start, w.end,
                                              f"{w.what}: the gateway at {origin} answers {answer.status} on "
                                              f"{method} {path} (no such route)"))
    claude = [(c, m) for (c, m), ok in served.items() if ok and c == "claude"]
    if claude and CountTokensFails.code in codes:
        results = {}
        for key in claude:
            answer = asker.ask(Question("count_tokens", "POST", "/v1/messages/count_tokens",
                                        {"model": key[1], "messages": _PING}, True, True))
            if answer is not None:
                results[key] = answer
        if any(200 <= a.status < 300 for a in results.values()):
            for key, answer in results.items():
                if not 200 <= answer.status < 300:
                    for w in collected.models[key]:
                        findings.append(w.src.finding(CountTokensFails, w.start, w.end,
                                                      f"count_tokens fails for model '{key[1]}' on the gateway at "
                                                      f"{origin} ({answer.status}) while it answers for other models: "
                                                      "Claude Code estimates this model's context locally"))
    if completions and CompletionFails.code in codes:
        for (client, model), ok in served.items():
            if not ok:
                continue
            if client == "codex":
                q = Question("completion", "POST", "/v1/responses", {"model": model, "input": "ping",
                                                                      "max_output_tokens": 16}, False, True)
            else:
                q = Question("completion", "POST", "/v1/messages", {"model": model, "max_tokens": 1,
                                                                     "messages": _PING}, True, True)
            answer = asker.ask(q)
            if answer is not None and not 200 <= answer.status < 300:
                detail = answer.body[:120].decode("utf-8", "replace").replace("\n", " ")
                for w in collected.models[(client, model)]:
                    findings.append(w.src.finding(CompletionFails, w.start, w.end,
                                                  f"a one-token completion with model '{model}' fails on the gateway "
                                                  f"at {origin}: {q.method} {q.path} answered {answer.status} {detail}"))
    return findings


def _filtered(findings: list, ctx: Any, hosts: dict) -> list:
    """Without the findings a suppression comment or a per-file ignore covers, sorted and deduplicated."""
    from flowgate_lint.documents.findings import Finding
    from flowgate_lint.lint.engine import suppressed

    by_host: dict = {}
    for f in findings:
        by_host.setdefault(f.path, []).append(f)
    out = []
    for path, found in by_host.items():
        host = hosts.get(path)
        if host is not None:
            found, _ = suppressed(host, host.whole(), found)
        out.extend(f for f in found if not ctx.ignored_by_path(f))
    return sorted(set(out), key=Finding.sort_key)

