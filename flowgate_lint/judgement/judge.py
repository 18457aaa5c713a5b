"""The judgement: what the URL or ``host:port`` at a span targets (``judge``), and the blocks and lines a
doc presents as old, wrong or a counter-example."""

import re
from typing import Any

from flowgate_lint.judgement.frames import CHOICE, HISTORY, frame_at
from flowgate_lint.judgement.sections import section_at
from flowgate_lint.judgement.services import client_arrow, mentions, service_by_name, service_by_port, service_near, upstream_ports
from flowgate_lint.judgement.urls import API_SERVICES, OTHER_KEYS, OTHER_PORTS, SERVED_PATHS, UPSTREAM_KEYS, _GATEWAY_PATHS, _bare_host, client_key, host_class, is_client_path, parse_url
from flowgate_lint.judgement.values import CERTAIN, GATEWAY, LOCAL, Mention, PROBABLE, SERVICE, Target, UNKNOWN, UPSTREAM, Url, _file_cache
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.plumbing.gates import search
from flowgate_lint.plumbing.spans import SpanIndex


# ---------------------------------------------------------------------------- the judgement


# JSON keys that are a client's base URL only where that client reads them: OpenCode's provider options, a Qwen
# Code modelProviders entry.
_CLIENT_PATHS = {
    "baseURL": lambda p: len(p) == 4 and p[0] == "provider" and p[2] == "options",
    "baseUrl": lambda p: len(p) == 4 and p[0] == "modelProviders" and isinstance(p[2], int),
}


def key_at(src: Any, start: int) -> str | None:
    """The variable or config key whose value holds ``src.text[start]``."""
    found = _holding(src, "assigned", start)
    if found is not None:
        return found.name
    if src.kind in ("yaml", "json", "toml"):
        leaf = _holding(src, "leaf", start)
        if leaf is not None:
            key = leaf.key
            if src.kind == "toml" and key == "base_url":
                return "base_url" if _selected_provider(src, leaf.path) else "provider base_url"
            if key in _CLIENT_PATHS and not _CLIENT_PATHS[key](leaf.path):
                return "config " + key  # another tool's baseURL / baseUrl: not a client base-URL key
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


def _holding(src: Any, what: str, start: int) -> Any:
    """The first assignment (``what`` "assigned") or leaf ("leaf") of ``src`` whose token holds ``start``; the
    lookup index is built once per source."""
    index = src._cache.get(("span-index", what))
    if index is None:
        if what == "assigned":
            from flowgate_lint.documents.scan import assignments

            items = assignments(src)
            spans = [(a.token_start, max(a.token_end, a.token_start + 1)) for a in items]
        else:
            try:
                items = src.leaves()
            except Exception:  # noqa: BLE001 - unparsable sources have no keys
                items = []
            spans = [(leaf.start, leaf.end) for leaf in items]
        index = src._cache[("span-index", what)] = (items, SpanIndex(spans))
    items, spans_index = index
    found = spans_index.first(start)
    return None if found is None else items[found]


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

    if src.kind == "json":
        leaf = _holding(src, "leaf", start)
        if leaf is not None and isinstance(leaf.value, str) and leaf.value.startswith(("{env:", "{file:")):
            return target(UNKNOWN, "", None, "inside an OpenCode variable reference")
    frame = frame_at(src, ctx, start)
    if frame.kind == HISTORY:
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
    if frame.quoted:
        return target(UNKNOWN, "", None, frame.evidence)._replace(quoted=True)
    if frame.kind == CHOICE:
        return target(UNKNOWN, "", None, "the text offers it as a port of the reader's choosing")
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
    served = SERVED_PATHS.get(gw.service)
    if client_path and not client and served is not None and not served.search(url.path) and url.port != expected:
        return target(LOCAL, "", None, f"{url.path} is not an API {gw.service} serves")
    if client or client_path:
        signal = f"{key} is a client base-URL key" if client else f"{url.path} is a client API path"
        if other_label in API_SERVICES and (near is None or near.kind != "gateway"):
            return target(LOCAL, "", other_label, f"the line is about {other_label}")
        if svc is not None:
            if svc.port in upstream_ports(ctx) and not client:
                return target(SERVICE, "", svc.name, f"port {svc.port} is {svc.name}, which the gateway forwards to")
            return target(GATEWAY, PROBABLE, gw.service, f"{signal}, on the port of {svc.name} (not the gateway)")
        if url.port in OTHER_PORTS and OTHER_PORTS[url.port] != gw.service:
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
    if url.port in OTHER_PORTS and OTHER_PORTS[url.port] != gw.service:
        return target(LOCAL, "", OTHER_PORTS[url.port], f"port {url.port} is {OTHER_PORTS[url.port]}'s")
    return target(UNKNOWN, "", None, "a local address with nothing saying it is the gateway")


def gateway_label(spec: Any) -> str:
    """"the gateway (litellm)", naming the service only when a gateway config says which it is."""
    if getattr(spec, "source_kind", "settings") == "settings":
        return "the gateway"
    return f"the gateway ({spec.gateway.service})"


_LISTEN = lazy(r"\b(?:listen(?:ing|s)?|serving|running|started|bound|available)\s+(?:on|at)\b|监听|运行在", re.I)


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
