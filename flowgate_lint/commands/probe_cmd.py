"""``flowgate-lint probe``: call the running gateway the way Codex and Claude Code will."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowgate_lint.plumbing.errors import UsageError

if TYPE_CHECKING:
    from flowgate_lint.clients.probe import Probe, Verdict

HELP = "probe a running gateway: /v1/models, /v1/messages/count_tokens, /v1/messages, /v1/responses"
EPILOG = """Exit 0 only when every required endpoint answers 2xx (and /v1/models lists the spec's models).
The token is read from --token-env (default: the spec's token variable) and never printed.
This is the only flowgate-lint command that uses the network, and only toward the gateway URL."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flowgate_lint.commands.specargs import add_spec_arguments

    parser.add_argument("--url", help="gateway root URL (default: from the spec)")
    parser.add_argument("--token-env", metavar="VAR", help="environment variable holding the gateway token")
    parser.add_argument("--model", help="model for the requests (default: the spec's slots)")
    parser.add_argument("--timeout", type=float, default=15.0, metavar="S", help="deadline for each whole request, in seconds (default 15)")
    parser.add_argument("--output-format", choices=["text", "json"], default="text", help="output format (default: text)")
    add_spec_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from flowgate_lint.commands.specargs import load_spec_for
    from flowgate_lint.clients.probe import plan, relate, scrub

    _, spec = load_spec_for(args, Path.cwd())
    base = (args.url or spec.gateway.root_url).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise UsageError(f"--url must be an http(s) URL, got {base!r}")
    var = args.token_env or spec.claude.token_env
    token = os.environ.get(var) or None
    if not args.model and not (spec.claude.model and spec.codex.model):
        raise UsageError("the spec names no model to probe with: pass --model NAME, or set the default model "
                         "(integration.default_model or the default-model setting)")
    expected = sorted({m for m in (spec.claude.model, spec.claude.haiku_model, spec.codex.model) if m}
                      if not args.model else {args.model})
    verdicts = relate([_verdict(p, base, spec, token, expected if p.name == "models" else [], args.timeout)
                       for p in plan(spec, args.model)])
    failed = [v for v in verdicts if not v.ok and v.probe.required]
    shown = scrub(base, token)  # every field below is scrubbed: the token may be anywhere a server put it
    if args.output_format == "json":
        sys.stdout.write(json.dumps({
            "url": shown, "token_env": scrub(var, token), "token_set": token is not None, "ok": not failed,
            "results": [{"endpoint": scrub(f"{v.probe.method} {v.probe.path}", token), "status": v.status,
                         "ms": round(v.ms, 1), "ok": v.ok, "required": v.probe.required,
                         "detail": scrub(v.detail, token), "hint": scrub(v.hint, token)}
                        for v in verdicts]}, indent=2) + "\n")
    else:
        lines = [f"probing {shown} (token from ${var}: {'set' if token else 'not set'})"]
        if base.endswith("/v1"):
            lines.append("note: the URL ends in /v1; the gateway root has no path (Claude Code appends /v1/messages)")
        width = max(len(f"{v.probe.method} {v.probe.path}") for v in verdicts)
        hinted: set[str] = set()  # a hint is said once, under the first endpoint it applies to
        for v in verdicts:
            status = str(v.status) if v.status is not None else "-"
            verdict = "ok" if v.ok else ("FAIL" if v.probe.required else "warn")
            lines.append(f"  {v.probe.method + ' ' + v.probe.path:<{width}}  {status:>4}  {v.ms:7.1f} ms  {verdict:<4}"
                         f"  {scrub(v.detail, token)[:80]}")
            if v.hint and v.hint not in hinted:
                hinted.add(v.hint)
                lines.append(f"  {'':<{width}}  hint: {v.hint}")
        lines.append("All required endpoints answer." if not failed else f"{len(failed)} required endpoint(s) failed.")
        for line in lines:
            print(scrub(line, token))
    return 1 if failed else 0


def _verdict(probe: Probe, base: str, spec: Any, token: str | None, expected: list[str], timeout: float) -> Verdict:
    """One endpoint's verdict; an answer that cannot be read fails that endpoint, not the probe."""
    from flowgate_lint.clients.probe import Verdict, judge, scrub_answer, send

    answer = scrub_answer(send(base, probe, token, timeout), token)  # before judge cuts the body
    try:
        return judge(probe, answer, base, spec, expected)
    except Exception as exc:  # noqa: BLE001 - one unreadable answer must not lose the other endpoints' results
        return Verdict(probe, answer.status, answer.seconds * 1000, False,
                       f"unreadable answer ({type(exc).__name__})", "")
