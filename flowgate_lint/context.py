"""The shared context model: what a value in a doc, script or config refers to.

A careful maintainer does not read ``http://localhost:1455`` as "the gateway on the wrong port":
they look at the key it is assigned to, the path, the host and the section around it. Rules ask
this module instead of each deciding alone. Everything here is pure (text and spec in, immutable
values out); per-file results are cached on the run's ``engine.Context`` (single entry, keyed by
the HostFile object, so a fixer's re-lint of edited text recomputes them).

API (stable; rules import these names):

``judge(src, ctx, start, end, key=None) -> Target``
    What the URL or ``host:port`` at ``src.text[start:end]`` targets. ``key`` names the variable or
    config key the value is assigned to when the caller knows it (``ANTHROPIC_BASE_URL``,
    ``base_url``, ``api_base``...); otherwise it is looked up (env-style assignments, structured
    leaves, ``codex -c`` flags). Four signals decide, in this order: the host (loopback aliases
    ``localhost``/``127.x``/``::1``/``[::1]``, ``0.0.0.0``, the spec's host, or a remote host), the
    enclosing section (its own gateway config, a provider guide, a section about another service,
    history), the service the line names right next to the value, and the client signals (a client
    base-URL key, a client API path).

``Target`` (NamedTuple)
    ``kind``: ``GATEWAY`` (this gateway), ``SERVICE`` (another declared service: ``service`` names
    it), ``UPSTREAM`` (a remote host: a provider or a remote gateway; ``service`` is the host),
    ``LOCAL`` (another local service: OAuth callback, MCP server, Ollama...; ``service`` labels it),
    ``UNKNOWN`` (a loopback URL with no signal: nobody can say). ``certainty``: ``CERTAIN`` or
    ``PROBABLE`` (meaningful for ``GATEWAY``: a fix is safe only when certain). ``reason``: one
    phrase, for messages and ``--verbose``. ``expected_port``: the port the target should use in
    this context (the section's own config, else the spec; None when unknown). ``local``: True when
    judged against a section's own config. ``host_class``: see ``host_class``. Properties
    ``is_gateway`` and ``certain``.

``parse_url(text) -> Url | None``, ``find_urls(text) -> list[Url]``
    URLs (``http(s)://host[:port][/path]``) and bare loopback ``host:port`` references, with spans.

``host_class(host, spec) -> str``
    ``"loopback"``, ``"any"`` (``0.0.0.0``/``::``, a bind address), ``"spec"`` (the spec's own
    non-loopback host), ``"remote"``; ``""`` for no host.

``CLIENT_KEYS``, ``client_key(name) -> str | None``
    Client base-URL keys: ``ANTHROPIC_BASE_URL`` -> "claude", ``OPENAI_BASE_URL`` /
    ``openai_base_url`` / Codex ``base_url`` -> "codex".

``CLIENT_PATHS``, ``is_client_path(path) -> bool``
    The client API paths (``/v1/models``, ``/v1/messages``, ``/v1/messages/count_tokens``,
    ``/v1/chat/completions``, ``/v1/responses``, and the same under a route prefix).

``section_at(src, ctx, offset) -> Section``, ``sections(src, ctx) -> tuple[Section, ...]``
    The innermost section around ``src.text[offset]`` (Markdown heading sections; a non-Markdown
    file is one section). ``Section`` fields: ``title``, ``level`` (0 = whole file), ``start_line``,
    ``end_line`` (host lines, inclusive), ``chain`` (titles outermost first), ``history`` (a history
    file, or under a Changelog/History heading), ``provider_guide`` (a provider-switching or "add a
    provider" guide), ``describes`` (name of another service the section is about, or None),
    ``local`` (``LocalConfig`` the section brings, or None).

``LocalConfig`` (NamedTuple)
    A gateway config a section brings itself (pattern "self-contained example"): ``kind``
    (``"litellm"``, ``"flowgate"``, ``"cliproxyapi"``, ``"command"``), ``port`` (None: not stated),
    ``models`` (``model_list`` names, None: not stated), ``line`` (host line of its fence).

``block_facts(fence_src, ctx) -> Block``
    For a fenced block's Source: ``names_file`` (the file the doc presents the block as, from the
    fence info, a first-line comment or the sentence before it; None), ``elided`` (holds ``...``
    or ``…`` lines), ``complete`` (presented as a whole file the user copies: names a file and is
    not elided), ``repo_config`` (presented as the repository's own gateway config: it names that
    file, or has the real config's top-level structure), ``local`` (the ``LocalConfig`` it is, if
    any).

``is_history(path, ctx) -> bool``
    Whether a root-relative path is a history file (settings ``history`` / ``extend-history``;
    defaults ``HISTORY_DEFAULT``). The engine skips rules with ``skip_history = True`` there.

``service_near(text, start, end, ctx) -> Mention | None``
    The service named right next to ``text[start:end]`` ("LiteLLM: http://...", "CLIProxyAPIPlus on
    port 5000", "port 8317 (CLIProxyAPIPlus)"): a declared service, the gateway's generic names
    ("gateway", "proxy", "网关"), or a well-known other local service (Ollama, MCP, OAuth callback).
    ``Mention``: ``name`` (declared service name, ``"gateway"`` or the other service's label),
    ``kind`` (``"declared"``, ``"gateway"``, ``"other"``), ``start``/``end`` in ``text``.

``declared(ctx) -> tuple[spec.Service, ...]``, ``service_by_port(ctx, port)``,
``service_by_name(ctx, name)``, ``upstream_ports(ctx)``
    The declared services, lookups, and the ports the gateway itself forwards to (``api_base``
    of its ``model_list``).

``prose_pieces(src) -> Iterator[(text, to_host | None)]``
    What to read as prose in a source: a Markdown file's prose segments plus its untagged,
    ``text``-like and client-code fences (``PROSE_FENCES``) and indented code blocks (diagrams,
    console transcripts; a unified diff's removed lines blanked); else the whole source.

``counter_example(src, ctx, offset) -> bool``, ``PAST_OR_WRONG``, ``client_arrow(before)``,
``gateway_label(spec)``
    A fenced block the sentence before presents as what not to do; the regex of lines that quote
    a value as old or wrong; "<client> → [hop]" right before an address (the hop's name, "" or
    None); "the gateway (litellm)" naming the service only when a gateway config says which.
"""

import re
from typing import Any, Iterator, NamedTuple

from flowgate_lint.lazyre import lazy

# ---------------------------------------------------------------------------- values

GATEWAY = "gateway"
SERVICE = "service"
UPSTREAM = "upstream"
LOCAL = "local"
UNKNOWN = "unknown"
CERTAIN = "certain"
PROBABLE = "probable"


class Target(NamedTuple):
    kind: str
    certainty: str
    service: str | None
    reason: str
    expected_port: int | None = None
    local: bool = False
    host_class: str = ""
    quoted: bool = False  # history, or presented as old or wrong: report nothing about it

    @property
    def is_gateway(self) -> bool:
        return self.kind == GATEWAY

    @property
    def certain(self) -> bool:
        return self.kind == GATEWAY and self.certainty == CERTAIN


class Url(NamedTuple):
    scheme: str  # "http", "https", "" for a bare host:port
    host: str  # as written ("[::1]" keeps its brackets)
    port: int | None
    path: str  # "" when none
    start: int  # span of the whole reference in the scanned text
    end: int
    host_start: int
    host_end: int
    port_start: int  # -1 when there is no port
    port_end: int


class LocalConfig(NamedTuple):
    kind: str
    port: int | None
    models: tuple[str, ...] | None
    line: int


class Section(NamedTuple):
    title: str
    level: int
    start_line: int
    end_line: int
    chain: tuple[str, ...]
    history: bool
    provider_guide: bool
    describes: str | None
    local: LocalConfig | None


class Block(NamedTuple):
    names_file: str | None
    elided: bool
    complete: bool
    repo_config: bool
    local: LocalConfig | None


class Mention(NamedTuple):
    name: str
    kind: str  # "declared", "gateway", "other"
    start: int
    end: int


# ---------------------------------------------------------------------------- literal gates

_GATES: dict[str, Any] = {}  # pattern -> its gate, or how many times it was asked for before the gate is made
_GATE_AFTER = 64  # making a gate costs up to ~1 ms (the pattern's parse): only worth it for a pattern used often


def search(rx: Any, text: str) -> re.Match[str] | None:
    """``rx.search(text)``, not even tried when ``text`` lacks a literal every match holds (a substring test
    costs a fraction of a search with a large alternation)."""
    return rx.search(text) if may_match(rx, text) else None


def may_match(rx: Any, text: str) -> bool:
    """False when ``text`` lacks a literal every match of ``rx`` holds (True: it may match)."""
    gate = _GATES.get(rx.pattern, 0)  # the gate holds whatever the flags
    if type(gate) is int:
        if gate < _GATE_AFTER:
            _GATES[rx.pattern] = gate + 1
            return True
        gate = _GATES[rx.pattern] = _gate_of(rx.pattern)
    return gate is True or gate(text)


def _gate_of(pattern: str) -> Any:
    """text -> whether it holds a string of each of the pattern's required literal groups (``prefilter.
    required_groups``: casefolded, so it also holds for a case-sensitive pattern); True: no gate."""
    from flowgate_lint.prefilter import fold, required_groups

    groups = required_groups(pattern)
    if not groups:
        return True
    literals = sorted({s for g in groups for s in g})
    if len(groups) == 1 and len(literals) <= 12:
        needles = tuple(literals)

        def few(text: str) -> bool:
            folded = fold(text)
            for n in needles:
                if n in folded:
                    return True
            return False

        return few
    try:
        from ahocorasick_rs import AhoCorasick, MatchKind
    except ImportError:  # pragma: no cover - a declared dependency
        return lambda text: all(any(n in fold(text) for n in g) for g in groups)
    find = AhoCorasick(literals, matchkind=MatchKind.Standard).find_matches_as_indexes
    if len(groups) == 1:
        return lambda text: bool(find(fold(text)))
    sets = [frozenset(literals.index(s) for s in g) for g in groups]

    def every(text: str) -> bool:
        found = {i for i, _, _ in find(fold(text), overlapping=True)}
        return all(not g.isdisjoint(found) for g in sets)

    return every


# ---------------------------------------------------------------------------- URLs and hosts

_URL = lazy(r"\bhttps?://(?:[^\s/@:\"'`<>]+(?::[^\s/@\"'`<>]*)?@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?(/[^\s\"'`<>)\]},;|]*)?")
_HOSTPORT = lazy(
    r"(?<![\w/.:@-])(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|0\.0\.0\.0|\[::1?\]|::1)"
    r":(\d{2,5})\b(?![\w.-])(/[^\s\"'`<>)\]},;|]*)?", re.I)


def _url_of(m: re.Match[str], scheme: str) -> Url | None:
    port_s = m.group(2)
    port = int(port_s) if port_s else None
    if port is not None and not 0 < port <= 65535:
        return None
    path = (m.group(3) or "").rstrip(".,:;!?")
    end = m.start(3) + len(path) if m.group(3) else m.end(2) if port_s else m.end(1)
    return Url(scheme, m.group(1), port, path, m.start(), end, m.start(1), m.end(1),
               m.start(2) if port_s else -1, m.end(2) if port_s else -1)


def find_urls(text: str) -> list[Url]:
    """URLs and bare loopback ``host:port`` references in ``text``, in order."""
    if ":" not in text:
        return []  # both patterns need one
    out = []
    for m in _URL.finditer(text) if "http" in text else ():
        u = _url_of(m, text[m.start():m.start() + 5].rstrip(":").lower())
        if u is not None:
            out.append(u)
    spans = [(u.start, u.end) for u in out]
    for m in _HOSTPORT.finditer(text) if may_match(_HOSTPORT, text) else ():
        if any(a <= m.start() < b for a, b in spans):
            continue
        u = _url_of(m, "")
        if u is not None:
            out.append(u)
    out.sort(key=lambda u: u.start)
    return out


_PARSED: dict[str, Url | None] = {}  # values are parsed again and again (the same base URL in every doc)


def parse_url(text: str) -> Url | None:
    """The first URL or host:port in ``text`` (offsets relative to ``text``)."""
    if text in _PARSED:
        return _PARSED[text]
    urls = find_urls(text)
    if len(_PARSED) > 4096:
        _PARSED.clear()
    url = _PARSED[text] = urls[0] if urls else None
    return url


def _bare_host(host: str) -> str:
    return host.strip("[]").lower()


def is_loopback(host: str) -> bool:
    h = _bare_host(host)
    return h in ("localhost", "::1", "ip6-localhost") or h.startswith("127.") or h.endswith(".localhost")


_LOCAL_CLASS: dict[str, str] = {}  # host -> "loopback", "any" or "" (neither): the same few hosts, file after file


def host_class(host: str | None, spec: Any) -> str:
    if not host:
        return ""
    local = _LOCAL_CLASS.get(host)
    if local is None:
        h = _bare_host(host)
        local = "loopback" if is_loopback(h) else "any" if h in ("0.0.0.0", "::", "") else ""
        if len(_LOCAL_CLASS) > 4096:
            _LOCAL_CLASS.clear()
        _LOCAL_CLASS[host] = local
    if local:
        return local
    if spec is not None and _bare_host(host) == _bare_host(spec.gateway.host):
        return "spec"
    return "remote"


CLIENT_KEYS = {
    "ANTHROPIC_BASE_URL": "claude",
    "OPENAI_BASE_URL": "codex",
    "OPENAI_API_BASE": "codex",
    "openai_base_url": "codex",
    "base_url": "codex",
}
# Keys whose value is something the gateway calls, never the gateway itself.
UPSTREAM_KEYS = frozenset({"api_base", "api_base_url", "upstream", "upstream_url", "base-url", "proxy-url", "target"})
# Keys of other local endpoints.
OTHER_KEYS = {"redirect_uri": "OAuth callback", "callback": "OAuth callback", "callback_url": "OAuth callback",
              "mcpServers": "MCP server", "mcp_servers": "MCP server"}


def client_key(name: str | None) -> str | None:
    return CLIENT_KEYS.get(name) if name else None


CLIENT_PATHS = ("/v1/models", "/v1/messages", "/v1/messages/count_tokens", "/v1/chat/completions", "/v1/responses")
_CLIENT_PATH = lazy(r"(?:^|/)v1/(?:models|messages(?:/count_tokens)?|chat/completions|responses)(?:/|$|\?)")
# Paths only the gateway product serves (LiteLLM's health and admin routes, CLIProxyAPI's management API).
_GATEWAY_PATHS = {
    "litellm": lazy(r"^/(?:health/liveliness|health/readiness|model/info|key/generate|v1/model/info)\b"),
    "cliproxyapi_plus": lazy(r"^/v0/management"),
}


def is_client_path(path: str) -> bool:
    return bool(path) and _CLIENT_PATH.search(path.split("?")[0] + ("" if path.endswith("/") else "")) is not None


# Well-known local services that are not this gateway: label -> (name regex, usual port or None).
OTHER_SERVICES: dict[str, tuple[str, int | None]] = {
    "Ollama": (r"ollama", 11434),
    "LM Studio": (r"lm[ -]?studio", 1234),
    "llama.cpp": (r"llama[.-]?cpp|llama-server", None),
    "vLLM": (r"vllm", None),
    "MCP server": (r"mcp(?:[ -]server)?s?", None),
    "OAuth callback": (r"oauth|callback|redirect[ _-]?ur[il]", None),
    "dashboard": (r"dashboard|grafana|prometheus|jaeger|langfuse|kibana|web[ -]?ui|ui|admin|metrics", None),
    "database": (r"postgres(?:ql)?|mysql|redis|mongo(?:db)?|elasticsearch", None),
    "claude-code-router": (r"claude[ -]code[ -]router|\bccr\b", 3456),
}
API_SERVICES = frozenset({"Ollama", "LM Studio", "llama.cpp", "vLLM", "claude-code-router", "copilot-api"})  # serve client APIs
OTHER_PORTS = {11434: "Ollama", 1234: "LM Studio", 5432: "PostgreSQL", 3306: "MySQL", 6379: "Redis", 27017: "MongoDB",
               9200: "Elasticsearch", 9090: "Prometheus", 3456: "claude-code-router", 1455: "Codex OAuth callback",
               4141: "copilot-api"}
GATEWAY_WORDS = r"gateway|网关"


# ---------------------------------------------------------------------------- services


def declared(ctx: Any) -> tuple:
    return tuple(getattr(ctx.spec, "services", ()) or ())


def service_by_port(ctx: Any, port: int | None) -> Any:
    """The declared service on ``port`` (the gateway first), or None."""
    if port is None:
        return None
    gw = ctx.spec.gateway
    if port == gw.port:
        return next((s for s in declared(ctx) if s.name == gw.service), None)
    return next((s for s in declared(ctx) if s.port == port), None)


def service_by_name(ctx: Any, name: str) -> Any:
    return next((s for s in declared(ctx) if s.name == name), None)


def _name_regex(name: str) -> str:
    parts = [p for p in re.split(r"[_\-. ]+", name.lower()) if p]
    if not parts:
        return re.escape(name)
    opt_plus = parts[-1] == "plus" and len(parts) > 1
    core = parts[:-1] if opt_plus else parts
    body = r"[-_ .]?".join(re.escape(p) for p in core)
    if opt_plus:
        body += r"(?:[-_ .]?plus)?"
    return body


def _run_cache(ctx: Any) -> dict:
    return ctx.__dict__.setdefault("_flowgate_context_model", {})


def _mention_regex(ctx: Any) -> re.Pattern[str]:
    cache = _run_cache(ctx)
    rx = cache.get("mentions")
    if rx is None:
        alts = []
        names = {s.name for s in declared(ctx)} | {ctx.spec.gateway.service}
        if _guessed_gateway(ctx):
            names.discard(ctx.spec.gateway.service)  # a default, not a name the config gives: only "gateway"
        names = sorted(names, key=len, reverse=True)
        for i, name in enumerate(names):
            alts.append(f"(?P<d{i}>{_name_regex(name)})")
        cache["mention_names"] = names
        labels = list(OTHER_SERVICES)
        cache["other_labels"] = labels
        for i, label in enumerate(labels):
            alts.append(f"(?P<o{i}>{OTHER_SERVICES[label][0]})")
        alts.append(f"(?P<g>{GATEWAY_WORDS})")
        # not inside a word, a path or a file name ("gateway.ini", "config/litellm.yaml")
        rx = re.compile(r"(?<![A-Za-z0-9/])(?:" + "|".join(alts) + r")(?![A-Za-z0-9]|\.[A-Za-z]|/)", re.I)
        cache["mentions"] = rx
    return rx


def _guessed_gateway(ctx: Any) -> bool:
    """Whether the gateway's service name is only flowgate-lint's default (a spec from settings alone)."""
    if getattr(ctx.spec, "source_kind", "") != "settings":
        return False
    values = getattr(getattr(ctx, "settings", None), "values", None) or {}
    return "gateway-service" not in values


# "Claude Code ──► relay-hub :3000", "Codex CLI → http://127.0.0.1:4000/v1": a client and an arrow, then
# (optionally) the name of the hop, right before the address.
_CLIENT_ARROW = lazy(
    r"(?:codex(?:[ -]cli)?|claude[ -]code|claude)\s*(?:[-─=]+>|[-─]*►|→|⟶|➜|=>)\s*(?:([A-Za-z][\w.-]*)\s+)?\Z", re.I)


def client_arrow(before: str) -> str | None:
    """When ``before`` ends with "<client> → [hop]": the hop's name ("" when none); else None."""
    m = _CLIENT_ARROW.search(before[-80:])
    return None if m is None else (m.group(1) or "")


def mentions(text: str, ctx: Any) -> list[Mention]:
    """Every service named in ``text``."""
    cache = _run_cache(ctx)
    seen = cache.setdefault("mentions_of", {})  # the same lines are asked about again and again
    if text in seen:
        return list(seen[text])
    if len(seen) > 4096:
        seen.clear()
    found = _mentions(text, ctx)
    seen[text] = tuple(found)
    return found


def _mentions(text: str, ctx: Any) -> list[Mention]:
    rx = _mention_regex(ctx)
    cache = _run_cache(ctx)
    names, labels = cache["mention_names"], cache["other_labels"]
    out = []
    for m in rx.finditer(text):
        group = m.lastgroup or ""
        if group.startswith("d"):
            name = names[int(group[1:])]
            kind = "gateway" if name == ctx.spec.gateway.service else "declared"
            out.append(Mention(name, kind, m.start(), m.end()))
        elif group.startswith("o"):
            label = labels[int(group[1:])]
            if OTHER_SERVICES[label][1] == ctx.spec.gateway.port:  # the docs' gateway is that server (Ollama on 11434)
                out.append(Mention(ctx.spec.gateway.service, "gateway", m.start(), m.end()))
            else:
                out.append(Mention(label, "other", m.start(), m.end()))
        else:
            out.append(Mention(ctx.spec.gateway.service, "gateway", m.start(), m.end()))
    return out


# Words that may stand between a service name and its address ("LiteLLM is listening on port 4000").
_GAP_WORDS = frozenset("""at on is are runs running listens listening served serves serving port ports url urls base endpoint
address host health status via local locally default by the its api server proxy gateway should be now uses use using
http https
端口 地址 运行在 监听 在 为 是 默认""".split())
_GAP_TOKEN = lazy(r"[A-Za-z]+|[\u4e00-\u9fff]+")
_GAP_END = lazy(r"[.!?;。；](?:\s|$)")
_AFTER_GAP = lazy(r"\s*(?:[(\[（]|[-–—:]|\|)\s*(?:the\s+)?", re.I)


def _adjacent_gap(gap: str) -> bool:
    if len(gap) > 40 or _GAP_END.search(gap):
        return False
    return all(tok.lower() in _GAP_WORDS for tok in _GAP_TOKEN.findall(gap))


def service_near(text: str, start: int, end: int, ctx: Any) -> Mention | None:
    """The service named right before ``text[start:end]`` (only filler words between them), or right after it
    in parentheses or after a dash ("4000 (LiteLLM)", "8317 - CLIProxyAPIPlus")."""
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    line_end = len(text)
    for brk in ("\n", "\r"):
        at = text.find(brk, end)
        if 0 <= at < line_end:
            line_end = at
    line = text[line_start:line_end]
    found = mentions(line, ctx)
    before = [m for m in found if m.end + line_start <= start]
    if before:
        m = before[-1]
        if _adjacent_gap(text[line_start + m.end:start]):
            return m._replace(start=m.start + line_start, end=m.end + line_start)
    after = [m for m in found if m.start + line_start >= end]
    if after:
        m = after[0]
        gap = text[end:line_start + m.start]
        if _AFTER_GAP.fullmatch(gap):
            return m._replace(start=m.start + line_start, end=m.end + line_start)
    return None


def upstream_ports(ctx: Any) -> frozenset[int]:
    """Ports the gateway itself forwards to (loopback ``api_base`` values in its config's model_list)."""
    cache = _run_cache(ctx)
    if "upstream_ports" not in cache:
        ports: set[int] = set()
        data = _real_config(ctx)

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    if k in ("api_base", "base_url") and isinstance(v, str):
                        u = parse_url(v)
                        if u is not None and u.port is not None and host_class(u.host, ctx.spec) in ("loopback", "any", "spec"):
                            ports.add(u.port)
                    else:
                        walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)

        walk(data)
        cache["upstream_ports"] = frozenset(ports - {ctx.spec.gateway.port})
    return cache["upstream_ports"]


def _real_config(ctx: Any) -> Any:
    cache = _run_cache(ctx)
    if "real" not in cache:
        path = getattr(ctx.spec, "source_path", None)
        data = None
        if path is not None:
            try:
                from ruamel.yaml import YAML

                data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8-sig"))
            except Exception:  # noqa: BLE001 - the spec loaded, so this only fails on a race
                data = None
        cache["real"] = data
    return cache["real"]


# ---------------------------------------------------------------------------- history

HISTORY_DEFAULT = (
    "CHANGELOG*", "CHANGES", "CHANGES.*", "HISTORY", "HISTORY.*", "NEWS", "NEWS.*", "RELEASES", "RELEASES.*",
    "release-notes*", "release_notes*", "releasenotes*", "changelog.d", "docs/archive", "docs/plans",
    "docs/adr", "docs/adrs", "docs/decisions", "**/adr", "**/adrs", "adr-*.md",
)
HISTORY_HEADINGS = lazy(r"\b(?:change ?log|history|release notes|releases|what'?s new)\b|变更|更新日志|历史|发布说明", re.I)


def history_globs(settings: Any) -> tuple[str, ...]:
    values = getattr(settings, "values", None) or {}
    base = values.get("history")
    globs = tuple(base) if isinstance(base, list) else HISTORY_DEFAULT
    return globs + tuple(values.get("extend-history") or ())


def is_history(path: str, ctx: Any) -> bool:
    cache = _run_cache(ctx)
    rx = cache.get("history")
    if rx is None:
        from flowgate_lint.discover import glob_source

        globs = history_globs(getattr(ctx, "settings", None))
        rx = re.compile("|".join(f"(?:{glob_source(g)})" for g in globs) or r"(?!)", re.I) if globs else re.compile(r"(?!)")
        cache["history"] = rx
    known = cache.setdefault("history_of", {})  # asked for each file by the engine and by sections()
    if path not in known:
        known[path] = rx.match(path.replace("\\", "/")) is not None
    return known[path]


# ---------------------------------------------------------------------------- sections

_PROVIDER_GUIDE = lazy(
    r"\bproviders?\b|\bswitch(?:ing|er)?\b|\bthird[- ]party\b|\bupstreams?\b|\balternatives?\b|\bother (?:models|backends|vendors)\b"
    r"|\b(?:deepseek|openrouter|kimi|moonshot|glm|zhipu|bigmodel|qwen|dashscope|minimax|siliconflow|bedrock|vertex|groq)\b"
    r"|供应商|提供商|服务商|切换|第三方|中转", re.I)
_PROVIDER_PATH = lazy(r"(?:^|/)[^/]*(?:provider|switch|vendor)[^/]*$", re.I)


class _Heading(NamedTuple):
    line: int
    level: int
    title: str


def _headings(src: Any) -> list[_Heading]:
    doc = src.markdown()
    host = src.host
    out = []
    for seg in doc.segments:
        if seg.kind != "heading":
            continue
        raw = host.line_text(seg.line).lstrip(" >")
        if raw.startswith("#"):
            level = len(raw) - len(raw.lstrip("#"))
        else:
            under = host.line_text(seg.line + 1).strip()
            level = 1 if under.startswith("=") else 2
        out.append(_Heading(seg.line, max(1, min(level, 6)), seg.text.strip()))
    return out


def _main_markdown(src: Any) -> Any:
    if src.kind == "markdown" and not src.embedded:
        return src
    if src.host.kind == "markdown":
        return src.host.whole()
    from flowgate_lint.source import Source

    return Source(src.host, "markdown", src.host.text)


def _file_cache(src: Any, ctx: Any) -> dict:
    entry = ctx.__dict__.get("_flowgate_context_file")  # asked for on every judgement: no detour via _run_cache
    if entry is None or entry[0] is not src.host:
        entry = ctx.__dict__["_flowgate_context_file"] = (src.host, {})
    return entry[1]


def sections(src: Any, ctx: Any) -> tuple[Section, ...]:
    """Every section of ``src``'s host file, outermost first (level 0: the whole file)."""
    fc = _file_cache(src, ctx)
    if "sections" in fc:
        return fc["sections"]
    host = src.host
    n_lines = max(1, len(host.line_starts) - (1 if host.text[-1:] in ("\n", "\r") and host.text else 0))
    history_file = is_history(host.path, ctx)
    guide_file = bool(search(_PROVIDER_PATH, host.path))
    out: list[Section] = []
    heads: list[_Heading] = []
    fences: list[Any] = []
    if host.kind == "markdown":
        md = _main_markdown(src)
        heads = _headings(md)
        fences = list(md.markdown().fences)
    configs = [(f.open_line, lc) for f in fences for lc in [_fence_local(f, ctx)] if lc is not None]
    spans: list[tuple[int, int, int]] = []  # (level, first line, last line) of every heading's section

    def build(title: str, level: int, start: int, end: int, chain: tuple[str, ...]) -> Section:
        titles = " ".join(chain)
        local = _merge_local([lc for line, lc in configs if start <= line <= end])
        return Section(
            title, level, start, end, chain,
            history=history_file or any(search(HISTORY_HEADINGS, t) for t in chain),
            provider_guide=guide_file or any(search(_PROVIDER_GUIDE, t) for t in chain),
            describes=_describes(chain, ctx) if titles else None,
            local=local,
        )

    bounds = []
    for i, h in enumerate(heads):
        end = next((k.line - 1 for k in heads[i + 1:] if k.level <= h.level), n_lines)
        bounds.append(end)
        spans.append((h.level, h.line, end))
    out.append(build("", 0, 1, n_lines, ()))
    stack: list[_Heading] = []
    for h, end in zip(heads, bounds):
        while stack and stack[-1].level >= h.level:
            stack.pop()
        stack.append(h)
        out.append(build(h.title, h.level, h.line, end, tuple(s.title for s in stack)))
    fc["sections"] = tuple(out)
    fc["configs"] = tuple((line, *_reach(line, spans), lc) for line, lc in configs)
    return fc["sections"]


def _reach(line: int, spans: list[tuple[int, int, int]]) -> tuple[int, int, int]:
    """Where a config block on ``line`` applies: its whole section (the outermost one below the document title
    that holds it: a "## Example" with its "### Config" and "### Clients"), and every line after it to the end of
    the document title's section (a tutorial's later steps use it). Returns (first, last, last after it)."""
    holding = [(level, lo, hi) for level, lo, hi in spans if lo <= line <= hi]
    below_title = [(lo, hi) for level, lo, hi in holding if level >= 2]
    lo, hi = below_title[0] if below_title else holding[-1][1:] if holding else (1, 10**9)
    titled = [hi2 for level, lo2, hi2 in holding if level < 2]
    return lo, hi, max(hi, titled[-1] if titled else 10**9)


def _merge_local(configs: list[LocalConfig]) -> LocalConfig | None:
    """One section's own gateway: a model_list block and the command that starts it on a port."""
    if not configs:
        return None
    first = configs[0]
    port = next((c.port for c in configs if c.port is not None), None)
    models = next((c.models for c in configs if c.models is not None), None)
    return first._replace(port=port, models=models)


def _describes(chain: tuple[str, ...], ctx: Any) -> str | None:
    """The non-gateway service the innermost heading that names a service is about."""
    for title in reversed(chain):
        found = mentions(title, ctx)
        if not found:
            continue
        if any(m.kind == "gateway" for m in found):
            return None
        return found[0].name
    return None


def section_at(src: Any, ctx: Any, offset: int) -> Section:
    """The innermost section holding ``src.text[offset]``, with a local config inherited from the innermost
    enclosing section that brings one."""
    line = src.host.position(src.to_host(offset))[0]
    fc = _file_cache(src, ctx)
    key = ("section_at", line)
    if key in fc:
        return fc[key]
    chain = [s for s in sections(src, ctx) if s.start_line <= line <= s.end_line]
    configs = fc["configs"]
    # The section's own config first, then the nearest one above.
    applies = [lc for own, _, lc in sorted((not lo <= line <= hi, -at, lc) for at, lo, hi, after, lc in configs
                                            if lo <= line <= hi or at <= line <= after)]
    fc[key] = chain[-1]._replace(local=_merge_local(applies))
    return fc[key]


# ---------------------------------------------------------------------------- local configs and blocks

_PORT_FLAG = lazy(r"--port[ =](\d{2,5})\b")
_DOCKER_PORT = lazy(r"(?:-p|--publish)[ =](?:[\d.]+:)?(\d{2,5}):(\d{2,5})\b")
_GATEWAY_CMD = lazy(r"\blitellm\b(?![-_.])|cli-?proxy-?api|\bflowgate\b(?![-_.])", re.I)


def _local_config_of(text: str, kind: str, ctx: Any, line: int) -> LocalConfig | None:
    """The gateway config a block (or a whole example file) brings, if it is one."""
    if kind in ("yaml", "json"):
        try:
            data = _load_data(text, kind, ctx)
        except Exception:  # noqa: BLE001 - a block that does not parse brings nothing we can read
            return None
        if not isinstance(data, dict):
            return None
        if isinstance(data.get("model_list"), list) or isinstance(data.get("litellm_settings"), dict):
            names = tuple(str(e["model_name"]) for e in data.get("model_list") or () if isinstance(e, dict) and "model_name" in e)
            port = data.get("port") if isinstance(data.get("port"), int) else None
            return LocalConfig("litellm", port, names or None, line)
        services = data.get("services")
        if isinstance(services, dict) and ("config_version" in data or "litellm_base" in data):
            gw = services.get(ctx.spec.gateway.service)
            port = gw.get("port") if isinstance(gw, dict) and isinstance(gw.get("port"), int) else None
            base = data.get("litellm_base")
            ml = base.get("model_list") if isinstance(base, dict) else None
            names = tuple(str(e["model_name"]) for e in ml or () if isinstance(e, dict) and "model_name" in e)
            return LocalConfig("flowgate", port, names or None, line)
        if isinstance(data.get("port"), int) and any(k in data for k in ("api-keys", "auth-dir", "openai-compatibility", "remote-management")):
            return LocalConfig("cliproxyapi", data["port"], None, line)
        return None
    if kind == "shell":
        spec_rel = getattr(ctx, "spec_rel", None) or ""
        spec_base = spec_rel.rsplit("/", 1)[-1]
        for raw in text.splitlines():
            if not _GATEWAY_CMD.search(raw) or raw.lstrip().startswith("#"):
                continue
            if spec_base and re.search(rf"(?<![\w.-]){re.escape(spec_base)}\b", raw):
                continue  # starts the repository's own gateway: not a self-contained example
            m = _PORT_FLAG.search(raw)
            if m:
                return LocalConfig("command", int(m.group(1)), None, line)
            d = _DOCKER_PORT.search(raw)
            if d:
                return LocalConfig("command", int(d.group(1)), None, line)
    return None


def _load_data(text: str, kind: str, ctx: Any = None) -> Any:
    """The parsed block (raises on a block that does not parse); with ``ctx``, parsed once per run (callers
    only read it)."""
    if ctx is None:
        return _parse_data(text, kind)
    parsed = _run_cache(ctx).setdefault("data", {})
    key = (kind, text)
    if key not in parsed:
        if len(parsed) > 256:
            parsed.clear()
        try:
            parsed[key] = (True, _parse_data(text, kind))
        except Exception as exc:  # noqa: BLE001 - re-raised to every caller, as a fresh parse would
            parsed[key] = (False, exc)
    ok, value = parsed[key]
    if not ok:
        raise value.with_traceback(None)
    return value


def _parse_data(text: str, kind: str) -> Any:
    if kind == "json":
        import json

        from flowgate_lint.source import strip_jsonc

        return json.loads(strip_jsonc(text))
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


def _fence_local(fence: Any, ctx: Any) -> LocalConfig | None:
    if fence.source is None or fence.source.kind not in ("yaml", "json", "shell"):
        return None
    if fence.source.kind != "shell" and _presents_repo_config(fence, ctx):
        return None  # an excerpt of the repository's own config is not a self-contained example
    local = _local_config_of(fence.source.text, fence.source.kind, ctx, fence.open_line)
    if local is not None and local.port is not None:
        svc = service_by_port(ctx, local.port)
        if svc is not None and svc.name != ctx.spec.gateway.service:
            return None  # starts another declared service (the previous gateway, an upstream)
    return local


FILE_NAME = _FILE_NAME = lazy(r"""(?:~/|\./|/)?(?:[\w.-]+/)*[\w.-]+\.(?:ya?ml|json5?|jsonc|toml|env|sh|conf|ini)\b|\.env\b""")
_ELLIPSIS = lazy(r"^\s*(?:#|//)?\s*(?:\.\.\.|…)\s*$|(?<![\w.])\.\.\.(?![\w.])", re.M)


def _fence_of(src: Any) -> Any:
    md = _main_markdown(src)
    start = src.to_host(0)
    for f in md.markdown().fences:
        if f.source is not None and f.content_start == start or f.source is src:
            return f
    return None


def _intro(src_host: Any, fence: Any) -> str:
    """The fence info, the first content line, and the two host lines before the fence."""
    host = src_host
    before = " ".join(host.line_text(n) for n in range(max(1, fence.open_line - 2), fence.open_line))
    first = host.line_text(fence.open_line + 1)
    return f"{fence.info} || {first} || {before}"


_GENERIC_NAMES = frozenset({"config.yaml", "config.yml", "config.json", "config.toml", "settings.yaml", "settings.json"})


def names_spec(name: str, ctx: Any) -> bool:
    """Whether a file name written in a doc is the repository's gateway config (its path, or its base name when
    that is distinctive: "flowgate.yaml", not "config.yaml")."""
    spec_rel = getattr(ctx, "spec_rel", None)
    if not spec_rel:
        return False
    name = name.lstrip("./")
    base = spec_rel.rsplit("/", 1)[-1]
    return name == spec_rel or spec_rel.endswith("/" + name) and (name != base or base not in _GENERIC_NAMES)


def _presents_repo_config(fence: Any, ctx: Any) -> bool:
    src = fence.source
    spec_rel = getattr(ctx, "spec_rel", None)
    intro = _intro(src.host, fence)
    if spec_rel:
        base = spec_rel.rsplit("/", 1)[-1]
        if spec_rel in intro or (base not in _GENERIC_NAMES and base in intro
                                 and re.search(rf"(?<![\w.-/]){re.escape(base)}\b", intro)):
            return True  # a generic name ("config.yaml") alone may be any tool's, or another setup's, config
    try:
        data = _load_data(src.text, src.kind, ctx)
    except Exception:  # noqa: BLE001
        return False
    if not isinstance(data, dict) or not data:
        return False
    keys = set(data)
    if not {"config_version", "services", "litellm_base"} & keys:
        return False  # decided without loading the real config (which imports ruamel.yaml)
    real = _real_config(ctx)
    return isinstance(real, dict) and keys <= set(real)


def block_facts(src: Any, ctx: Any) -> Block:
    """Facts about a fenced block's Source (see the module docstring)."""
    fc = _file_cache(src, ctx)
    key = ("block", src.to_host(0))
    if key in fc:
        return fc[key]
    fence = _fence_of(src) if src.embedded else None
    if fence is None:
        b = Block(src.host.path, False, True, bool(src.host.is_spec), None)
    else:
        intro = _intro(src.host, fence)
        m = _FILE_NAME.search(intro)
        names = m.group(0) if m else None
        elided = bool(_ELLIPSIS.search(src.text))
        repo = src.kind in ("yaml", "json") and _presents_repo_config(fence, ctx)
        local = None if repo else _local_config_of(src.text, src.kind, ctx, fence.open_line)
        b = Block(names, elided, names is not None and not elided, repo, local)
    fc[key] = b
    return b


# ---------------------------------------------------------------------------- prose pieces

PROSE_FENCES = frozenset({
    "", "text", "txt", "plain", "plaintext", "log", "output", "ascii", "diagram", "mermaid", "http", "none",
    # client code and other shells: read for their URLs and NAME=value settings, never parsed
    "python", "py", "javascript", "js", "typescript", "ts", "go", "rust", "java", "ruby",
    "bat", "cmd", "batch", "powershell", "ps1", "pwsh", "fish", "ini", "cfg", "conf", "dockerfile", "makefile",
})


def prose_pieces(src: Any) -> Iterator[tuple[str, Any]]:
    if src.kind != "markdown":
        yield src.text, None
        return
    cache = getattr(src, "_cache", None)
    pieces = cache.get("prose_pieces") if cache is not None else None
    if pieces is None:
        pieces = tuple(_markdown_prose_pieces(src))  # several rules read the same pieces
        if cache is not None:
            cache["prose_pieces"] = pieces
    yield from pieces


def prose_urls(src: Any) -> tuple[tuple[Url, ...], ...]:
    """``find_urls`` of each of ``prose_pieces(src)``, in the same order (cached per source: several rules read them)."""
    cache = getattr(src, "_cache", None)
    urls = cache.get("prose_urls") if cache is not None else None
    if urls is None:
        urls = tuple(tuple(find_urls(text)) for text, _ in prose_pieces(src))
        if cache is not None:
            cache["prose_urls"] = urls
    return urls


def _markdown_prose_pieces(src: Any) -> Iterator[tuple[str, Any]]:
    doc = src.markdown()
    for seg in doc.segments:
        yield seg.text, seg.to_host
    text = src.host.text
    for f in doc.fences:
        if f.source is None and f.lang in PROSE_FENCES:
            yield _without_removed_lines(text[f.content_start:f.content_end]), (lambda i, base=f.content_start: base + i)
    for a, b in doc.code_blocks:
        yield text[a:b], (lambda i, base=a: base + i)


_DIFF = lazy(r"^(?:@@ |\+\+\+ |--- a/)", re.M)
_REMOVED = lazy(r"^-(?!--).*$", re.M)


def _without_removed_lines(text: str) -> str:
    """A unified diff's removed lines are the old text: blanked (offsets kept) so nothing reads them."""
    if not _DIFF.search(text):
        return text
    return _REMOVED.sub(lambda m: " " * len(m.group(0)), text)


# ---------------------------------------------------------------------------- the judgement


def key_at(src: Any, start: int) -> str | None:
    """The variable or config key whose value holds ``src.text[start]``."""
    from flowgate_lint.scan import assignments

    for a in assignments(src):
        if a.token_start <= start < max(a.token_end, a.token_start + 1):
            return a.name
    if src.kind in ("yaml", "json", "toml"):
        try:
            leaves = src.leaves()
        except Exception:  # noqa: BLE001 - unparsable sources have no keys
            leaves = []
        for leaf in leaves:
            if leaf.start <= start < leaf.end:
                key = leaf.key
                if src.kind == "toml" and key == "base_url":
                    return "base_url" if _selected_provider(src, leaf.path) else "provider base_url"
                return key if isinstance(key, str) else (leaf.path[-2] if len(leaf.path) > 1 and isinstance(leaf.path[-2], str) else None)
    line_start = src.text.rfind("\n", 0, start) + 1
    m = None
    for m in _CODEX_FLAG.finditer(src.text, line_start, start + 1):
        pass
    if m is not None and m.start(2) <= start <= m.end(2):
        return "openai_base_url" if m.group(1) == "openai_base_url" else "base_url"
    k = _KEY_BEFORE.search(src.text, line_start, start)
    if k is not None:
        return k.group(1).rsplit(".", 1)[-1]
    return None


# ``key = "``, ``key: '``, ``"key": "``, ``KEY=`` right before a value (prose, text fences, broken snippets).
_KEY_BEFORE = lazy(r"""["']?([A-Za-z_][\w.-]*)["']?[ \t]*(?:=|:)[ \t]*["'`]?\Z""")


_CODEX_FLAG = lazy(r"""(?:-c|--config)[ =]['"]?(model_providers\.[\w.-]+\.base_url|openai_base_url)=['"]?([^\s'"]+)""")


def _selected_provider(src: Any, path: tuple) -> bool:
    """Whether a TOML ``model_providers.X.base_url`` belongs to the provider Codex uses."""
    if len(path) != 3 or path[0] != "model_providers":
        return False
    try:
        data = src.data()
    except Exception:  # noqa: BLE001
        return False
    providers = data.get("model_providers") if isinstance(data, dict) else None
    if not isinstance(providers, dict):
        return False
    selected = data.get("model_provider")
    if isinstance(selected, str) and selected in providers:
        return path[1] == selected
    return len(providers) == 1 or path[1] == "flowgate"


# The README of a sub-project (llm-proxy/README.md): about that directory's own program, not the repository's gateway.
_SUB_PROJECT_README = lazy(r"(?i)^(?!(?:docs?|documentation|\.github|guides?|examples?)/)[^/]+/(?:[^/]+/)*readme[^/]*\.md$")


def similar_port(port: int | None, expected: int) -> bool:
    """Whether ``port`` reads as a slip for ``expected``: the same port, one digit changed, added or dropped, two
    digits swapped, or a neighbour (4001 for 4000, 11435 for 11434, 8137 for 8317). A changed first digit is
    another port (3000 is not a slip for 4000)."""
    if port is None:
        return False
    a, b = str(port), str(expected)
    if abs(port - expected) <= 10:
        return True
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return (len(diff) == 1 and diff[0] > 0) or (len(diff) == 2 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return len(long_) - len(short) == 1 and any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def judge(src: Any, ctx: Any, start: int, end: int, key: str | None = None, url: Url | None = None) -> Target:
    """What the URL / host:port at ``src.text[start:end]`` targets (see the module docstring)."""
    if url is None:
        url = parse_url(src.text[start:end])
        if url is None:
            return Target(UNKNOWN, "", None, "not a URL")
    fc = _file_cache(src, ctx)
    # Several rules judge the same value; the judgement reads only the URL's host, port and path.
    memo = ("judge", src, start, end, key, url.host, url.port, url.path)
    if memo not in fc:
        fc[memo] = _judge(src, ctx, start, end, key, url)
    return fc[memo]


def _judge(src: Any, ctx: Any, start: int, end: int, key: str | None, url: Url) -> Target:
    spec = ctx.spec
    if key is None:
        key = key_at(src, start)
    hc = host_class(url.host, spec)
    section = section_at(src, ctx, start)
    local = section.local
    gw = spec.gateway
    expected = local.port if local is not None else gw.port
    is_local = local is not None
    client = client_key(key)
    client_path = is_client_path(url.path)

    def target(kind: str, certainty: str, service: str | None, reason: str) -> Target:
        return Target(kind, certainty, service, reason, expected, is_local, hc)

    if section.history:
        return target(UNKNOWN, "", None, "a history section")._replace(quoted=True)
    if hc == "remote":
        return target(UPSTREAM, "", _bare_host(url.host), "a remote host (a provider or a remote gateway)")
    if key in UPSTREAM_KEYS:
        svc = service_by_port(ctx, url.port)
        if svc is not None and svc.name != gw.service:
            return target(SERVICE, "", svc.name, f"the gateway's upstream ({key})")
        return target(LOCAL, "", None, f"an upstream the gateway calls ({key})")
    if key in OTHER_KEYS:
        return target(LOCAL, "", OTHER_KEYS[key], f"{key} names another local endpoint")
    if key == "provider base_url":
        return target(UNKNOWN, "", None, "the base_url of a Codex provider that is not selected")
    if url.port is None:
        return target(UNKNOWN, "", None, "no port: not an API address")
    if not is_local and url.port in gw.also:
        return Target(GATEWAY, CERTAIN, gw.service, f"port {url.port} is one of the gateway's ports", url.port,
                      False, hc)
    line_text, at, at_end = _line_of(src, start, end)
    if search(PAST_OR_WRONG, line_text):
        return target(UNKNOWN, "", None, "the line describes the past or a wrong example")._replace(quoted=True)
    if counter_example(src, ctx, start):
        return target(UNKNOWN, "", None, "the block is introduced as what not to do")._replace(quoted=True)
    if search(_CUSTOM_PORT, line_text) or _custom_port_intro(src, ctx, start):
        return target(UNKNOWN, "", None, "the text offers it as a port of the reader's choosing")
    if src.embedded and _under_before_comment(src.text, start):
        return target(UNKNOWN, "", None, "the block's comment above it says it is the old setting")._replace(quoted=True)
    near = service_near(line_text, at, at_end, ctx) or _path_mention(src, start, ctx) or _block_mention(src, ctx, start, line_text)
    if expected is not None and url.port == expected:
        if near is not None and near.kind == "declared" and not is_local:
            return target(SERVICE, "", near.name, f"named {near.name}, which the config puts on port "
                          f"{getattr(service_by_name(ctx, near.name), 'port', '?')}")
        return target(GATEWAY, CERTAIN, gw.service if not is_local else None, "the gateway's port")
    if near is not None and near.kind == "declared":
        return target(SERVICE, "", near.name, f"the line names {near.name}")
    if near is not None and near.kind == "other":
        return target(LOCAL, "", near.name, f"the line names {near.name}")
    other_label = _other_named(line_text, ctx)
    svc = service_by_port(ctx, url.port)
    if svc is not None and svc.name == gw.service:
        svc = None
    arrow = False
    if near is None:
        hop = client_arrow(line_text[:at])
        arrow = hop is not None
        if hop is not None:
            found = mentions(hop, ctx) if hop else []
            if found:
                near = found[0]._replace(start=-1, end=-1)
                if near.kind == "other":
                    return target(LOCAL, "", near.name, f"the diagram's hop is {near.name}")
            else:
                near = Mention(gw.service, "gateway", -1, -1)  # the client's own hop: the gateway
    describes = section.describes
    if describes is not None and (client or client_path) and describes not in API_SERVICES \
            and service_by_name(ctx, describes) is None:
        describes = None  # a client key in a section about MCP servers or OAuth still targets a model API
    if describes is not None and not (near is not None and near.kind == "gateway"):
        d = describes
        kind = SERVICE if service_by_name(ctx, d) is not None else LOCAL
        return target(kind, "", d, f"the section is about {d}")
    if client or client_path:
        signal = f"{key} is a client base-URL key" if client else f"{url.path} is a client API path"
        if other_label in API_SERVICES and (near is None or near.kind != "gateway"):
            return target(LOCAL, "", other_label, f"the line is about {other_label}")
        if svc is not None:
            if svc.port in upstream_ports(ctx) and not client:
                return target(SERVICE, "", svc.name, f"port {svc.port} is {svc.name}, which the gateway forwards to")
            return target(GATEWAY, PROBABLE, gw.service, f"{signal}, on the port of {svc.name} (not the gateway)")
        if url.port in OTHER_PORTS:
            return target(LOCAL, "", OTHER_PORTS[url.port], f"port {url.port} is {OTHER_PORTS[url.port]}'s")
        named = (near is not None and near.kind == "gateway") or any(m.kind == "gateway" for m in mentions(line_text, ctx))
        if expected is not None and not named and not similar_port(url.port, expected) \
                and (section.provider_guide or _SUB_PROJECT_README.search(src.host.path)):
            # A provider guide, or a sub-project's own README, pointing a client at a local port far from the
            # gateway's with nothing naming the gateway: as likely another local gateway as a mistake.
            return target(UNKNOWN, "", None, f"{signal}, but port {url.port} is unlike the gateway's and nothing names it")
        if section.provider_guide:
            return target(GATEWAY, PROBABLE, gw.service, f"{signal}, in a provider guide")
        if expected is None:
            return target(GATEWAY, PROBABLE, None, f"{signal}; the section's own config states no port")
        if hc == "any":
            return target(GATEWAY, PROBABLE, gw.service, f"{signal}, on the bind-all address")
        return target(GATEWAY, CERTAIN, gw.service, signal)
    if near is not None and near.kind == "gateway":
        return target(GATEWAY, PROBABLE, gw.service, "a client points at it in a diagram" if arrow else "the gateway is named next to it")
    if svc is not None:
        return target(SERVICE, "", svc.name, f"port {svc.port} is {svc.name}'s")
    pattern = _GATEWAY_PATHS.get(gw.service)
    if pattern is not None and url.path and pattern.search(url.path) and other_label is None:
        return target(GATEWAY, PROBABLE, gw.service, f"{url.path} is a {gw.service} route")
    if url.port in OTHER_PORTS:
        return target(LOCAL, "", OTHER_PORTS[url.port], f"port {url.port} is {OTHER_PORTS[url.port]}'s")
    return target(UNKNOWN, "", None, "a local address with nothing saying it is the gateway")


# A line that tells the reader a value is old or wrong is quoting it on purpose.
PAST_OR_WRONG = lazy(
    r"\b(?:instead of|(?:do not|don't|never) use|wrong|incorrect|old(?:er)?|previous(?:ly)?|former(?:ly)?|legacy|used to"
    r"|no longer|deprecated|obsolete|outdated|still (?:has|have|says|uses|use|contains|shows|points? (?:to|at))"
    r"|change (?:it|them|this|that|these) to|update (?:it|them) to)\b|❌|✗|不要用|错误|旧的?|以前|原来|之前|弃用|不再|过时"
    r"|改为|改成|仍然是", re.I)


def gateway_label(spec: Any) -> str:
    """"the gateway (litellm)", naming the service only when a gateway config says which it is."""
    if getattr(spec, "source_kind", "settings") == "settings":
        return "the gateway"
    return f"the gateway ({spec.gateway.service})"


_INTRO_WRONG = lazy(
    r"\b(?:do not|don't|never)\s+(?:add|append|put|include|end|set|write|use|point)\b|\bnot like this\b|\bbad\b|\bwrong\b"
    r"|\bincorrect\b|\bbroken\b|不要|错误|(?<![区特分类识级个告差性派辨鉴])别(?![的人名处样称致具])", re.I)  # 别 "don't", not 别的 "other"
_LISTEN = lazy(r"\b(?:listen(?:ing|s)?|serving|running|started|bound|available)\s+(?:on|at)\b|监听|运行在", re.I)


def _fences(src: Any, ctx: Any) -> list:
    fc = _file_cache(src, ctx)
    if "fences" not in fc:
        fc["fences"] = list(_main_markdown(src).markdown().fences) if src.host.kind == "markdown" else []
    return fc["fences"]


def _fence_at(src: Any, ctx: Any, start: int) -> Any:
    hs = src.to_host(start)
    fc = _file_cache(src, ctx)
    key = ("fence_at", hs)
    if key not in fc:
        fc[key] = next((f for f in _fences(src, ctx) if f.content_start <= hs < max(f.content_end, f.content_start + 1)), None)
    return fc[key]


_COMMENT_LINE = lazy(r"^\s*(?:#|//|--|;)\s*(.*)$")
_BEFORE = lazy(r"\b(?:before|old|previous(?:ly)?|legacy|was)\b|❌|之前|以前|旧|修改前|原来", re.I)
_AFTER = lazy(r"\b(?:after|new|now|instead)\b|✅|之后|修改后|新", re.I)


def _under_before_comment(text: str, start: int) -> bool:
    """Whether the nearest comment line above ``text[start]`` in a block labels what follows as the old setting
    ("# Before (LiteLLM):" in a before/after migration block)."""
    end = text.rfind("\n", 0, start)
    while end > 0:
        begin = text.rfind("\n", 0, end) + 1
        m = _COMMENT_LINE.match(text[begin:end])
        if m:
            label = m.group(1)
            return bool(_BEFORE.search(label)) and not _AFTER.search(label)
        end = begin - 1
    return False


# "If running the gateway on a different port:", "on a custom port, e.g. ...": the reader's own choice.
_CUSTOM_PORT = lazy(r"\b(?:a |another |any )?(?:different|custom|other|non-default|your own)\s+port\b"
                    r"|其他端口|自定义端口|别的端口|不同的?端口", re.I)


def _custom_port_intro(src: Any, ctx: Any, start: int) -> bool:
    """Whether the text line before the fenced block holding ``src.text[start]`` offers a port of the reader's choosing."""
    fence = _fence_at(src, ctx, start)
    if fence is None:
        return search(_CUSTOM_PORT, "") is not None
    fc = _file_cache(src, ctx)
    key = ("custom-port", fence.open_line)
    if key not in fc:
        fc[key] = search(_CUSTOM_PORT, _text_line_before(src.host, fence.open_line)) is not None
    return fc[key]


def _text_line_before(host: Any, line: int) -> str:
    """The nearest non-blank host line above ``line`` ("" when none)."""
    n = line - 1
    while n >= 1 and not host.line_text(n).strip():
        n -= 1
    return host.line_text(n) if n >= 1 else ""


def block_intro(src: Any) -> str:
    """The text line just before the fenced block ``src`` ("" for a file)."""
    if not src.embedded:
        return ""
    return _text_line_before(src.host, src.host.position(src.to_host(0))[0] - 1)  # above the opening fence


def counter_example(src: Any, ctx: Any, start: int) -> bool:
    """Whether ``src.text[start]`` is in a fenced block the text before it presents as old or wrong
    ("Do not add /v1:", "Previously:", "❌ Wrong")."""
    fence = _fence_at(src, ctx, start)
    if fence is None:
        return False
    fc = _file_cache(src, ctx)
    key = ("counter", fence.open_line)
    if key not in fc:
        intro = _text_line_before(src.host, fence.open_line) + " " + fence.info
        fc[key] = bool(search(_INTRO_WRONG, intro) or search(PAST_OR_WRONG, intro))
    return fc[key]


def _block_mention(src: Any, ctx: Any, start: int, line: str) -> Mention | None:
    """For "listening on 127.0.0.1:8318" in a transcript: the one service the lines just above name."""
    if not search(_LISTEN, line):
        return None
    host = src.host
    n = host.position(src.to_host(start))[0]
    found: list[Mention] = []
    for k in range(n - 1, max(0, n - 3), -1):
        text = host.line_text(k)
        if not text.strip() or text.lstrip().startswith(("```", "~~~")):
            break
        found += mentions(text, ctx)
    names = {m.name for m in found}
    if len(names) == 1 and not any(m.kind == "other" for m in found):
        return found[0]._replace(start=-1, end=-1)
    return None


def _path_mention(src: Any, start: int, ctx: Any) -> Mention | None:
    """In a structured source, a service named by the keys above the value (``services: {gateway: {url: ...}}``)."""
    if src.kind not in ("yaml", "json", "toml"):
        return None
    try:
        leaves = src.leaves()
    except Exception:  # noqa: BLE001
        return None
    leaf = next((lf for lf in leaves if lf.start <= start < lf.end), None)
    if leaf is None:
        return None
    for part in reversed(leaf.path[:-1]):
        if not isinstance(part, str):
            continue
        found = mentions(part, ctx)
        if len(found) == 1 and found[0].end - found[0].start >= len(part.strip()) - 1:
            return found[0]._replace(start=-1, end=-1)
    return None


def _other_named(line: str, ctx: Any) -> str | None:
    found = mentions(line, ctx)
    if any(m.kind == "gateway" for m in found):
        return None
    other = [m for m in found if m.kind == "other"]
    return other[0].name if other else None


def _line_of(src: Any, start: int, end: int) -> tuple[str, int, int]:
    """The host line holding ``src.text[start]`` and the span's offsets in it."""
    host = src.host
    hs, he = src.to_host(start), src.to_host(end)
    line_no = host.position(hs)[0]
    line_start = host.line_starts[line_no - 1]
    text = host.line_text(line_no)
    return text, hs - line_start, min(he - line_start, len(text))


# ---------------------------------------------------------------------------- models a client names

_ELSEWHERE = frozenset({UPSTREAM, SERVICE, LOCAL})


def _base_url_targets(s: Any, ctx: Any, client: str) -> list[tuple[int, Target]]:
    """The client base URLs set in one source (a file or a block): host line and judgement of each."""
    from flowgate_lint.scan import assignments, is_reference

    names = ("ANTHROPIC_BASE_URL",) if client == "claude" else ("OPENAI_BASE_URL", "OPENAI_API_BASE")
    spans = [(a.start, a.end, a.name) for a in assignments(s) if a.name in names and not is_reference(a.value)]
    if client == "codex" and s.kind == "toml":
        try:
            leaves = s.leaves()
        except Exception:  # noqa: BLE001 - an unparsable block names no provider
            leaves = []
        spans += [(leaf.start, leaf.end, "base_url") for leaf in leaves if isinstance(leaf.value, str)
                  and (leaf.path == ("openai_base_url",) or (leaf.key == "base_url" and _selected_provider(s, leaf.path)))]
    return [(s.host.position(s.to_host(a))[0], judge(s, ctx, a, b, key=k)) for a, b, k in spans]


_DIRECT = frozenset({"CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_FOUNDRY"})
# Model ids in a cloud provider's own format (Vertex "claude-opus-4-5@20251101", Bedrock "us.anthropic.claude-…").
NATIVE_MODEL_ID = lazy(r"^[\w.-]+@\d{8}$|^(?:(?:us|eu|apac|global)\.)?anthropic\.[\w.-]+(?::\d+)?$|^arn:aws:bedrock:")


def _direct_provider(s: Any) -> bool:
    """Whether a source switches Claude Code to a cloud provider directly (Vertex, Bedrock, Foundry)."""
    from flowgate_lint.scan import assignments

    return any(a.name in _DIRECT and a.value.strip().lower() in ("1", "true", "yes") for a in assignments(s))


def _verdict(targets: list[Target]) -> str | None:
    """"gateway" when a base URL targets the gateway, "elsewhere" when they all go elsewhere, None: no evidence."""
    if any(t.is_gateway and not t.quoted for t in targets):
        return "gateway"
    if any(t.kind in _ELSEWHERE or t.quoted for t in targets):
        return "elsewhere"
    return None


def client_models(src: Any, ctx: Any, offset: int, client: str) -> tuple[str, ...] | None:
    """The models a model name at ``src.text[offset]`` (for ``client``: "claude" or "codex") must be among.

    That is the section's own model list in a self-contained example, else the gateway's. None when that is
    unknown, or when the value is not sent to the gateway: its block or section points the client at an upstream
    provider or another service, or the section is history, a provider guide or about another service."""
    section = section_at(src, ctx, offset)
    if section.history or counter_example(src, ctx, offset):
        return None
    verdict = None
    if src.kind != "markdown" or src.embedded:
        if client == "claude" and _direct_provider(src):
            return None
        verdict = _verdict([t for _, t in _base_url_targets(src, ctx, client)])
    if verdict is None and src.host.kind == "markdown":
        fc = _file_cache(src, ctx)
        key = ("section-clients", section.start_line, section.end_line, client)
        if key not in fc:
            md = _main_markdown(src)
            lo, hi = section.start_line, section.end_line
            targets = [t for line, t in _base_url_targets(md, ctx, client) if lo <= line <= hi]
            for f in md.markdown().fences:
                if f.source is not None and lo <= f.open_line <= hi:
                    targets.extend(t for _, t in _base_url_targets(f.source, ctx, client))
            fc[key] = _verdict(targets)
        verdict = fc[key]
    if verdict == "elsewhere":
        return None
    if verdict is None and (section.provider_guide or section.describes is not None):
        return None
    local = own_example(section, ctx)
    return local.models if local is not None else ctx.spec.models


def own_example(section: Section, ctx: Any) -> LocalConfig | None:
    """The gateway config a section brings as a self-contained example, if any (a bare command that starts a
    gateway on the configured port, with no model list of its own, starts this one)."""
    local = section.local
    if local is None or (local.models is None and local.kind == "command" and local.port == ctx.spec.gateway.port):
        return None
    return local
