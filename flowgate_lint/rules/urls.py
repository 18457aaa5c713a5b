"""FG3xx: gateway URLs, the clients' base URLs, and the ports of every declared service.

Every rule here asks the shared context model (``flowgate_lint.context``) what a URL targets
before it compares anything with the spec; a fix is safe only when the context makes the finding
certain.
"""

import re
from typing import Any, Iterator, NamedTuple

from flowgate_lint import judgement as cm
from flowgate_lint.documents.findings import SAFE, UNSAFE, Finding, Fix
from flowgate_lint.plumbing.gates import search
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.plumbing.spans import SpanIndex
from flowgate_lint.rules import Rule, register
from flowgate_lint.documents.scan import Assignment, assignments, is_reference, printed, replace_value, scan_text
from flowgate_lint.documents.leaves import ParseError
from flowgate_lint.documents.source import Source
from flowgate_lint.documents.markdown import markdown_doc

ALL_KINDS = frozenset({"markdown", "shell", "toml", "json", "yaml", "dotenv"})
_LOCAL_HOSTS = ("loopback", "any", "spec")


def has_userinfo(url: str) -> bool:
    """``scheme://user:password@host...``: credentials in the URL."""
    scheme, sep, rest = url.partition("://")
    return bool(sep) and "@" in rest.split("/", 1)[0]


def _identity(i: int) -> int:
    return i


def env_assignments(src: Source) -> list[Assignment]:
    """Env-style assignments of a source, plus those in a Markdown file's untagged / ``text`` fences."""
    cached = src._cache.get("env_assignments")
    if cached is None:
        cached = src._cache["env_assignments"] = tuple(_env_assignments(src))
    return list(cached)


def _env_assignments(src: Source) -> list[Assignment]:
    out = list(assignments(src))
    if src.kind in ("json", "yaml", "toml") and src.parse_error() is not None:
        out = list(scan_text(src.text, 0, keyed=True))  # an illustrative block that does not parse: read as text
    if src.kind == "markdown":
        pieces = list(cm.prose_pieces(src))[len(markdown_doc(src).segments):]
        for text, to_host in pieces:
            for a in scan_text(text, 0):
                out.append(a._replace(start=to_host(a.start), end=to_host(a.end), token_start=to_host(a.token_start),
                                      token_end=to_host(a.token_end), name_start=to_host(a.name_start),
                                      name_end=to_host(a.name_end)))
    return out


class Ref(NamedTuple):
    url: cm.Url  # offsets in src.text
    text: str  # the reference as written


def refs(src: Source) -> Iterator[Ref]:
    """Every URL / loopback host:port in what a source shows as prose or code, in src.text offsets."""
    cached = src._cache.get("refs")
    if cached is None:
        cached = src._cache["refs"] = tuple(_refs(src))  # several rules read them
    return iter(cached)


def _refs(src: Source) -> Iterator[Ref]:
    for (text, to_host), urls in zip(cm.prose_pieces(src), cm.prose_urls(src)):
        conv = to_host or _identity
        for u in urls:
            shifted = u if to_host is None else u._replace(start=conv(u.start), end=conv(u.end), host_start=conv(u.host_start),
                                 host_end=conv(u.host_end), port_start=conv(u.port_start) if u.port_start >= 0 else -1,
                                 port_end=conv(u.port_end) if u.port_end >= 0 else -1)
            yield Ref(shifted, text[u.start:u.end])


def owned_spans(src: Source) -> list[tuple[int, int]]:
    """Spans whose URL a more specific rule owns (ANTHROPIC_BASE_URL: FG302; Codex base_url: FG303)."""
    spans = [(a.token_start, a.token_end) for a in env_assignments(src) if a.name == "ANTHROPIC_BASE_URL"]
    if src.kind == "toml":
        try:
            spans += [(leaf.start, leaf.end) for leaf in src.leaves() if leaf.key in ("base_url", "openai_base_url")]
        except ParseError:
            pass
    for text, to_host in cm.prose_pieces(src):
        conv = to_host or _identity
        if "base_url" in text:  # both of the pattern's keys end in it
            spans += [(conv(m.start(2)), conv(m.end(2))) for m in _CODEX_FLAG.finditer(text)]
    return spans


_BARE_PORT = lazy(r"(?<![\w:/.\]\[])[:：](\d{2,5})\b(?![\w.:])")


def _where(t: cm.Target, spec: Any) -> str:
    if t.local:
        return f"this section's own gateway config puts the gateway on port {t.expected_port}"
    return f"{cm.gateway_label(spec)} is at {spec.gateway.host}:{t.expected_port}"


def _because(t: cm.Target) -> str:
    return "" if t.certain else f" (judged the gateway: {t.reason})"


# "port 5000", "ports: 5000", "端口 5000"; "cliproxyapi_plus.port: 5000"; "ports 4000, 5000".
# The lookahead (the first character of any match) only spares trying every branch at every position; only
# "port" needs case folding (a case-insensitive pattern is slower throughout).
_PORT_WORD = lazy(r"(?=[pP端:：\d\s])(?:(?<![\w-])(?:(?i:ports?)|端口)\s*[:=]?\s*(?:`|\*\*)?(\d{2,5})\b(?!\w|\.\d)|(?<=[(（])\s*(\d{2,5})\s*(?=[)）])"
                  r"|(?<![\w.:])(\d{2,5})\s*(?:号)?端口|(?<![\w:/.\]\[])[:：](\d{2,5})\b(?![\w.:]))")
_PORT_HINT = lazy(r"[(（:：]\s*\d")  # what _PORT_WORD needs without "port" or "端口"
_DIGITS = lazy(r"\d\d")  # every _PORT_WORD match holds a port number
_DOTTED_PORT = lazy(r"(?<![\w.-])([A-Za-z][\w-]*)\.port[\"']?\s*[:=]\s*[\"']?(\d{2,5})\b")
_PORT_LIST = lazy(r"(?<![\w-])(?:ports|端口)\s*[:=]?\s*(\d{2,5}(?:\s*(?:,|、|/|&|\band\b|\bor\b|和|或|与|及)\s*\d{2,5})+)\b"
                  r"|(?<![\w.:])(\d{2,5}(?:\s*(?:,|、|/|&|\band\b|和|或|与|及)\s*\d{2,5})+)\s*(?:端口|ports\b)"
                  # "Ports available (4000, 5000)": a word or two, then the list in parentheses
                  r"|(?<![\w-])(?:ports|端口)(?:\s+[a-z]+){0,2}\s*[(（]\s*(\d{2,5}(?:\s*[,、]\s*\d{2,5})+)\s*[)）]", re.I)
# One port check per line ("lsof -i :4000" then "lsof -i :5000"): the lines list the ports.
_PORT_CHECKS = lazy(r"(?m)(?:^[ \t]*(?:sudo[ \t]+)?(?:lsof[ \t]+-i[ \t]*(?:tcp)?:|fuser[ \t]+(?:-\w+[ \t]+)*|nc[ \t]+-z[ \t]+\S+[ \t]+)"
                    r"\d{2,5}(?:/tcp)?[ \t]*(?:#[^\n]*)?(?:\n|\Z)){2,}")


class _ServicePorts:
    """The service-port half of FG301: a declared service named next to a port (see FG301's docs)."""

    def service_ports(self, src: Source, ctx: Any) -> Iterator[Finding]:
        seen: set[int] = set()
        for found in (self._structured(src, ctx), self._prose(src, ctx)):
            for f in found:
                if f.start not in seen:
                    seen.add(f.start)
                    yield f

    def _expected(self, src: Source, ctx: Any, name: str, at: int) -> int | None:
        svc = cm.service_by_name(ctx, name)
        if svc is None:
            return None
        if name == ctx.spec.gateway.service:
            sec = cm.section_at(src, ctx, at)
            if sec.local is not None:
                return sec.local.port
        return svc.port

    def _skip(self, src: Source, ctx: Any, at: int) -> bool:
        return cm.frame_at(src, ctx, at).quoted

    def _finding(self, src: Source, ctx: Any, start: int, end: int, name: str, port: int, want: int,
                 shown: str, safe: bool) -> Finding:
        fix = Fix((src.edit(start, end, str(want)),), SAFE if safe else UNSAFE, f"Use port {want}")
        where = ctx.spec_rel or "the gateway config"
        return src.finding(self, start, end, f"'{shown}' puts {name} on port {port}; {where} puts it on {want}", fix)

    def _structured(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if src.kind not in ("yaml", "json", "toml"):
            return
        try:
            leaves = src.leaves()
            data = src.data()
        except ParseError:
            return
        excerpt = src.embedded and isinstance(data, dict) and "services" in data
        for leaf in leaves:
            if leaf.key != "port" or len(leaf.path) < 2 or not isinstance(leaf.value, int) or isinstance(leaf.value, bool):
                continue
            name = leaf.path[-2]
            if not isinstance(name, str) or cm.service_by_name(ctx, name) is None:
                continue
            if excerpt and len(leaf.path) >= 3 and leaf.path[-3] == "services":
                continue  # FG601 compares gateway-config excerpts
            if not src.embedded and len(leaf.path) >= 3 and leaf.path[-3] == "services":
                continue  # another FlowGate-shaped config file: its own values
            want = self._expected(src, ctx, name, leaf.start)
            if want is None or _fine(ctx, name, leaf.value, want) or self._skip(src, ctx, leaf.start):
                continue
            yield self._finding(src, ctx, leaf.start, leaf.end, name, leaf.value, want, f"{name}.port: {leaf.value}", True)

    def _prose(self, src: Source, ctx: Any) -> Iterator[Finding]:
        spec = ctx.spec
        n_segments = len(markdown_doc(src).segments) if src.kind == "markdown" else 0
        for index, ((text, to_host), urls) in enumerate(zip(cm.prose_pieces(src), cm.prose_urls(src))):
            conv = to_host or _identity
            wrapped = index < n_segments  # a paragraph: its sentences run across lines
            # Literals each pattern needs (cheaper than running the patterns over every piece of prose).
            low = text.lower()
            dotted = ".port" in text
            worded = ("port" in low or "端口" in text or _PORT_HINT.search(text) is not None) \
                and _DIGITS.search(text) is not None
            listed = "ports" in low or "端口" in text
            for m in _DOTTED_PORT.finditer(text) if dotted else ():
                svc = self._named(m.group(1), ctx)
                if svc is None:
                    continue
                port = int(m.group(2))
                at = conv(m.start(2))
                want = self._expected(src, ctx, svc.name, at)
                if want is None or _fine(ctx, svc.name, port, want) or self._skip(src, ctx, at):
                    continue
                yield self._finding(src, ctx, at, conv(m.end(2)), svc.name, port, want, m.group(0), True)
            spots: list[tuple[int, int, int, str, bool]] = []  # (start, end, port, shown, is_url) in text
            for u in urls:
                if u.port is not None and cm.host_class(u.host, spec) in _LOCAL_HOSTS:
                    spots.append((u.start, u.end, u.port, text[u.start:u.end], True))
            for m in _PORT_WORD.finditer(text) if worded else ():
                spots.append((m.start(), m.end(), int(m.group(1) or m.group(2) or m.group(3) or m.group(4)),
                              m.group(0).replace("`", "").replace("**", ""), False))
            for start, end, port, shown, is_url in spots:
                near = cm.service_near(text, start, end, ctx)
                if near is None and not is_url:
                    near = _sentence_service(text, start, ctx, wrapped)
                if near is None:
                    line, ls, le = cm._line_of(src, conv(start), conv(end))
                    if line.lstrip().startswith("|"):  # a table row: the service is in another cell
                        near = cm.service_near(line, ls, le, ctx)
                if near is None or near.kind == "other" or near.kind == "gateway" and is_url:
                    continue  # nobody named, another kind of service, or a gateway URL (FG301)
                at = conv(start)
                want = self._expected(src, ctx, near.name, at)
                if want is None or _fine(ctx, near.name, port, want) or self._skip(src, ctx, at):
                    continue
                if _named_owner(cm._line_of(src, at, conv(end))[0], port, ctx):
                    continue  # "CLIProxyAPIPlus ... gateway on :8317": the line names the service that owns the port
                name = near.name if near.kind == "declared" or ctx.spec.source_kind != "settings" else "the gateway"
                ps = conv(start + text[start:end].rfind(str(port)))
                yield self._finding(src, ctx, ps, ps + len(str(port)), name, port, want, shown, False)
            if listed or "lsof" in text or "fuser" in text or "nc -z" in text:
                yield from self._port_lists(src, ctx, text, conv)
        if src.kind == "markdown":
            yield from self._tables(src, ctx)

    def _tables(self, src: Source, ctx: Any) -> Iterator[Finding]:
        """Table rows that name a service in one cell and give a port in a "port" column."""
        host = src.host
        rows = sorted({seg.line for seg in markdown_doc(src).segments if seg.kind == "table"})
        header: list[str] = []
        for line_no in rows:
            line = host.line_text(line_no)
            cells = _cells(line)
            above = host.line_text(line_no - 1).strip() if line_no > 1 else ""
            if not header or not above.startswith("|") and not re.fullmatch(r"\|?[\s:|-]+", above or "x"):
                header = [c.lower() for c, _ in cells]
                continue
            if re.fullmatch(r"\|?[\s:|-]+", above) and host.line_text(line_no - 2).strip().startswith("|"):
                header = [c.lower() for c, _ in _cells(host.line_text(line_no - 2))]
            svc = next((self._named(c.strip("`* "), ctx) for c, _ in cells if self._named(c.strip("`* "), ctx)), None)
            if svc is None:
                continue
            for i, (cell, col) in enumerate(cells):
                if i >= len(header) or not re.search(r"port|端口", header[i]) or not re.fullmatch(r"`?\d{2,5}`?", cell):
                    continue
                port = int(cell.strip("`"))
                start = host.line_starts[line_no - 1] + col + (1 if cell.startswith("`") else 0)
                want = self._expected(src, ctx, svc.name, start)
                if want is None or _fine(ctx, svc.name, port, want) or self._skip(src, ctx, start):
                    continue
                yield self._finding(src, ctx, start, start + len(str(port)), svc.name, port, want,
                                    f"| {svc.name} | {port} |", False)

    def _named(self, word: str, ctx: Any) -> Any:
        for svc in cm.declared(ctx):
            if re.fullmatch(cm._name_regex(svc.name), word, re.I):
                return svc
        return None

    def _port_lists(self, src: Source, ctx: Any, text: str, conv: Any) -> Iterator[Finding]:
        declared = {s.port: s for s in cm.declared(ctx)}
        if len(declared) < 2:
            return
        lists = [(m, next(g for g in (1, 2, 3) if m.group(g))) for m in _PORT_LIST.finditer(text)]
        lists += [(m, 0) for m in _PORT_CHECKS.finditer(text)] if "lsof" in text or "fuser" in text or "nc " in text else []
        for m, g in lists:
            found = re.finditer(r"(?<=[:\s])\d{2,5}\b" if g == 0 else r"\d{2,5}", m.group(g))
            nums = [(int(n.group(0)), m.start(g) + n.start()) for n in found]
            ports = [p for p, _ in nums]
            if len(ports) != len(declared) or not any(p in declared for p in ports):
                continue
            unknown = [(p, at) for p, at in nums if p not in declared and p not in cm.OTHER_PORTS]
            missing = sorted(set(declared) - set(ports))
            if not unknown or len(unknown) != len(missing) or self._skip(src, ctx, conv(m.start())):
                continue
            for (port, at), want in zip(unknown, missing):
                name = declared[want].name
                start = conv(at)
                fix = Fix((src.edit(start, start + len(str(port)), str(want)),), UNSAFE, f"Use port {want}")
                shown = m.group(0).strip().replace("\n", "; ")
                yield src.finding(self, start, start + len(str(port)),
                                  f"{shown}: no declared service uses port {port}; {name} is on {want} "
                                  f"({', '.join(f'{s.name} {p}' for p, s in sorted(declared.items()))})", fix if len(unknown) == 1 else None)


_SENTENCE_END = lazy(r"(?<!e\.g)(?<!i\.e)[.!?;](?:\s|$)|[。！？；，]|,\s+(?:and|but|while|whereas|so|which)\b|\n\s*\n")
# In a line of a script, a text block or a diagram, a run of spaces or a box-drawing bar separates columns.
_LINE_OR_SENTENCE_END = lazy(_SENTENCE_END.pattern + r"|[\r\n]|(?<=\S)[ \t]{3,}(?=\S)|[│|]")


_HYPOTHETICAL = lazy(r"\b(?:move|moving|change|changing|instead|e\.g\.|for example|if|suppose)\b|如果|例如|比如|改", re.I)
_NEGATION = lazy(r"\b(?:not|isn't|aren't|no|never)\b|不是|没有|不", re.I)


def _fine(ctx: Any, name: str, port: int, want: int) -> bool:
    """Whether ``port`` is right for service ``name``: its configured port, another port the gateway listens on, or
    the gateway product's own port behind the clients' gateway (settings that move the clients elsewhere)."""
    gw = ctx.spec.gateway
    return port == want or (name == gw.service and (port in gw.also or port == getattr(gw, "behind", None)))


def _sentence_service(text: str, at: int, ctx: Any, wrapped: bool = True) -> cm.Mention | None:
    """The one service the sentence around ``text[at]`` names ("Make sure port 8318 is free before starting
    CLIProxyAPIPlus"); None when it names none, several, or another kind of service, gives a second port,
    or is a negation ("port 4001 is not the gateway's")."""
    ends = _SENTENCE_END if wrapped else _LINE_OR_SENTENCE_END
    starts = [0] + [m.end() for m in ends.finditer(text) if m.end() <= at]
    begin = starts[-1]
    end_m = ends.search(text, at)
    sentence = text[begin:end_m.start() if end_m else len(text)]
    if _NEGATION.search(sentence) or _HYPOTHETICAL.search(sentence) or len(set(re.findall(r"(?<![\w.])\d{2,5}(?![\w.])", sentence))) > 1:
        return None
    found = cm.mentions(sentence, ctx)
    if not found or any(m.kind == "other" for m in found) or len({m.name for m in found}) != 1:
        return None
    return found[0]


def _cells(line: str) -> list[tuple[str, int]]:
    """(stripped cell text, column of its first character) for a Markdown table row."""
    out = []
    for m in re.finditer(r"(?<=\|)([^|]*)(?=\|)", line):
        raw = m.group(1)
        lead = len(raw) - len(raw.lstrip())
        out.append((raw.strip(), m.start(1) + lead))
    return out


@register
class GatewayUrlMismatch(_ServicePorts, Rule):
    """## What it does
    Checks ports against the gateway config: the URLs and bare `HOST:PORT` references that target
    **this gateway**, and the ports of **every other declared service** named next to a port. It
    reads Markdown prose and inline code, tables, fenced blocks, untagged and `text` fences
    (diagrams, console transcripts), client-code fences (Python, JavaScript, PowerShell...; read as
    text, never parsed), scripts, dotenv files and TOML/JSON/YAML configs.

    **The gateway.** Whether a loopback URL is the gateway is decided by the shared context model,
    never by the host alone. It is the gateway when its context says so:
    - a client base-URL key holds it (`OPENAI_BASE_URL`, Codex `base_url`...), or its path is a
      client API path (`/v1/models`, `/v1/messages`, `/v1/messages/count_tokens`,
      `/v1/chat/completions`, `/v1/responses`): **certain**;
    - the line names the gateway right next to it ("the gateway listens on ...", "LiteLLM:
      ..."), a diagram points a client at it ("Claude Code ──► relay-hub :3000", "Codex CLI →
      http://127.0.0.1:4000/v1"), a transcript line says it listens there under a line naming the
      gateway, or its path is one only the gateway product serves (LiteLLM `/health/liveliness`):
      **probable**;
    - a client API call on the port of another declared service (typically the previous gateway,
      after the clients moved to a new one): **probable** drift.

    Its port must be the spec's, or the port of the gateway config a doc section brings itself (a
    `model_list` block with `litellm --port 8000`).

    **Every declared service.** A service named right next to a port that differs from its
    configured one is drift: "CLIProxyAPIPlus: http://127.0.0.1:5000" or "CLIProxyAPIPlus listens
    on port 5000" when the config says 8317, "Make sure port 8318 is free before starting
    CLIProxyAPIPlus" (the sentence names only that service), a table row naming the service with
    a port column, a dotted key `cliproxyapi_plus.port: 5000`, the gateway product named in a
    sentence with one port ("CCR operates as a local HTTP server (default port `8080`)" when
    claude-code-router's config says 3457; CLIProxyAPI, CLIProxyAPIPlus, Arch and Plano are named
    the same way when the config is theirs), a YAML/JSON/TOML block with
    `cliproxyapi_plus: {port: 5000}`, and a list of the services' ports with one nobody has
    ("ports 4000, 5000 must be free", "Ports available (4000, 5000)", or one `lsof -i :N` per line,
    when the config says 4000 and 8317).

    ## When it deliberately does not fire
    - `localhost`, `127.0.0.1`, any `127.x` address, `::1` and `[::1]` are the same gateway: the
      spelling is never flagged (`0.0.0.0` as a client target is FG306, a warning).
    - Other local services: an OAuth callback (`localhost:1455`), MCP servers, Ollama, LM Studio,
      llama.cpp, a dashboard or a second runtime on the next port, a declared service's own URL
      ("LiteLLM: http://127.0.0.1:4000 (healthy)" after the clients moved to CLIProxyAPIPlus),
      the `api_base` of a `model_list` entry (what the gateway calls), a client API path the
      gateway product does not serve (claude-code-router serves only `/v1/messages`, so a
      `/v1/models` call on another port is its upstream's), the product's own default port
      behind a web server when the clients use port 80 or 443, and any loopback URL that
      nothing marks as the gateway.
    - A name that is not right next to the value: "LiteLLM forwards to http://127.0.0.1:8317"
      names LiteLLM, but the URL is CLIProxyAPIPlus's; only filler words ("on", "at", "port",
      "listens") may stand between them.
    - Remote hosts (providers, remote gateways), URLs without a port, and the values of
      `ANTHROPIC_BASE_URL` and Codex `base_url`, which FG302 and FG303 check.
    - `services.<name>.port` in a fenced excerpt of the gateway config (FG601 compares excerpts).
    - History: changelogs, release notes, archives, plans and ADRs (the `history` setting),
      sections under a Changelog/History heading, lines that say the value is old or wrong
      ("previously", "instead of", "don't use", "❌"), blocks introduced as what not to do ("Do
      not add /v1:"), and a unified diff's removed lines.

    ## Why is this bad?
    When the gateway moves to another port, every doc, smoke script and example that still
    names the old one is broken, and nobody notices until a user copies it. Ports move together:
    a doc that still gives an upstream's old port sends the reader to a port nothing listens on,
    and a "ports must be free" check frees the wrong one.

    ## Example
    ```sh
    curl -fsS http://127.0.0.1:4100/v1/models
    ```

    Use instead (gateway on 4000):
    ```sh
    curl -fsS http://127.0.0.1:4000/v1/models
    ```

    ## Fix
    Only the port is replaced; the host keeps its spelling and the rest of the URL and the text
    stay as they are. Safe only for a service's dotted or structured `port` key (the key names
    the service). A URL's port is never certain: another server may own it (a backend behind
    the gateway, a second proxy, a status check of another instance), so the fix is unsafe, as
    it is for prose naming a service and for a port list with exactly one unknown port and one
    missing service; a port list with more has no fix.
    """

    code = "FG301"
    name = "gateway-url-mismatch"
    summary = "A URL or port of the gateway, or of another declared service, differs from the config"
    preview = True
    first_contact = ("12 of 17 findings right (0.71) on first contact: batch 1 and FlowGate's history; 1 of 5 on batch 10 "
                     "(eval/README.md)")
    kinds = ALL_KINDS
    skip_history = True
    fixable = True
    fix_safety = "mixed"
    triggers = (r"localhost", r"127\.\d", r"0\.0\.0\.0", r"::1", r"port", r"端口")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        spans: list[tuple[int, int]] = []
        for f in self._gateway_urls(src, ctx):
            spans.append((f.start, f.end))
            yield f
        taken = SpanIndex(spans)
        for f in self.service_ports(src, ctx):
            if not taken.covers(f.start):
                yield f

    def _gateway_urls(self, src: Source, ctx: Any) -> Iterator[Finding]:
        spec = ctx.spec
        owned = SpanIndex(owned_spans(src))
        for ref in refs(src):
            u = ref.url
            if u.port is None or cm.host_class(u.host, spec) not in _LOCAL_HOSTS:
                continue
            if owned.covers(u.start):
                continue
            t = cm.judge(src, ctx, u.start, u.end, url=u)
            if not t.is_gateway or t.expected_port is None or u.port == t.expected_port:
                continue
            svc = cm.service_by_port(ctx, u.port)
            own = f" ({svc.name}'s)" if svc is not None else ""
            # A URL's port change is never certain: another server (a backend, a second proxy) may own that port.
            fix = Fix((src.edit(u.port_start, u.port_end, str(t.expected_port)),), UNSAFE, f"Use port {t.expected_port}")
            yield src.finding(self, u.start, u.end,
                              f"{ref.text} uses port {u.port}{own}; {_where(t, spec)}{_because(t)}", fix)
        yield from self._diagram_ports(src, ctx)

    def _diagram_ports(self, src: Source, ctx: Any) -> Iterator[Finding]:
        """Bare ``:PORT`` hops a client points at in a diagram ("Claude Code ──► relay-hub :3000")."""
        for text, to_host in cm.prose_pieces(src):
            if ":" not in text and "：" not in text:
                continue  # no :PORT
            conv = to_host or _identity
            for m in _BARE_PORT.finditer(text):
                hop = cm.client_arrow(text[max(0, m.start() - 80):m.start()])
                if hop is None:
                    continue
                found = cm.mentions(hop, ctx) if hop else []
                if found and found[0].kind != "gateway":
                    continue  # another service's hop: its own port (or not ours to judge)
                at = conv(m.start(1))
                if cm.frame_at(src, ctx, at).quoted:
                    continue
                sec = cm.section_at(src, ctx, at)
                want = sec.local.port if sec.local is not None else ctx.spec.gateway.port
                port = int(m.group(1))
                if want is None or port == want or sec.local is None and port in ctx.spec.gateway.also:
                    continue
                fix = Fix((src.edit(at, conv(m.end(1)), str(want)),), UNSAFE, f"Use port {want}")
                t = cm.Target(cm.GATEWAY, cm.PROBABLE, None, "a client points at it in a diagram", want, sec.local is not None)
                yield src.finding(self, conv(m.start()), conv(m.end()),
                                  f"{m.group(0)} uses port {port}; {_where(t, ctx.spec)}{_because(t)}", fix)


def _claude_structure(path: str) -> tuple[str | None, str]:
    """(problem, the path without the mistake) for an ANTHROPIC_BASE_URL path; problem None when fine."""
    p = path.rstrip("/")
    at = p.find("/v1/messages")
    if at >= 0:
        return "includes /v1/messages (Claude Code appends it itself)", p[:at]
    if p.endswith("/v1"):
        return "ends in /v1 (Claude Code appends /v1/messages itself, so requests go to /v1/v1/messages)", p[:-3]
    return None, path if path != "/" else ""


def _rebuild(value: str, u: cm.Url, port: int | None, path: str) -> str:
    """``value`` with its port and path replaced; scheme and host kept as written, credentials dropped
    (the fix is then unsafe: see has_userinfo)."""
    return f"{u.scheme or 'http'}://{value[u.host_start:u.host_end]}{f':{port}' if port is not None else ''}{path}"


@register
class ClaudeBaseUrl(Rule):
    """## What it does
    Checks every `ANTHROPIC_BASE_URL` (shell exports, dotenv files, the `env` block of a Claude
    Code `settings.json` or of the JSON passed inline with `claude --settings '{...}'`, YAML and
    TOML configs, Markdown prose, inline code and `text` fences).

    - On **any host**, a structural mistake that breaks Claude Code: a base URL ending in `/v1`
      or including `/v1/messages`.
    - When the context model says the value targets **this gateway** (a loopback host or the
      spec's host, outside a section about another service): its port must be the gateway's (the
      spec's, or the port of the gateway config the section brings itself).
    - A Claude Code base URL given another way: "Point Claude Code to URL", "将 Claude Code 指向
      URL", a sentence that gives the URL as the variable's value ("`ANTHROPIC_BASE_URL` must point
      at the gateway root (e.g. URL)", "必须指向网关根地址（例如 URL）"), a "Base URL:" label or table
      row, or a `baseURL` key, where the line, the lines above or the section are about Claude Code
      and no other client. The sentence makes it a client target, so its port is checked too, even
      when that port belongs to another declared service (unsafe fix); a sentence that says what
      the value is *not* is left alone.

    ## When it deliberately does not fire
    - Upstream providers: in a provider-switching guide, `https://api.anthropic.com`,
      `https://api.deepseek.com/anthropic` or `https://openrouter.ai/api` are deliberate; only
      their structure is checked.
    - A route prefix on the gateway (LiteLLM's `/anthropic` pass-through) is not a mistake.
    - `localhost`, `127.0.0.1` and `[::1]` are the same gateway (never "wrong host").
    - A URL that only mentions the endpoint Claude Code calls ("Claude Code then calls
      http://localhost:4000/v1/messages"), and base-URL labels in a section about Codex.
    - Another local Anthropic-compatible server the line or section is about (Ollama,
      claude-code-router), references (`$GATEWAY_URL`), history files and sections, and lines
      that present the value as old or wrong.

    ## Why is this bad?
    Claude Code appends `/v1/messages` to `ANTHROPIC_BASE_URL` itself. A base URL ending in
    `/v1` makes it request `/v1/v1/messages`, which the gateway answers with 404; Claude Code
    then reports "There's an issue with the selected model ... It may not exist or you may not
    have access to it", blaming the model instead of the URL. A wrong port points at nothing.

    ## Example
    ```sh
    export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1
    ```

    Use instead:
    ```sh
    export ANTHROPIC_BASE_URL=http://127.0.0.1:4000
    ```

    ## Fix
    The mistaken suffix is dropped and, for the gateway, the port set; the scheme, the host as
    spelled and any route prefix stay. Safe when the context makes the finding certain (the
    gateway, outside provider guides) and the port stays; unsafe for a port change (another server,
    a second proxy or a validation setup, may own that port), other hosts, probable targets, and URLs
    that carry credentials (`http://user:<password>@host`), which the fixed URL drops.

    ## References
    - Claude Code LLM gateway docs: the base URL is the root, Claude Code adds `/v1/messages`.
    - LiteLLM Claude Code setup: `ANTHROPIC_BASE_URL=http://localhost:4000`.
    """

    code = "FG302"
    preview = True
    first_contact = "0 of 7 findings right (0.00) on first contact: batches 1-3 and FlowGate's history (eval/README.md); all seven gave another gateway's port the gateway's"
    name = "claude-base-url-not-gateway-root"
    summary = "ANTHROPIC_BASE_URL ends in /v1 or /v1/messages, or targets the gateway on another port"
    kinds = ALL_KINDS
    skip_history = True
    fixable = True
    fix_safety = "mixed"
    triggers = ("ANTHROPIC_BASE_URL",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        env = [a for a in env_assignments(src) if a.name == "ANTHROPIC_BASE_URL"]
        yield from self._env(src, ctx, env)
        yield from self._described(src, ctx, SpanIndex((a.token_start, a.token_end) for a in env))

    def _described(self, src: Source, ctx: Any, owned: SpanIndex) -> Iterator[Finding]:
        """Claude Code base URLs given another way: "Point Claude Code to URL", "将 Claude Code 指向 URL",
        a "Base URL:" label or a ``baseURL`` key in a Claude Code context. Only structural mistakes are
        reported there, with an unsafe fix: the structure, and the port when the value targets the gateway."""
        for ref in refs(src):
            u = ref.url
            if owned.covers(u.start) or not u.scheme:
                continue
            problem, path = _claude_structure(u.path)
            if problem is None and u.port is None:
                continue
            line, at, _ = cm._line_of(src, u.start, u.end)
            if not _claude_context(src, ctx, line, at, u.start):
                continue
            t = cm.judge(src, ctx, u.start, u.end, key="ANTHROPIC_BASE_URL", url=u)
            if t.quoted:
                continue
            # The sentence says this is Claude Code's base URL: a client target, on the port check too, even on
            # the port of another declared service.
            problems = [problem] if problem else []
            port = u.port
            if t.is_gateway and t.expected_port is not None and u.port != t.expected_port:
                problems.append(f"port {u.port} is not the gateway's {t.expected_port}")
                port = t.expected_port
            if not problems:
                continue
            new = _rebuild(ref.text, u._replace(host_start=u.host_start - u.start, host_end=u.host_end - u.start), port, path)
            fix = Fix((src.edit(u.start, u.end, new),), UNSAFE, f"Use {new}")
            yield src.finding(self, u.start, u.end, f"Claude Code base URL {ref.text} " + "; ".join(problems)
                              + f"; use {new}{_because(t) if t.is_gateway and port != u.port else ''}", fix)

    def _env(self, src: Source, ctx: Any, env: list[Assignment]) -> Iterator[Finding]:
        for a in env:
            if is_reference(a.value):
                continue
            value = a.value.strip()
            u = cm.parse_url(value)
            if u is None or u.start != 0:
                continue
            t = cm.judge(src, ctx, a.start, a.end, key="ANTHROPIC_BASE_URL", url=u)
            if t.quoted:
                continue
            problem, path = _claude_structure(u.path)
            problems = [problem] if problem else []
            port = u.port
            if t.is_gateway and t.expected_port is not None and u.port != t.expected_port:
                problems.append(f"port {u.port if u.port is not None else '(default)'} is not the gateway's {t.expected_port}")
                port = t.expected_port
            if not u.scheme and problems:
                problems.append("has no http:// scheme")
            if not problems:
                continue
            new = _rebuild(value, u, port, path)
            # Credentials: a human looks first. Another port: another server may own it (a second proxy,
            # a validation setup), which the text cannot rule out, so the port change is never certain.
            safe = t.certain and not has_userinfo(value) and port == u.port
            fix = Fix((replace_value(src, a, new),), SAFE if safe else UNSAFE, f"Set ANTHROPIC_BASE_URL to {new}")
            yield src.finding(self, a.start, a.end,
                              f"ANTHROPIC_BASE_URL {value} " + "; ".join(problems) + f"; use {new}{_because(t) if t.is_gateway else ''}",
                              fix)


_POINT_CLAUDE = lazy(
    r"(?:point(?:s|ing)?|set|configure)\s+(?:`?claude(?:[ -]code)?`?|it)\s+(?:to|at)\s*[`'\"(]*\Z"
    r"|(?:将|把|让)\s*`?claude[ -]?code`?\s*(?:指向|连接到|连到|设置为)\s*[`'\"(]*\Z", re.I)
_BASE_LABEL = lazy(r"(?<![\w.])(?:api[ _-]?)?base[ _-]?url[`'\"*]*\s*(?:[:=：]|\s\|)\s*[`'\"]*\Z|\bbaseurl[\"']?\s*:\s*[\"']\Z", re.I)
# "`ANTHROPIC_BASE_URL` must point at the gateway root (e.g. URL)", "ANTHROPIC_BASE_URL 必须指向网关根地址（例如 URL）":
# the sentence before the URL names the variable and gives the URL as its value.
_NEGATED = lazy(r"\bnot\b|n't\b|\bnever\b|\binstead of\b|不要|不是|别|不能|而不是", re.I)
_CLAUDE_VAR_SAYS = lazy(r"\bANTHROPIC_BASE_URL\b(?![\w=])[^.。;；\n]*?(?:\bpoint|\bset\b|\bbe\b|\bis\b|e\.g\.|\bexample\b|such as"
                        r"|指向|设为|设置为|是|例如|比如)[^.。;；\n]*\Z", re.I)
_CLAUDE_WORD = lazy(r"\banthropic\b(?![-_][a-z])|\bclaude(?:[ -]code)?\b(?![-_.][a-z])", re.I)
_CLAUDE_TABLE = lazy(r"""(?<![\w-])["']?(?:anthropic|claude)["']?\s*:\s*\{""", re.I)
_KEY_LABEL = lazy(r"""["']?base_?url["']?\s*[:=]\s*["']\Z""", re.I)
_OTHER_CLIENT = lazy(r"codex|openai|gemini|cursor|aider|continue\b|opencode|qwen|@ai-sdk/", re.I)


def _named_owner(line: str, port: int, ctx: Any) -> bool:
    """Whether ``line`` names a declared service whose configured port is ``port``: the value is that service's,
    whichever service word stands nearer to it."""
    return any(m.kind == "declared" and getattr(cm.service_by_name(ctx, m.name), "port", None) == port
               for m in cm.mentions(line, ctx))


def _claude_context(src: Source, ctx: Any, line: str, at: int, start: int) -> bool:
    """Whether the URL at ``line[at]`` is given as a Claude Code base URL (see ClaudeBaseUrl._described)."""
    before = line[:at]
    says = search(_CLAUDE_VAR_SAYS, before)
    if search(_POINT_CLAUDE, before) or says and not search(_OTHER_CLIENT, before) \
            and not search(_NEGATED, before[says.start():]):
        return True
    if not search(_BASE_LABEL, before) or search(_OTHER_CLIENT, line):
        return False
    host = src.host
    n = host.position(src.to_host(start))[0]
    above = " ".join(host.line_text(k) for k in range(max(1, n - 3), n))
    if search(_KEY_LABEL, before):  # a config key: only inside an "anthropic" / "claude" table
        return bool(search(_CLAUDE_TABLE, line) or search(_CLAUDE_TABLE, above)) and not search(_OTHER_CLIENT, above)
    if search(_CLAUDE_WORD, line):
        return True
    if search(_CLAUDE_WORD, above) and not search(_OTHER_CLIENT, above):
        return True
    chain = " ".join(cm.section_at(src, ctx, start).chain)
    return bool(search(_CLAUDE_WORD, chain)) and not search(_OTHER_CLIENT, chain)


_CODEX_FLAG = lazy(r"""(?:-c|--config)[ =]['"]?(model_providers\.[\w.-]+\.base_url|openai_base_url)=['"]?([^\s'"]+)""")


def _codex_structure(path: str) -> tuple[str | None, str]:
    p = path.rstrip("/")
    for suffix in ("/responses", "/chat/completions"):
        if p.endswith(suffix):
            return f"ends in {suffix} (Codex appends /responses itself)", p[: -len(suffix)]
    return None, p


@register
class CodexBaseUrl(Rule):
    """## What it does
    Checks the Codex base URL: `base_url` of the provider that `model_provider` selects (or of
    the only provider table, or of the spec's provider id), top-level `openai_base_url`, and the
    same keys passed with `codex -c key=value`.

    - On **any host**, a structural mistake: a base URL ending in `/responses` or
      `/chat/completions` (Codex appends `/responses` itself).
    - When the context model says the value targets **this gateway**: it must carry `/v1`, and
      its port must be the gateway's (the spec's, or that of the section's own gateway config).

    ## When it deliberately does not fire
    - Providers that are not selected, and remote providers in a provider guide
      (`base_url = "https://api.example.com/v1"`): only their structure is checked.
    - A route prefix on the gateway (a non-empty path other than `/v1`) is not "missing /v1".
    - `localhost` and `127.0.0.1` are the same gateway; references, history files and sections,
      and lines that present the value as old or wrong.

    ## Why is this bad?
    Codex builds request URLs as `base_url` + `/responses`. Without `/v1` it calls
    `/responses` (which only some gateways also serve); with a trailing `/responses` or
    `/chat/completions` it doubles the path; a wrong port reaches nothing.

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
    The endpoint suffix is dropped, `/v1` added for the gateway's root and the port set; the host
    keeps its spelling; credentials (`user:<password>@`) are dropped. Safe when the context makes the finding
    certain, the fix only drops an endpoint suffix (the port stays, no `/v1` is added) and the URL carries no
    credentials; unsafe otherwise (another server may own another port, and a gateway may serve
    `/responses` at its root, as LiteLLM and some proxies do).
    """

    code = "FG303"
    preview = True
    first_contact = "0 of 2 findings right (0.00) on first contact: batches 1-3 and FlowGate's history (eval/README.md); both asked for /v1 on a gateway that serves /responses at its root"
    name = "codex-base-url-mismatch"
    summary = "Codex base_url ends in an endpoint, or targets the gateway without /v1 or on another port"
    kinds = frozenset({"toml", "shell", "markdown"})
    skip_history = True
    fixable = True
    fix_safety = "mixed"
    triggers = (r"base_url", r"openai_base_url")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        if src.kind == "toml":
            yield from self._check_toml(src, ctx)
            return
        for text, to_host in cm.prose_pieces(src):
            conv = to_host or _identity
            for m in _CODEX_FLAG.finditer(text):
                key = "openai_base_url" if m.group(1) == "openai_base_url" else "base_url"
                yield from self._judge(src, conv(m.start(2)), conv(m.end(2)), m.group(2), ctx, key)

    def _check_toml(self, src: Source, ctx: Any) -> Iterator[Finding]:
        data = src.data()
        if not isinstance(data, dict):
            return
        selected = data.get("model_provider")
        providers = data.get("model_providers") if isinstance(data.get("model_providers"), dict) else {}
        if isinstance(selected, str) and selected in providers:
            wanted = {selected}
        elif ctx.spec.codex.provider_id in providers:
            wanted = {ctx.spec.codex.provider_id}
        else:
            wanted = set(providers) if len(providers) == 1 and not isinstance(selected, str) else set()
        for leaf in src.leaves():
            path = leaf.path
            is_provider_url = len(path) == 3 and path[0] == "model_providers" and path[2] == "base_url" and path[1] in wanted
            if (is_provider_url or path == ("openai_base_url",)) and isinstance(leaf.value, str):
                yield from self._judge(src, leaf.start, leaf.end, leaf.value, ctx, path[-1], token=True)

    def _judge(self, src: Source, start: int, end: int, value: str, ctx: Any, key: str,
               token: bool = False) -> Iterator[Finding]:
        if is_reference(value):
            return
        u = cm.parse_url(value.strip())
        if u is None or u.start != 0:
            return
        t = cm.judge(src, ctx, start, end, key=key, url=u)
        if t.quoted:
            return
        problem, path = _codex_structure(u.path)
        problems = [problem] if problem else []
        port = u.port
        added_v1 = False
        if t.is_gateway:
            if not path:
                problems.append("lacks /v1 (Codex appends only /responses)")
                path = "/v1"
                added_v1 = True  # not certain: a gateway may serve /responses at its root (LiteLLM does)
            if t.expected_port is not None and u.port != t.expected_port:
                problems.append(f"port {u.port if u.port is not None else '(default)'} is not the gateway's {t.expected_port}")
                port = t.expected_port
        if not problems:
            return
        new = _rebuild(value.strip(), u, port, path)
        if token:
            from flowgate_lint.documents.scan import quote_like

            quote = src.text[start] if src.text[start] in "'\"" else ""
            edit = src.edit(start, end, quote_like(quote, new, src.kind) if quote else new)
        else:
            edit = src.edit(start, end, new)
        yield src.finding(self, start, end,
                          f"Codex base_url {value} " + "; ".join(problems) + f"; use {new}{_because(t) if t.is_gateway else ''}",
                          Fix((edit,), SAFE if t.certain and not has_userinfo(value) and port == u.port and not added_v1
                              else UNSAFE, f"Set base_url to {new}"))


_CODEX_WORD = lazy(r"\bcodex\b", re.I)


# The program an inline ``NAME=value`` prefix is set for ("OPENAI_BASE_URL=... claude"), other prefixes skipped.
_PREFIXED_CMD = lazy(r"[ \t]+(?:[A-Z_][A-Z0-9_]*=\S*[ \t]+)*([a-z][\w.-]*)\b")


_GENERIC_CLIENTS = lazy(r"(?i)\bopenai[- ]?(?:compatible|sdk|python|node)|\b(?:client libraries|sdks?|other tools|any client)\b"
                        r"|openai\s*兼容")


# The clients that read OPENAI_BASE_URL themselves, and Codex.
_CLIENT_NAME = lazy(r"(?i)\b(codex|opencode|open code|qwen(?:[ -]code)?|crush|aider|goose|continue|cline|roo(?:[ -]code)?|"
                    r"kilo(?:[ -]code)?|droid|openhands|gemini(?:[ -]cli)?)\b")


def _stanza_client(text: str, at: int) -> str | None:
    """The client a setting at ``text[at]`` is given for, from its stanza (the lines up to a blank line): the label
    comment above it ("# OpenCode") or, failing that, the client command after it ("opencode"). None when neither
    names one."""
    start = text.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", at)
    end = len(text) if end < 0 else end
    lines = text[start:end].splitlines()
    here = text.count("\n", start, at)
    for line in reversed(lines[:here]):
        stripped = line.strip()
        if stripped.startswith("#"):
            m = _CLIENT_NAME.search(stripped)
            if m:
                return m.group(1).lower().split()[0].split("-")[0]
    for line in lines[here + 1:]:
        m = re.match(r"\s*([a-z][\w.-]*)\b", line)
        if m and m.group(1) not in ("export", "set", "unset", "echo", "printf") and _CLIENT_NAME.fullmatch(m.group(1)):
            return m.group(1).lower()
    return None


def _mentions_codex(src: Source, ctx: Any, offset: int) -> bool:
    """Whether the section around ``offset`` (a whole non-Markdown file) is about Codex."""
    if src.host.kind != "markdown":
        return bool(_CODEX_WORD.search(src.host.text))
    sec = cm.section_at(src, ctx, offset)
    starts = src.host.line_starts
    a = starts[sec.start_line - 1]
    b = starts[sec.end_line] if sec.end_line < len(starts) else len(src.host.text)
    return bool(_CODEX_WORD.search(src.host.text, a, b))


@register
class OpenAIBaseUrlEnv(Rule):
    """## What it does
    Finds `OPENAI_BASE_URL` set for **Codex** in scripts, dotenv files, configs and docs: in a
    Markdown section (or a non-Markdown file) that mentions Codex.

    ## When it deliberately does not fire
    Where nothing says the variable is for Codex: the OpenAI SDKs and many other tools read
    `OPENAI_BASE_URL` legitimately (a LiteLLM tutorial's `export OPENAI_BASE_URL=...` for the
    Python SDK), a block introduced for OpenAI-compatible clients or SDKs ("For OpenAI-compatible
    clients:") that does not name Codex, and an inline prefix for another program
    (`OPENAI_BASE_URL=... claude`), a stanza given for another client (a `# OpenCode` comment
    above it or an `opencode` command after it: OpenCode and Qwen Code read the variable). Also
    history files and sections, and values whose frame is quoted (old, a migration's half).

    ## Why is this bad?
    Codex no longer reads `OPENAI_BASE_URL` at all: support was removed in April 2026
    (openai/codex#16720, "removes support for `OPENAI_BASE_URL` entirely"), and current releases
    (measured with 0.171.0) print no warning. The variable is silently ignored: requests go to
    Codex's default endpoint, and **nothing reaches the gateway** (Codex retries "Reconnecting...
    waiting for network" until it gives up). With a gateway, the supported setup is a custom
    provider in `~/.codex/config.toml` (what `flowgate-lint print codex` prints), or
    `openai_base_url` for the built-in provider (which then reads its key from `CODEX_API_KEY` or
    a login, not from `OPENAI_API_KEY`). Other clients (Qwen Code, OpenCode, the OpenAI SDKs)
    still read the variable, so the rule only fires where it is set for Codex.

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
    preview = True
    first_contact = "5 of 6 findings right (0.83) on first contact: batches 1-5 and FlowGate's history (eval/README.md); the wrong one set OPENAI_BASE_URL for OpenCode beside Codex"
    name = "openai-base-url-env-deprecated"
    summary = "OPENAI_BASE_URL set for Codex, which ignores it (support removed); use a provider table or openai_base_url"
    kinds = ALL_KINDS
    skip_history = True
    triggers = (r"OPENAI_BASE_URL",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        for a in env_assignments(src):
            if a.name != "OPENAI_BASE_URL" or printed(src, a.name_start) or not _mentions_codex(src, ctx, a.start):
                continue  # a line that prints the variable sets nothing
            if cm.frame_at(src, ctx, a.start).quoted:
                continue
            cmd = _PREFIXED_CMD.match(src.text, a.token_end)
            if cmd is not None and cmd.group(1) != "codex":
                continue  # "OPENAI_BASE_URL=... claude": set for another program
            if src.embedded and _GENERIC_CLIENTS.search(cm.block_intro(src)) and not _CODEX_WORD.search(cm.block_intro(src)):
                continue  # "For OpenAI-compatible clients:": the SDKs' variable, whatever route it names
            owner = _stanza_client(src.text, a.start)
            if owner is not None and owner != "codex":
                continue  # "# OpenCode / export OPENAI_BASE_URL=... / opencode": set for another client
            yield src.finding(self, a.name_start, a.name_end,
                              "OPENAI_BASE_URL is ignored by Codex (support removed): its requests go to the default endpoint, "
                              "not the gateway; configure "
                              f"a provider with base_url {ctx.spec.codex.base_url} (flowgate-lint print codex)")


@register
class ClientTargetsBindAll(Rule):
    """## What it does
    Warns when a client is pointed at `0.0.0.0`: a client base-URL key (`ANTHROPIC_BASE_URL`,
    `OPENAI_BASE_URL`, Codex `base_url`) or a client API call (`curl http://0.0.0.0:4000/v1/models`)
    whose host is the bind-all address, where the context model says it targets the gateway.

    ## When it deliberately does not fire
    `0.0.0.0` as what a server binds to (`--host 0.0.0.0`, `host: 0.0.0.0`, "listens on
    0.0.0.0:4000"), other services, history files and sections.

    ## Why is this bad?
    `0.0.0.0` is an address to listen on, not to connect to. Connecting to it works on Linux and
    macOS, fails on Windows, and teaches readers a habit that breaks behind proxies and in
    containers. The port is not wrong for that reason (FG301 checks ports).

    ## Example
    ```sh
    export ANTHROPIC_BASE_URL=http://0.0.0.0:4000
    ```

    Use instead:
    ```sh
    export ANTHROPIC_BASE_URL=http://127.0.0.1:4000
    ```

    ## Fix
    Unsafe: the host becomes `127.0.0.1` (the gateway may be meant to be reached from elsewhere).
    """

    code = "FG306"
    name = "client-targets-bind-all-address"
    summary = "A client is pointed at 0.0.0.0, a bind address; use 127.0.0.1"
    severity = "warning"
    kinds = ALL_KINDS
    skip_history = True
    fixable = True
    fix_safety = "unsafe"
    triggers = (r"0\.0\.0\.0",)

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        spec = ctx.spec
        for ref in refs(src):
            u = ref.url
            if cm.host_class(u.host, spec) != "any":
                continue
            key = cm.key_at(src, u.start)
            if cm.client_key(key) is None and not cm.is_client_path(u.path):
                continue
            t = cm.judge(src, ctx, u.start, u.end, key=key, url=u)
            if not t.is_gateway:
                continue
            host = spec.gateway.host if cm.is_loopback(spec.gateway.host) else "127.0.0.1"
            fix = Fix((src.edit(u.host_start, u.host_end, host),), UNSAFE, f"Use {host}")
            yield src.finding(self, u.host_start, u.host_end,
                              f"{ref.text}: 0.0.0.0 is a bind address, not one to connect to; point clients at {host}", fix)


# A client API call inside a path ("/api/v1/messages"): what comes before it is the route prefix.
_BASE_URL_VARS = frozenset({"ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE"})
_CLIENT_API = lazy(r"/v1/(?:messages(?:/count_tokens)?|models|chat/completions|responses)(?:[/?#]|$)")


@register
class GatewayRouteUnknown(Rule):
    """## What it does
    Where the settings declare the gateway's routes (`gateway-routes`, for a gateway that serves
    client APIs under path prefixes such as `/claude` and `/codex`), checks the route prefix of
    every client URL on the gateway: a client API call (`/api/v1/messages`: prefix `/api`) or a
    client base URL (`ANTHROPIC_BASE_URL=http://127.0.0.1:8000/api`). The prefix must be one of
    the declared routes (`/` for the root); a trailing `/v1` belongs to the API, not the route.

    ## When it deliberately does not fire
    - When `gateway-routes` is not set: most gateways serve the APIs at the root, and a path
      prefix may be a documented route (LiteLLM's `/anthropic` pass-through).
    - URLs that do not target the gateway (the shared context model: upstreams, other local
      services, a section's own example gateway), URLs on another port (FG301's), and paths that
      are not client APIs (`/health`, `/docs`, `/metrics`).
    - In history files and sections, and in blocks the text presents as old or wrong.

    ## Why is this bad?
    After a gateway moves its routes (`/api` becomes `/claude`), every example that still uses the
    old prefix answers 404, while host and port look right.

    ## Example
    ```sh
    curl http://127.0.0.1:8000/api/v1/messages    # routes: /claude, /codex
    ```

    Use instead:
    ```sh
    curl http://127.0.0.1:8000/claude/v1/messages
    ```

    ## Fix
    None: which route is meant is a human decision.
    """

    code = "FG307"
    name = "gateway-route-unknown"
    summary = "A client URL on the gateway uses a route prefix the gateway does not serve"
    kinds = ALL_KINDS
    skip_history = True
    triggers = (r"localhost", r"127\.\d", r"0\.0\.0\.0", r"::1")

    def check(self, src: Source, ctx: Any) -> Iterator[Finding]:
        from flowgate_lint.spec.model import route_prefix

        gw = ctx.spec.gateway
        if not gw.routes:
            return
        for ref in refs(src):
            u = ref.url
            if u.port is None or cm.host_class(u.host, ctx.spec) not in _LOCAL_HOSTS or not gw.listens_on(u.port):
                continue
            key = cm.key_at(src, u.start)
            api = _CLIENT_API.search(u.path)
            if api is not None:
                prefix = route_prefix(u.path[:api.start()])
            elif key in _BASE_URL_VARS or (src.kind == "toml" and key in ("base_url", "openai_base_url")):
                prefix = route_prefix(u.path.split("?", 1)[0])  # a client's base URL (not a program's own base_url=)
            else:
                continue
            if prefix in gw.routes:
                continue
            t = cm.judge(src, ctx, u.start, u.end, key=key, url=u)
            if not t.is_gateway or t.local or t.quoted:
                continue
            shown = ", ".join(r or "/" for r in gw.routes)
            yield src.finding(self, u.start, u.end,
                              f"{ref.text}: the gateway serves no route '{prefix or '/'}' (its routes: {shown})")
