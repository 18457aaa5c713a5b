"""FG3xx: gateway URLs and the clients' base URLs."""

from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import urlsplit

from flowgate_lint.findings import SAFE, UNSAFE, Finding, Fix
from flowgate_lint.rules import Rule, register
from flowgate_lint.scan import assignments, is_reference, replace_value, text_pieces
from flowgate_lint.source import ParseError, Source

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
    skip_history = True
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


# Ports of well-known local services that are not an LLM gateway (Ollama, LM Studio, databases...).
OTHER_SERVICE_PORTS = frozenset({11434, 1234, 5432, 3306, 6379, 27017, 9200, 9090})

_URL = re.compile(r"\bhttps?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?(/[^\s\"'`<>)\]},;|]*)?")
_HOSTPORT = r"(?<![\w/.:@-])({hosts}):(\d{{2,5}})\b(?![\w.-])"


def _hostport_regex(spec: Any) -> re.Pattern[str]:
    hosts = [r"localhost", r"127\.\d{1,3}\.\d{1,3}\.\d{1,3}", r"0\.0\.0\.0", r"\[::1\]"]
    if spec.gateway.host not in ("127.0.0.1", "localhost"):
        hosts.append(re.escape(spec.gateway.host))
    return re.compile(_HOSTPORT.format(hosts="|".join(hosts)), re.I)


def owned_spans(src: Source) -> list[tuple[int, int]]:
    """Spans whose URL another rule owns (ANTHROPIC_BASE_URL: FG302; Codex base_url: FG303)."""
    spans = [(a.token_start, a.token_end) for a in assignments(src) if a.name == "ANTHROPIC_BASE_URL"]
    if src.kind == "toml":
        try:
            spans += [(leaf.start, leaf.end) for leaf in src.leaves() if leaf.key in ("base_url", "openai_base_url")]
        except ParseError:
            pass
    spans += [(m.start(), m.end()) for m in _CODEX_FLAG.finditer(src.text)] if src.kind != "markdown" else []
    return spans


@register
class GatewayUrlMismatch(Rule):
    """## What it does
    Finds URLs (`http://HOST:PORT/...`) and bare `HOST:PORT` references that target the
    gateway — a loopback host (`127.0.0.1`, `localhost`, `0.0.0.0`, `::1`) or the spec's
    host — and checks that they use the spec's port (and host, when the spec's host is not a
    loopback name). It reads Markdown prose and inline code, fenced blocks, scripts, dotenv
    files and TOML/JSON/YAML configs.

    Not flagged: ports of other services named in the gateway config (for example
    CLIProxyAPIPlus on 8317), ports of well-known local services that are not an LLM gateway
    (Ollama 11434, LM Studio 1234, PostgreSQL 5432, MySQL 3306, Redis 6379, MongoDB 27017,
    Elasticsearch 9200, Prometheus 9090), URLs without a port, and the values of
    `ANTHROPIC_BASE_URL` and Codex `base_url`, which FG302 and FG303 check with more
    specific messages.

    ## Why is this bad?
    When the gateway moves to another port, every doc, smoke script and example that still
    names the old one is broken, and nobody notices until a user copies it.

    ## Example
    ```sh
    curl -fsS http://127.0.0.1:4001/health/liveliness
    ```

    Use instead (gateway on 4000):
    ```sh
    curl -fsS http://127.0.0.1:4000/health/liveliness
    ```

    ## Fix
    Safe: only the port (and, for a non-loopback spec host, the host) is replaced; the rest
    of the URL and the surrounding text stay as they are. `localhost` and `127.0.0.1` are
    treated as the same host when the spec's host is a loopback address.
    """

    code = "FG301"
    name = "gateway-url-mismatch"
    summary = "A URL or host:port that targets the gateway uses the wrong port or host"
    kinds = ALL_KINDS
    skip_history = True
    fixable = True
    triggers = (r"localhost", r"127\.\d", r"0\.0\.0\.0", r"::1")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        spec = ctx.spec
        want_port = spec.gateway.port
        loopback_spec = spec.gateway.host in LOOPBACK or spec.gateway.host.startswith("127.")
        skip_ports = spec.other_ports() | OTHER_SERVICE_PORTS
        owned = owned_spans(src)
        hostport = _hostport_regex(spec)
        for text, to_host in text_pieces(src):
            matches = [(m.start(1), m.end(1), m.group(1), m.start(2), m.end(2), m.group(2), m.group(0), m.start())
                       for m in _URL.finditer(text) if m.group(2)]
            url_spans = [(m[7], m[7] + len(m[6])) for m in matches]
            matches += [(m.start(1), m.end(1), m.group(1), m.start(2), m.end(2), m.group(2), m.group(0), m.start())
                        for m in hostport.finditer(text) if not any(a <= m.start() < b for a, b in url_spans)]
            for hs, he, host, ps, pe, port_s, whole, ws in matches:
                if not targets_gateway(host.strip("[]"), spec):
                    continue
                port = int(port_s)
                if port in skip_ports:
                    continue
                conv = (lambda i: to_host(i)) if to_host else (lambda i: i)
                if any(a <= conv(ws) < b for a, b in owned):
                    continue
                host_ok = loopback_spec or host.strip("[]").lower() == spec.gateway.host.lower()
                if port == want_port and host_ok:
                    continue
                edits = []
                problems = []
                if port != want_port:
                    problems.append(f"port {port}")
                    edits.append((ps, pe, str(want_port)))
                if not host_ok:
                    problems.append(f"host {host}")
                    edits.append((hs, he, spec.gateway.host))
                fix = Fix(tuple(src.edit(conv(a), conv(b), c) if to_host is None else _host_edit(src, conv(a), conv(b), c)
                                for a, b, c in edits), SAFE, f"Use {spec.gateway.host}:{want_port}")
                yield src.finding(self, conv(ws), conv(ws + len(whole)),
                                  f"{whole} uses {' and '.join(problems)}; the gateway ({spec.gateway.service}) is at "
                                  f"{spec.gateway.host}:{want_port}", fix)


def _host_edit(src: Source, start: int, end: int, content: str):
    from flowgate_lint.source import host_edit

    return host_edit(src.host, start, end, content)


_CODEX_FLAG = re.compile(r"""(?:-c|--config)[ =]['"]?(?:model_providers\.[\w.-]+\.base_url|openai_base_url)=['"]?([^\s'"]+)""")


@register
class CodexBaseUrl(Rule):
    """## What it does
    Checks the Codex base URL against the spec: `base_url` of the provider that
    `model_provider` selects (or of the spec's provider table, e.g.
    `[model_providers.flowgate]`), top-level `openai_base_url`, and the same keys passed with
    `codex -c key=value`. It must be `http://HOST:PORT/v1`.

    ## Why is this bad?
    Codex builds request URLs as `base_url` + `/responses`. Without `/v1` it calls
    `/responses` (which only some gateways also serve); with a trailing `/responses` or
    `/chat/completions` it doubles the path; a wrong host or port reaches nothing.

    ## Example
    ```toml
    [model_providers.flowgate]
    name = "FlowGate Local"
    base_url = "http://127.0.0.1:4000"
    ```

    Use instead:
    ```toml
    [model_providers.flowgate]
    name = "FlowGate Local"
    base_url = "http://127.0.0.1:4000/v1"
    ```

    ## Fix
    Safe when the URL targets the gateway (loopback or the spec's host): the value becomes
    the spec's Codex base URL, keeping its quoting. Unsafe for another host.
    """

    code = "FG303"
    name = "codex-base-url-mismatch"
    summary = "Codex base_url is not the gateway's /v1 URL (missing /v1, endpoint suffix, wrong port)"
    kinds = frozenset({"toml", "shell", "markdown"})
    skip_history = True
    fixable = True
    triggers = (r"base_url", r"openai_base_url")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if src.kind == "toml":
            yield from self._check_toml(src, ctx)
        else:
            for text, to_host in text_pieces(src):
                for m in _CODEX_FLAG.finditer(text):
                    a, b = m.start(1), m.end(1)
                    if to_host:
                        a, b = to_host(a), to_host(b)
                    yield from self._judge(src, a, b, m.group(1), ctx)

    def _check_toml(self, src: Source, ctx: Any) -> Iterator[Finding]:
        data = src.data()
        if not isinstance(data, dict):
            return
        selected = data.get("model_provider")
        providers = data.get("model_providers") if isinstance(data.get("model_providers"), dict) else {}
        wanted = {selected} if isinstance(selected, str) and selected in providers else (
            {ctx.spec.codex.provider_id} if ctx.spec.codex.provider_id in providers else set())
        for leaf in src.leaves():
            path = leaf.path
            is_provider_url = len(path) == 3 and path[0] == "model_providers" and path[2] == "base_url" and path[1] in wanted
            if (is_provider_url or path == ("openai_base_url",)) and isinstance(leaf.value, str):
                yield from self._judge(src, leaf.start, leaf.end, leaf.value, ctx, token=True)

    def _judge(self, src: Source, start: int, end: int, value: str, ctx: Any, token: bool = False) -> Iterator[Finding]:
        expected = ctx.spec.codex.base_url
        if is_reference(value) or value.rstrip("/") == expected:
            return
        try:
            parts = urlsplit(value)
            host, port, path = parts.hostname, parts.port, parts.path.rstrip("/")
        except ValueError:
            host, port, path = None, None, ""
        problems = []
        if path.endswith("/responses") or path.endswith("/chat/completions"):
            problems.append(f"ends in {path[path.rfind('/v1') + 3:] if '/v1' in path else path} (Codex appends /responses itself)")
        elif path != "/v1":
            problems.append("lacks /v1 (Codex appends only /responses)" if not path else f"has path {path}, expected /v1")
        if host is not None and port != ctx.spec.gateway.port:
            problems.append(f"port {port if port is not None else '(default)'} is not the gateway's {ctx.spec.gateway.port}")
        if host is not None and not targets_gateway(host, ctx.spec):
            problems.append(f"host {host} is not the gateway's {ctx.spec.gateway.host}")
        if host is None:
            problems.append("is not an http(s) URL")
        if not problems:
            problems.append("differs from the spec")
        applicability = SAFE if targets_gateway(host, ctx.spec) else UNSAFE
        if token:
            from flowgate_lint.scan import quote_like

            quote = src.text[start] if src.text[start] in "'\"" else ""
            edit = src.edit(start, end, quote_like(quote, expected, src.kind) if quote else expected)
        else:
            edit = src.edit(start, end, expected) if src.kind != "markdown" else _host_edit(src, start, end, expected)
        yield src.finding(self, start, end, f"Codex base_url {value} " + "; ".join(problems) + f"; use {expected}",
                          Fix((edit,), applicability, f"Set base_url to {expected}"))


@register
class OpenAIBaseUrlEnv(Rule):
    """## What it does
    Finds `OPENAI_BASE_URL` set in scripts, dotenv files, configs and docs.

    ## Why is this bad?
    Codex deprecated the `OPENAI_BASE_URL` environment variable: it warns
    "`OPENAI_BASE_URL` is deprecated. Set `openai_base_url` in config.toml instead." and
    ignores the variable when both are set. With a gateway, the supported setup is a custom
    provider in `~/.codex/config.toml` (what `flowgate-lint print codex` prints), or
    `openai_base_url` for the built-in provider.

    ## Example
    ```sh
    export OPENAI_BASE_URL=http://127.0.0.1:4000/v1
    codex exec "say hi"
    ```

    Use instead (`flowgate-lint print codex` prints the provider table):
    ```toml
    model_provider = "flowgate"
    [model_providers.flowgate]
    base_url = "http://127.0.0.1:4000/v1"
    ```

    ## Fix
    None: the replacement lives in another file (`~/.codex/config.toml`).
    """

    code = "FG304"
    name = "openai-base-url-env-deprecated"
    summary = "OPENAI_BASE_URL is deprecated in Codex; use openai_base_url or a provider table"
    severity = "warning"
    kinds = ALL_KINDS
    skip_history = True
    triggers = (r"OPENAI_BASE_URL",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        for a in assignments(src):
            if a.name == "OPENAI_BASE_URL":
                yield src.finding(self, a.name_start, a.name_end,
                                  "OPENAI_BASE_URL is deprecated in Codex (ignored when openai_base_url is set); configure "
                                  f"a provider with base_url {ctx.spec.codex.base_url} (flowgate-lint print codex)")
