"""Services: the declared services, the service a line names next to a value, and the ports the gateway
itself forwards to."""

import re
from typing import Any

from flowgate_lint.judgement.urls import GATEWAY_WORDS, OTHER_SERVICES, host_class, parse_url
from flowgate_lint.judgement.values import Mention, _run_cache
from flowgate_lint.plumbing.lazyre import lazy


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


# How docs name a gateway product whose spec service name is the tool's own ("cli-proxy-api" for CLIProxyAPI and its
# Plus fork, "archgw" for Arch and Plano, "claude-code-router" for CCR).
PRODUCT_NAMES = {
    "cli-proxy-api": r"cli[-_ ]?proxy[-_ ]?api(?:[-_ ]?plus)?",
    "archgw": r"arch[-_ ]?gw|arch[ ]gateway|plano",
    "claude-code-router": r"claude[-_ ]code[-_ ]router|ccr",
}


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
            alts.append(f"(?P<d{i}>{PRODUCT_NAMES.get(name) or _name_regex(name)})")
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
        data = real_config(ctx)

        # Each mapping and list once, by identity: YAML aliases share nodes, and nested aliases (an "alias
        # bomb", or a node that holds itself) would otherwise be walked exponentially often, or forever.
        seen: set[int] = set()
        stack = [data]
        while stack:
            node = stack.pop()
            if not isinstance(node, (dict, list)) or id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, list):
                stack.extend(node)
                continue
            for k, v in node.items():
                if k in ("api_base", "base_url") and isinstance(v, str):
                    u = parse_url(v)
                    if u is not None and u.port is not None and host_class(u.host, ctx.spec) in ("loopback", "any", "spec"):
                        ports.add(u.port)
                else:
                    stack.append(v)
        behind = getattr(ctx.spec.gateway, "behind", None)
        if behind is not None:
            ports.add(behind)
        cache["upstream_ports"] = frozenset(ports - {ctx.spec.gateway.port})
    return cache["upstream_ports"]


def real_config(ctx: Any) -> Any:
    """The gateway config as plain data, loaded once per run (None when the spec has no file)."""
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
