"""Frames: what a block or line is about, decided once, from explicit evidence, for every rule.

A value in a doc is checked against the repository's gateway config only when it is about the live
gateway. Before that, ``frame_at`` reads the evidence around it (the history file or heading, the text
that introduces its fenced block, the block's own comments and keys, the line itself) and the first row
of ``TABLE`` whose evidence is there decides its frame:

- ``LIVE``: the repository's own gateway (the default): checked against the spec;
- ``EXAMPLE``: a section that brings its own gateway config: checked against that config, for
  internal consistency, never against the repository's;
- ``CHOICE``: a port of the reader's choosing ("on a different port:"): nobody can say;
- ``HISTORY``, ``COUNTER`` (presented as old or wrong), ``MIGRATION`` (either half of a before/after),
  ``TROUBLESHOOTING`` (a block showing a changed value), ``CONTAINER`` (a check run inside a container,
  where the gateway listens on its container port): quoted on purpose, never drift.
"""

import re
from bisect import bisect_right
from typing import Any, Callable, NamedTuple

from flowgate_lint.documents.markdown import markdown_doc
from flowgate_lint.judgement.sections import section_at
from flowgate_lint.judgement.values import Section, _file_cache, _main_markdown
from flowgate_lint.plumbing.gates import search
from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.plumbing.spans import SpanIndex

LIVE = "live"
EXAMPLE = "example"
CHOICE = "choice"
HISTORY = "history"
COUNTER = "counter-example"
MIGRATION = "migration"
TROUBLESHOOTING = "troubleshooting"
CONTAINER = "container"

QUOTED = frozenset({HISTORY, COUNTER, MIGRATION, TROUBLESHOOTING, CONTAINER})


class Frame(NamedTuple):
    kind: str
    evidence: str  # what decided it, for messages and --verbose

    @property
    def live(self) -> bool:
        """About the repository's own gateway: checked against the spec."""
        return self.kind == LIVE

    @property
    def quoted(self) -> bool:
        """Shown on purpose (the past, a wrong example, a migration, a changed value, a container's view)."""
        return self.kind in QUOTED


class Evidence(NamedTuple):
    section: Section
    line: str  # the host line holding the value
    intro: str  # the text line before the value's fenced block, and the fence info ("" outside a block)
    heading: str  # the innermost heading
    block: str  # the fenced block's text ("" outside a block)
    changed: bool  # a comment in the block shows a changed value
    container: bool  # the block runs a check inside a container
    before_comment: bool  # the comment line above the value, in its block, labels it the old setting
    counter: bool  # the block's intro presents it as old or wrong
    column: int  # the value's offset in ``line``


# A line that tells the reader a value is old or wrong is quoting it on purpose.
PAST_OR_WRONG = lazy(
    r"\b(?:instead of|(?:do not|don't|never) use|wrong|incorrect|old(?:er)?|previous(?:ly)?|former(?:ly)?|legacy|used to"
    r"|no longer|deprecated|obsolete|outdated|still (?:has|have|says|uses|use|contains|shows|points? (?:to|at))"
    r")\b|❌|✗|不要用|错误|旧的?|以前|原来|之前|弃用|不再|过时|仍然是", re.I)
# Direction words: the value before them is the old one, the value after them the recommended one.
DIRECTION = lazy(r"\b(?:change|update|switch|set)\s+(?:it|them|this|that|these)\s+to\b|改为|改成|修改为|更改为", re.I)



_INTRO_WRONG = lazy(
    r"\b(?:do not|don't|never)\s+(?:add|append|put|include|end|set|write|use|point)\b|\bnot like this\b|\bbad\b|\bwrong\b"
    r"|\bincorrect\b|\bbroken\b|不要|错误|(?<![区特分类识级个告差性派辨鉴])别(?![的人名处样称致具])", re.I)  # 别 "don't", not 别的 "other"

def _fences(src: Any, ctx: Any) -> list:
    fc = _file_cache(src, ctx)
    if "fences" not in fc:
        fc["fences"] = list(markdown_doc(_main_markdown(src)).fences) if src.host.kind == "markdown" else []
    return fc["fences"]


def _fence_at(src: Any, ctx: Any, start: int) -> Any:
    hs = src.to_host(start)
    fc = _file_cache(src, ctx)
    key = ("fence_at", hs)
    if key not in fc:
        fences = _fences(src, ctx)
        if "fence-index" not in fc:
            fc["fence-index"] = SpanIndex((f.content_start, max(f.content_end, f.content_start + 1)) for f in fences)
        found = fc["fence-index"].first(hs)
        fc[key] = None if found is None else fences[found]
    return fc[key]


_COMMENT_LINE = lazy(r"^\s*(?:#|//|--|;)\s*(.*)$")
_BEFORE = lazy(r"\b(?:before|old|previous(?:ly)?|legacy|was)\b|❌|之前|以前|旧|修改前|原来", re.I)
_AFTER = lazy(r"\b(?:after|new|now|instead)\b|✅|之后|修改后|新", re.I)


def _under_before_comment(src: Any, start: int) -> bool:
    """Whether the nearest comment line above ``src.text[start]`` in a block labels what follows as the old setting
    ("# Before (LiteLLM):" in a before/after migration block)."""
    starts, before = _comment_lines(src)
    k = bisect_right(starts, src.text.rfind("\n", 0, start)) - 1  # comment lines that end above start's line
    return k >= 0 and before[k]


def _comment_lines(src: Any) -> tuple[list[int], list[bool]]:
    """The block's comment lines, read once per block: where each starts, and whether it labels the old setting."""
    cached = src._cache.get("comment-lines")
    if cached is None:
        text = src.text
        starts: list[int] = []
        before: list[bool] = []
        begin = 0
        end = text.find("\n")
        while end >= 0:
            m = _COMMENT_LINE.match(text[begin:end])
            if m:
                label = m.group(1)
                starts.append(begin)
                before.append(bool(_BEFORE.search(label)) and not _AFTER.search(label))
            begin = end + 1
            end = text.find("\n", begin)
        cached = src._cache["comment-lines"] = (starts, before)
    return cached


# "If running the gateway on a different port:", "on a custom port, e.g. ...": the reader's own choice.
_CUSTOM_PORT = lazy(r"\b(?:a |another |any )?(?:different|custom|other|non-default|your own)\s+port\b"
                    r"|其他端口|自定义端口|别的端口|不同的?端口", re.I)


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



# Either half of a before/after ("**Before (Version 1):**", "After:", "修改前："), a migration heading.
_HALF = lazy(r"^[\W_]*(?:before|after)(?:\s*\([^)\n]*\)|\s+[\w.-]+){0,3}\s*\**\s*[:：]|^[\W_]*(?:修改前|修改后|迁移前|迁移后)", re.I)
_MIGRATION_HEADING = lazy(r"\bmigrat(?:e|es|ing|ion)\b|\bv?\d+(?:\.\d+)?\s*(?:→|->)\s*v?\d+|迁移", re.I)
# A comment in the block that shows the value was changed ("port: 4001  # Changed from 4000").
_CHANGED = lazy(r"(?:#|//)[^\n]*\b(?:changed?|was|previously)\b[^\n]*\d|(?:#|//)[^\n]*(?:改自|原为|原来是|修改为)", re.I)
# A check run inside the gateway's container: there it listens on its container port.
_CONTAINER = lazy(r"\b(?:docker(?:-compose| compose)?|podman|kubectl)\s+exec\b"
                  r"|^\s*(?:healthcheck|livenessProbe|readinessProbe|startupProbe)\s*:|^\s*HEALTHCHECK\b", re.I | re.M)

# The decision table: the first row whose evidence is there decides the frame.
TABLE: tuple[tuple[str, str, Callable[[Evidence], bool]], ...] = (
    (HISTORY, "a history file or section", lambda e: e.section.history),
    (COUNTER, "the line says the value is old or wrong", lambda e: bool(search(PAST_OR_WRONG, e.line))),
    (COUNTER, "the value comes before 'change it to'", lambda e: _before_direction(e.line, e.column)),
    (COUNTER, "the line tells the reader not to set it", lambda e: _after_negation(e.line, e.column)),
    (COUNTER, "the text before the block presents it as old or wrong", lambda e: e.counter),
    (MIGRATION, "the block is one half of a before/after", lambda e: bool(e.block) and bool(search(_HALF, e.intro))),
    (MIGRATION, "the comment above it labels it the old setting", lambda e: e.before_comment),
    (MIGRATION, "a block in a migration section", lambda e: bool(e.block) and bool(search(_MIGRATION_HEADING, e.heading))),
    (TROUBLESHOOTING, "the block shows a changed value", lambda e: e.changed),
    (CONTAINER, "a check run inside a container", lambda e: e.container or not e.block and bool(search(_CONTAINER, e.line))),
    (CHOICE, "a port of the reader's choosing", lambda e: bool(search(_CUSTOM_PORT, e.line) or search(_CUSTOM_PORT, e.intro))),
    (EXAMPLE, "the section brings its own gateway config", lambda e: e.section.local is not None),
    (LIVE, "nothing says otherwise", lambda e: True),
)


def frame_at(src: Any, ctx: Any, start: int) -> Frame:
    """The frame of ``src.text[start]`` (see the module docstring)."""
    ev = _evidence(src, ctx, start)
    for kind, evidence, holds in TABLE:
        if holds(ev):
            return Frame(kind, evidence)
    return Frame(LIVE, "nothing says otherwise")  # pragma: no cover - the last row always holds


def _evidence(src: Any, ctx: Any, start: int) -> Evidence:
    host = src.host
    hs = src.to_host(start)
    n = host.position(hs)[0]
    section = section_at(src, ctx, start)
    fence = _fence_at(src, ctx, start)
    if fence is None:
        intro = block = ""
        counter = changed = False
        container = src.kind == "yaml" and _under_container_key(host, n)
    else:
        fc = _file_cache(src, ctx)
        key = ("frame-block", fence.open_line)
        if key not in fc:  # the block's own evidence, read once per block (a block may hold many values)
            text = host.text[fence.content_start:fence.content_end]
            fc[key] = (_text_line_before(host, fence.open_line) + " " + fence.info, text,
                       search(_CHANGED, text) is not None, search(_CONTAINER, text) is not None)
        intro, block, changed, container = fc[key]
        counter = counter_example(src, ctx, start)
    before = src.embedded and _under_before_comment(src, start)
    return Evidence(section, host.line_text(n), intro, section.title, block, changed, container, before, counter,
                    hs - host.line_starts[n - 1])


_CONTAINER_KEY = lazy(r"^(\s*)(?:-\s+)?(?:healthcheck|livenessProbe|readinessProbe|startupProbe)\s*:", re.I)


def _under_container_key(host: Any, n: int) -> bool:
    """Whether line ``n`` of a YAML file sits under a ``healthcheck:`` (compose) or a Kubernetes probe key: the
    check runs inside the container. Walks up through the lines with less indentation (at most 40 lines)."""
    line = host.line_text(n)
    indent = len(line) - len(line.lstrip())
    for k in range(n - 1, max(0, n - 41), -1):
        text = host.line_text(k)
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        own = len(text) - len(text.lstrip())
        if own >= indent:
            continue
        if search(_CONTAINER_KEY, text):
            return True
        indent = own
        if own == 0:
            return False
    return False


# A negated imperative in the line ("Do not set", "Never append"); it covers what follows it in its clause.
_NOT_THIS = lazy(r"\b(?:do not|don't|never|avoid)\s+(?:add(?:ing)?|append(?:ing)?|put(?:ting)?|includ(?:e|ing)|end(?:ing)?|set(?:ting)?"
                 r"|writ(?:e|ing)|us(?:e|ing)|point(?:ing)?)\b|不要|别(?=[设加用写])", re.I)
_CLAUSE_END = lazy(r"[.;!?。；！？]\s|[:：]\s|\b(?:instead|but|rather)\b", re.I)


def _after_negation(line: str, column: int) -> bool:
    m = search(_NOT_THIS, line)
    return m is not None and m.end() <= column and search(_CLAUSE_END, line[m.end():column]) is None


def _before_direction(line: str, column: int) -> bool:
    m = search(DIRECTION, line)
    return m is not None and column < m.start()
