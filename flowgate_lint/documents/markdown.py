"""Markdown, as markdown-it-py parses it: prose, inline code, fences and HTML comments, with host offsets.

Rules never regex the raw file: they see prose segments (paragraphs, headings,
list items, table cells), the code spans inside them, fenced blocks (checked as
embedded sources of their language) and HTML comments (suppressions, markers),
each mapped back to exact host offsets.
"""

import os
import re
from bisect import bisect_right
from typing import Any, NamedTuple

from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.documents.source import HostFile, Source

# fence info word -> source kind
FENCE_KINDS = {
    "toml": "toml",
    "json": "json",
    "jsonc": "json",
    "json5": "json",
    "yaml": "yaml",
    "yml": "yaml",
    "bash": "shell",
    "sh": "shell",
    "shell": "shell",
    "console": "shell",
    "zsh": "shell",
    "shell-session": "shell",
    "env": "dotenv",
    "dotenv": "dotenv",
}


class Segment:
    """Text of one prose block (as markdown-it sees it) with a per-line map to host offsets."""

    __slots__ = ("text", "kind", "quoted", "callout", "heading", "line", "code_spans", "_starts", "_hosts")

    def __init__(self, text: str, kind: str, quoted: bool, heading: str, line: int,
                 starts: list[int], hosts: list[int], code_spans: list[tuple[int, int]], callout: bool = False) -> None:
        self.text = text
        self.kind = kind  # "paragraph", "heading", "table"
        self.quoted = quoted  # inside a blockquote
        self.callout = callout  # inside a blockquote that is a note/warning callout ("> [!NOTE]", "> **Note:**"), not a quotation
        self.heading = heading  # nearest heading above (its text), "" if none
        self.line = line  # first host line (1-based)
        self.code_spans = code_spans  # [(start, end)] of inline code in self.text, backticks included
        self._starts = starts
        self._hosts = hosts

    def to_host(self, offset: int) -> int:
        i = bisect_right(self._starts, offset) - 1
        return self._hosts[i] + (offset - self._starts[i])

    def in_code(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.code_spans)


class Fence(NamedTuple):
    info: str
    lang: str
    open_line: int  # 1-based host line of the opening fence
    close_line: int | None  # 1-based host line of the closing fence, None if unclosed
    content_start: int  # host offset of the first content character
    content_end: int  # host offset just past the last content line (terminator included)
    source: Source | None  # embedded source when the language is one we check
    quoted: bool


class Comment(NamedTuple):
    text: str  # the whole comment, "<!--" to "-->"
    start: int  # host offsets
    end: int
    line: int
    block: bool  # an HTML block (its own line) rather than inline


class MarkdownDoc(NamedTuple):
    segments: list[Segment]
    fences: list[Fence]
    comments: list[Comment]
    code_blocks: list[tuple[int, int]]  # host spans of indented code blocks


_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt

        _PARSER = MarkdownIt("commonmark").enable("table")
    return _PARSER


def _tokens(host: HostFile) -> Any:
    """The token stream: rebuilt from pyromark's events when that is exact (no markdown-it-py import),
    else markdown-it-py's own (the reference). FLOWGATE_LINT_MARKDOWN=markdown-it-py forces the reference."""
    if USE_PYROMARK:
        from flowgate_lint.documents.mdtokens import tokens

        rebuilt = tokens(host.text, host.line_starts)
        if rebuilt is not None:
            return rebuilt
    return _parser().parse(host.text)


USE_PYROMARK = os.environ.get("FLOWGATE_LINT_MARKDOWN") != "markdown-it-py"
_COMMENT = lazy(r"<!--.*?-->", re.S)
# The first words of a blockquote used as an admonition (GitHub alerts, bold or plain "Note:", emoji).
_CALLOUT = lazy(r"\s*(?:\[!(?:note|tip|important|warning|caution)\]|\*\*\s*(?:note|tip|important|warning|caution|"
                r"注意|提示|警告|重要|说明)\b|(?:note|tip|important|warning|caution)\s*:|(?:注意|提示|警告|重要|说明)\s*[:：]|"
                r"[\u26a0\u2139\u2757\u2755\U0001f4a1\U0001f4cc\U0001f6a8])", re.I)


def parse_markdown(host: HostFile) -> MarkdownDoc:
    text = host.text
    tokens = _tokens(host)
    starts = host.line_starts
    segments: list[Segment] = []
    fences: list[Fence] = []
    comments: list[Comment] = []
    code_blocks: list[tuple[int, int]] = []
    quote_depth = 0
    callouts: list[bool | None] = []  # per open blockquote: a callout? (None until its first text is seen)
    heading = ""
    pending_heading = False
    in_cell = False

    def host_line(i: int) -> str:  # 0-based line, without terminator
        return host.line_text(i + 1)

    for tok in tokens:
        t = tok.type
        if t == "blockquote_open":
            quote_depth += 1
            callouts.append(None)
        elif t == "blockquote_close":
            quote_depth -= 1
            if callouts:
                callouts.pop()
        elif t == "heading_open":
            pending_heading = True
        elif t in ("th_open", "td_open"):
            in_cell = True
        elif t in ("th_close", "td_close"):
            in_cell = False
        elif t == "inline" and tok.map:
            if callouts and callouts[-1] is None:
                callouts[-1] = bool(_CALLOUT.match(tok.content))
            seg = _segment(tok, host, host_line, starts, quote_depth > 0, heading,
                           "heading" if pending_heading else ("table" if in_cell else "paragraph"),
                           bool(callouts and callouts[-1]))
            if seg is not None:
                segments.append(seg)
                for child in tok.children or ():
                    if child.type == "html_inline" and child.content.startswith("<!--"):
                        at = seg.text.find(child.content)
                        if at >= 0:
                            hs = seg.to_host(at)
                            comments.append(Comment(child.content, hs, hs + len(child.content), host.position(hs)[0], False))
            if pending_heading:
                heading = tok.content.strip()
                pending_heading = False
        elif t == "fence" and tok.map:
            fences.append(_fence(tok, host, host_line, starts, quote_depth > 0))
        elif t == "code_block" and tok.map:
            a, b = tok.map
            code_blocks.append((starts[a], starts[b] if b < len(starts) else len(text)))
        elif t == "html_block" and tok.map:
            a, b = tok.map
            block_start = starts[a]
            block_end = starts[b] if b < len(starts) else len(text)
            for m in _COMMENT.finditer(text, block_start, block_end):
                comments.append(Comment(m.group(0), m.start(), m.end(), host.position(m.start())[0], True))
    return MarkdownDoc(segments, fences, comments, code_blocks)


def _segment(tok: Any, host: HostFile, host_line: Any, starts: list[int], quoted: bool, heading: str, kind: str,
             callout: bool = False) -> Segment | None:
    content = tok.content
    if not content:
        return None
    a, b = tok.map
    lines = content.split("\n")
    seg_starts: list[int] = []
    seg_hosts: list[int] = []
    pos = 0
    for i, line in enumerate(lines):
        hl = min(a + i, b - 1, len(starts) - 1)
        src = host_line(hl)
        col = src.rfind(line) if line else len(src) - len(src.lstrip())
        if col < 0:
            col = len(src) - len(src.lstrip(" \t>"))
        seg_starts.append(pos)
        seg_hosts.append(starts[hl] + col)
        pos += len(line) + 1
    code_spans = _code_spans(content, tok.children or ())
    return Segment(content, kind, quoted, heading, a + 1, seg_starts, seg_hosts, code_spans, callout)


_OPENERS: dict[str, re.Pattern[str]] = {}  # backtick run -> the pattern of a code span delimiter of that length


def _code_spans(content: str, children: Any) -> list[tuple[int, int]]:
    """Locate the parser's code_inline tokens in the raw inline content, in order."""
    spans = []
    cursor = 0
    for child in children:
        if child.type != "code_inline":
            continue
        opener = _OPENERS.get(child.markup)
        if opener is None:
            opener = _OPENERS[child.markup] = re.compile(rf"(?<!`){re.escape(child.markup)}(?!`)")
        m = opener.search(content, cursor)
        if not m:
            continue
        close = opener.search(content, m.end())
        if not close:
            continue
        spans.append((m.start(), close.end()))
        cursor = close.end()
    return spans


def _fence(tok: Any, host: HostFile, host_line: Any, starts: list[int], quoted: bool) -> Fence:
    a, b = tok.map
    info = tok.info.strip()
    lang = info.split()[0].lower() if info else ""
    lang = lang.strip("{}.")  # {.toml} / {toml} attribute styles
    body = tok.content
    lines = body.split("\n")[:-1] if body.endswith("\n") else body.split("\n")
    if body == "":
        lines = []
    n = len(lines)
    first = a + 1
    content_start = starts[first] if first < len(starts) else len(host.text)
    last_line = first + n  # 0-based line after the content
    content_end = starts[last_line] if last_line < len(starts) else len(host.text)
    close_line = last_line + 1 if last_line < b else None
    kind = FENCE_KINDS.get(lang)
    source = None
    if kind is not None:
        pieces = []
        line_map = []
        pos = 0
        text = host.text
        for i, line in enumerate(lines):
            hl = first + i
            at = starts[hl]
            after = at + len(line)
            if "\r" not in line and text.startswith(line, at) and (after == len(text) or text[after] in "\r\n"):
                prefix = 0  # the host line is the content line (no container prefix)
            else:
                src = host_line(hl)
                prefix = len(src) - len(line) if src.endswith(line) else min(len(src) - len(src.lstrip(" >\t")), len(src))
            line_start = starts[hl] + prefix
            line_end = starts[hl + 1] if hl + 1 < len(starts) else len(host.text)
            piece = host.text[line_start:line_end]
            line_map.append((pos, line_start))
            pieces.append(piece)
            pos += len(piece)
        if not line_map:
            line_map = [(0, content_start)]
        source = Source(host, kind, "".join(pieces), line_map, lang=lang)
    return Fence(info, lang, a + 1, close_line, content_start, content_end, source, quoted)


def markdown_doc(src: Source) -> MarkdownDoc:
    """The parsed Markdown document of a markdown source (kept on the source: parsed once)."""
    cache = src._cache
    if "markdown" not in cache:
        cache["markdown"] = parse_markdown(src.host)
    return cache["markdown"]
