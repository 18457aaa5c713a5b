"""FG3xx: gateway URLs and the clients' base URLs."""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import urlsplit

from flowgate_lint.findings import SAFE, UNSAFE, Finding, Fix
from flowgate_lint.rules import Rule, register
from flowgate_lint.scan import assignments, is_reference, replace_value
from flowgate_lint.source import Source

ALL_KINDS = frozenset({"markdown", "shell", "toml", "json", "yaml", "dotenv"})
LOOPBACK = ("127.0.0.1", "localhost", "0.0.0.0", "::1", "[::1]")


def targets_gateway(host: str | None, spec: Any) -> bool:
    """A host that means 'this machine's gateway': loopback, or the spec's host."""
    if not host:
        return False
    host = host.strip("[]").lower()
    return host in ("127.0.0.1", "localhost", "0.0.0.0", "::1") or host.startswith("127.") or host == spec.gateway.host.strip("[]").lower()


@register
class ClaudeBaseUrl(Rule):
    """## What it does
    Checks every `ANTHROPIC_BASE_URL` (shell exports, dotenv files, the `env` block of
    a Claude Code `settings.json`, YAML and TOML configs, Markdown prose and inline
    code) against the spec: it must be the gateway **root**, `http://HOST:PORT`,
    with no path.

    ## Why is this bad?
    Claude Code appends `/v1/messages` to `ANTHROPIC_BASE_URL` itself. A base URL
    ending in `/v1` makes it request `/v1/v1/messages`, which the gateway answers
    with 404; Claude Code then reports "There's an issue with the selected model
    ... It may not exist or you may not have access to it", blaming the model
    instead of the URL. A wrong host or port simply points at nothing.

    ## Example
    ```sh
    export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1
    ```

    Use instead:
    ```sh
    export ANTHROPIC_BASE_URL=http://127.0.0.1:4000
    ```

    ## Fix
    Safe when the URL targets the gateway (a loopback host or the spec's host):
    the value is replaced by the spec's root URL, keeping its quoting. Only the
    value changes; a trailing `/v1` is dropped as a path segment, never as a
    substring elsewhere. Unsafe when the URL names another host, which may be a
    deliberate remote gateway.

    ## References
    - Claude Code LLM gateway docs: the base URL is the root, Claude Code adds `/v1/messages`.
    - LiteLLM Claude Code setup: `ANTHROPIC_BASE_URL=http://localhost:4000`.
    """

    code = "FG302"
    name = "claude-base-url-not-gateway-root"
    summary = "ANTHROPIC_BASE_URL is not the gateway root (trailing /v1, wrong host or port)"
    kinds = ALL_KINDS
    fixable = True
    triggers = ("ANTHROPIC_BASE_URL",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        expected = ctx.spec.claude.base_url
        for a in assignments(src):
            if a.name != "ANTHROPIC_BASE_URL" or is_reference(a.value):
                continue
            value = a.value.strip()
            if value.rstrip("/") == expected:
                continue
            try:
                parts = urlsplit(value)
                host, port, path = parts.hostname, parts.port, parts.path.rstrip("/")
            except ValueError:
                host, port, path = None, None, ""
            problems = []
            if path.endswith("/v1") or path == "/v1":
                problems.append("ends in /v1 (Claude Code appends /v1/messages itself, so requests go to /v1/v1/messages)")
            elif "/v1/messages" in path:
                problems.append("includes /v1/messages (Claude Code appends it itself)")
            elif path:
                problems.append(f"has a path ({path}); the gateway root has none")
            if port != ctx.spec.gateway.port and host is not None:
                problems.append(f"port {port if port is not None else '(default)'} is not the gateway's {ctx.spec.gateway.port}")
            if host is not None and host != ctx.spec.gateway.host and not targets_gateway(host, ctx.spec):
                problems.append(f"host {host} is not the gateway's {ctx.spec.gateway.host}")
            elif host is not None and host != ctx.spec.gateway.host.strip("[]"):
                problems.append(f"host {host} differs from the spec's {ctx.spec.gateway.host}")
            if host is None:
                problems.append("is not an http(s) URL")
            applicability = SAFE if targets_gateway(host, ctx.spec) else UNSAFE
            fix = Fix((replace_value(src, a, expected),), applicability, f"Set ANTHROPIC_BASE_URL to {expected}")
            yield src.finding(self, a.start, a.end,
                              f"ANTHROPIC_BASE_URL {value} " + "; ".join(problems) + f"; use {expected}", fix)
