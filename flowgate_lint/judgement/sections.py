"""Sections: history files and headings, and the section around an offset (its chain of titles, what it
describes, the gateway config it brings itself)."""

import re
from typing import Any, NamedTuple

from flowgate_lint.judgement.blocks import _fence_local
from flowgate_lint.judgement.services import mentions
from flowgate_lint.judgement.values import LocalConfig, Section, _file_cache, _main_markdown, _run_cache
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.plumbing.gates import search
from flowgate_lint.documents.markdown import markdown_doc


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
        from flowgate_lint.plumbing.globs import glob_source

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
    doc = markdown_doc(src)
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
        fences = list(markdown_doc(md).fences)
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
