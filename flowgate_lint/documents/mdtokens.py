"""markdown-it-py's token stream, rebuilt from pyromark's events (pulldown-cmark, compiled) when that is exact.

markdown-it-py costs about 40 ms of import on every run that parses Markdown; pyromark costs about
1 ms and parses 10-20x faster. ``tokens`` gives the part of markdown-it-py's stream that
``markdown.parse_markdown`` reads (types, line maps, inline content, code and HTML children,
fence info and body), built from pyromark's events and the source text, or None whenever it
cannot vouch that the result is what markdown-it-py would have produced; the caller then parses
with markdown-it-py, which stays the reference. What is rebuilt is checked against
markdown-it-py on every Markdown file of the project and by a property test
(tests/test_mdtokens.py). Documents with tabs, CR line ends or NUL characters, unclosed fences,
HTML comments in table cells, escaped pipes in cells, and lazy continuation lines inside list
items, are left to markdown-it-py.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

_PYROMARK: Any = None
_INLINE_CONTAINERS = frozenset(("Emphasis", "Strong", "Link", "Image", "Strikethrough"))


class Tok:
    """The fields of a markdown-it-py token that parse_markdown reads."""

    __slots__ = ("type", "map", "content", "info", "markup", "children")

    def __init__(self, type_: str, map_: list[int] | None = None, content: str = "", info: str = "",
                 markup: str = "", children: list[Tok] | None = None) -> None:
        self.type = type_
        self.map = map_
        self.content = content
        self.info = info
        self.markup = markup
        self.children = children

    def __repr__(self) -> str:
        return f"Tok({self.type!r}, {self.map!r}, {self.content!r})"


class Unsure(Exception):
    """The events do not determine markdown-it-py's tokens: use markdown-it-py."""


def _pyromark() -> Any:
    global _PYROMARK
    if _PYROMARK is None:
        try:
            import pyromark
        except ImportError:  # not installed (or no wheel for this platform): markdown-it-py only
            _PYROMARK = False
        else:
            _PYROMARK = pyromark
    return _PYROMARK


def available() -> bool:
    return bool(_pyromark())


def tokens(text: str, line_starts: list[int]) -> list[Tok] | None:
    """markdown-it-py's tokens for ``text`` ("commonmark" preset with tables), or None when unsure."""
    pm = _pyromark()
    if not pm or "\t" in text or "\r" in text or "\0" in text:
        return None
    try:
        events = pm.events_with_range(text, options=pm.Options.ENABLE_TABLES)
        return _Builder(text, line_starts).run(events)
    except Unsure:
        return None
    except Exception:  # noqa: BLE001 - events of a shape this module does not know: the reference decides
        return None


class _Builder:
    def __init__(self, text: str, line_starts: list[int]) -> None:
        self.text = text
        self.starts = line_starts
        self.ascii = text.isascii()
        if not self.ascii:
            raw = text.encode("utf-8")
            self.raw = raw
            self.bstarts = [0]
            find = raw.find
            at = find(b"\n")
            while at >= 0:
                self.bstarts.append(at + 1)
                at = find(b"\n", at + 1)
        self.out: list[Tok] = []
        self.containers: list[tuple[str, int]] = []  # ("quote", 0) | ("item", content column)
        self.leaves: list[tuple[str, int, int, str]] | None = None  # inline events of the open block
        self.block: tuple[str, int, int] | None = None  # (kind, start, end) of the open inline block
        self.item_starts: list[int] = []  # per open list item: offset where its content starts on its first line
        self.item_lines: list[int] = []  # per open list item: its first line
        self.image_depth = 0
        self.verbatim: list[tuple[int, int]] = []  # line ranges of code and HTML blocks
        self.delimiter_rows: set[int] = set()  # lines of table delimiter rows
        self.inline_comments: set[int] = set()  # offsets of inline HTML comments
        self.code_spans: list[tuple[int, int]] = []

    # -- offsets ---------------------------------------------------------------------------
    def char(self, off: int) -> int:
        """Character offset of a UTF-8 byte offset."""
        if self.ascii:
            return off
        line = bisect_right(self.bstarts, off) - 1
        base = self.bstarts[line]
        if line >= len(self.starts):
            raise Unsure
        return self.starts[line] + len(self.raw[base:off].decode("utf-8"))

    def line(self, off: int) -> int:
        """0-based line of a character offset."""
        return bisect_right(self.starts, off) - 1

    def eol(self, line: int) -> int:
        """Offset of the end of a 0-based line (before its terminator)."""
        nxt = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.text)
        return nxt

    # -- events ----------------------------------------------------------------------------
    def run(self, events: Any) -> list[Tok]:
        ascii_ = self.ascii
        char = self.char
        for event, rng in events:
            s, e = (rng["start"], rng["end"]) if ascii_ else (char(rng["start"]), char(rng["end"]))
            if isinstance(event, str):  # SoftBreak, HardBreak, Rule
                if event in ("SoftBreak", "HardBreak"):
                    self._leaf(event, s, e, "")
                elif event == "Rule":
                    self._end_group()
                continue
            (key, val), = event.items()
            if key == "Start":
                self._start(val, s, e)
            elif key == "End":
                self._end(val, s, e)
            elif key in ("Text", "Code", "InlineHtml", "Html"):
                if key == "Html":
                    continue  # inside an HtmlBlock: the block's line map is enough
                if key == "Text" and self.fence is not None:
                    self.fence_body.append(val)
                    continue
                if key == "Text" and self.code_block:
                    continue
                if key == "Code":
                    self.code_spans.append((s, e))
                elif key == "InlineHtml" and val.startswith("<!--"):
                    if self.containers and "\n" in val:
                        raise Unsure  # a comment across container lines: the parsers cut it differently
                    self.inline_comments.add(s)
                self._leaf(key, s, e, val)
            else:
                raise Unsure
        self._end_group()
        if self.containers or self.block is not None:
            raise Unsure
        self._check_divergences()
        return self.out

    def _check_divergences(self) -> None:
        """Raise Unsure where markdown-it diverges from CommonMark/GFM as pulldown-cmark reads them."""
        import re

        text = self.text
        if "|" not in text and "]:" not in text and "<!--" not in text:
            return  # none of the checks below can find anything
        verbatim = set()
        for a, b in self.verbatim:
            verbatim.update(range(a, b))
        # markdown-it starts a table on any line with a pipe followed by a delimiter-like line (even
        # "---", or in the middle of a paragraph); GFM does not always.
        for m in re.finditer(r"^[ >]*[|:-][|: -]*$", text, re.M) if "|" in text else ():
            ln = self.line(m.start())
            if "-" in m.group() and ln > 0 and ln not in verbatim and ln not in self.delimiter_rows \
                    and "|" in text[self.starts[ln - 1]:m.start()]:
                raise Unsure
        # markdown-it takes a reference definition as a block of its own, so the next line starts a new
        # block; CommonMark reads it on as a paragraph line where it cannot interrupt one.
        for m in re.finditer(r"^[ >]*\[[^\]\n]*\]:", text, re.M) if "]:" in text else ():
            ln = self.line(m.start())
            if ln in verbatim or ln + 1 >= len(self.starts):
                continue
            nxt = text[self.starts[ln + 1]:self.eol(ln + 1)]
            if nxt.strip(" >") and not re.match(r"[ >]*\[[^\]\n]*\]:", nxt):
                raise Unsure
        # Every HTML comment opener outside code and HTML blocks must be one pulldown-cmark saw inline.
        at = text.find("<!--")
        while at >= 0:
            if self.line(at) not in verbatim and at not in self.inline_comments \
                    and not any(cs <= at < ce for cs, ce in self.code_spans):
                raise Unsure
            at = text.find("<!--", at + 4)

    fence: Any = None
    fence_body: list[str]
    code_block = False

    def _start(self, val: Any, s: int, e: int) -> None:
        if isinstance(val, str):
            name, arg = val, None
        else:
            (name, arg), = val.items()
        if name in _INLINE_CONTAINERS:
            if self.leaves is None:
                self._open_group(s)
            if name == "Image":
                self.image_depth += 1
            return
        if name not in ("TableHead", "TableRow", "TableCell", "Table"):
            self._end_group()
        if name == "Paragraph":
            self._open_block("paragraph", s, e)
        elif name == "Heading":
            self.out.append(Tok("heading_open", [self.line(s), self.line(max(s, e - 1)) + 1]))
            self._open_block("heading", s, e)
        elif name == "TableCell":
            self.out.append(Tok("th_open" if self.in_head else "td_open"))
            self._open_block("cell", s, e)
        elif name == "TableHead":
            self.in_head = True
            self.delimiter_rows.add(self.line(s) + 1)
        elif name in ("TableRow", "Table"):
            self.in_head = False
            if name == "TableRow":
                self._check_row(s)
        elif name == "BlockQuote":
            self.out.append(Tok("blockquote_open", [self.line(s), self.line(max(s, e - 1)) + 1]))
            self.containers.append(("quote", 0))
        elif name == "List":
            pass
        elif name == "Item":
            column, start = self._item_column(s)
            self.containers.append(("item", column))
            self.item_starts.append(start)
            self.item_lines.append(self.line(s))
        elif name == "CodeBlock":
            a = self.line(s)
            b = self.line(max(s, e - 1)) + 1
            self.verbatim.append((a, b))
            if arg == "Indented":
                self.code_block = True
                self.out.append(Tok("code_block", [a, b]))
            else:
                self._open_fence(s, e, a, b)
        elif name == "HtmlBlock":
            a, b = self.line(s), self.line(max(s, e - 1)) + 1
            self.verbatim.append((a, b))
            self.out.append(Tok("html_block", [a, b]))
        else:
            raise Unsure  # footnotes, metadata, definition lists...: not in markdown-it-py's commonmark

    in_head = False

    def _end(self, val: Any, s: int, e: int) -> None:
        name = val if isinstance(val, str) else next(iter(val))
        if name == "Image":
            self.image_depth -= 1
        if name in ("Paragraph", "Heading", "TableCell"):
            self._close_block()
            if name == "Heading":
                self.out.append(Tok("heading_close"))
            elif name == "TableCell":
                self.out.append(Tok("th_close" if self.in_head else "td_close"))
        elif name == "BlockQuote":
            self._end_group()
            self.containers.pop()
            self.out.append(Tok("blockquote_close"))
        elif name == "Item":
            self._end_group()
            self.containers.pop()
            self.item_starts.pop()
            self.item_lines.pop()
        elif name == "CodeBlock":
            if self.fence is not None:
                self.fence.content = "".join(self.fence_body)
                self.out.append(self.fence)
                self.fence = None
            self.code_block = False
        elif name == "TableHead":
            self.in_head = False

    # -- blocks with inline content ----------------------------------------------------------
    def _open_block(self, kind: str, s: int, e: int) -> None:
        if self.block is not None:
            raise Unsure
        self.block = (kind, s, e)
        self.leaves = []

    def _open_group(self, s: int) -> None:
        """Inline events straight inside a list item: markdown-it-py's hidden paragraph of a tight list."""
        if not self.containers or self.containers[-1][0] != "item":
            raise Unsure
        self.block = ("group", s, s)
        self.leaves = []

    def _end_group(self) -> None:
        if self.block is not None and self.block[0] == "group":
            self._close_block()

    def _leaf(self, kind: str, s: int, e: int, val: str) -> None:
        if self.leaves is None:
            self._open_group(s)
        assert self.leaves is not None
        if self.image_depth and kind in ("Code", "InlineHtml"):
            kind = "Text"  # markdown-it-py nests an image's alt text under the image token, out of sight
        self.leaves.append((kind, s, e, val))

    def _close_block(self) -> None:
        block, leaves = self.block, self.leaves
        self.block = self.leaves = None
        if block is None or leaves is None:
            raise Unsure
        kind, s, e = block
        text = self.text
        children = []
        for lk, ls, le, val in leaves:
            if lk == "Code":
                run = 0
                while ls + run < le and text[ls + run] == "`":
                    run += 1
                if not run:
                    raise Unsure
                children.append(Tok("code_inline", markup="`" * run))
            elif lk == "InlineHtml":
                if text[ls:le] != val:
                    raise Unsure
                children.append(Tok("html_inline", content=val))
        if kind == "cell":
            raw = text[s:e]
            if "\\\\|" in raw or "\n" in raw:
                raise Unsure  # markdown-it-py and GFM read a pipe after an escaped backslash differently
            a = self.line(s)  # markdown-it-py drops the backslash of an escaped pipe from the content
            self.out.append(Tok("inline", [a, a + 1], raw.replace("\\|", "|").strip(), children=children))
            return
        if kind == "heading" and self.line(s) == self.line(max(s, e - 1)):
            a = self.line(s)
            self.out.append(Tok("inline", [a, a + 1], self._atx_content(s, a), children=children))
            return
        if kind == "group":
            if not leaves:
                raise Unsure
            first = leaves[0][1]
            a = self.line(first)
            start = self.item_starts[-1] if a == self.item_lines[-1] else self._content_start(a)
            if start > first:
                raise Unsure
            b = self.line(max(first, leaves[-1][2] - 1)) + 1
            map_ = [a, b]
        else:  # paragraph or setext heading: the block's range
            start = s
            a = self.line(s)
            b = self.line(max(s, e - 1)) + 1
            map_ = [a, b]
            if kind == "heading":  # the underline belongs to the map, not to the content
                b -= 1
                if b <= a:
                    raise Unsure
        lines = [text[start:self.eol(a)]]
        for ln in range(a + 1, b):
            lines.append(text[self._content_start(ln):self.eol(ln)])
        content = "\n".join(lines).strip()
        if kind == "group":
            self.out.append(Tok("paragraph_open", map_))
        self.out.append(Tok("inline", map_, content, children=children))

    def _atx_content(self, s: int, line: int) -> str:
        """An ATX heading's inline content, as markdown-it's heading rule takes it from the line."""
        text = self.text
        pos = s
        max_ = self.eol(line)
        if text[pos] != "#":
            raise Unsure
        while pos < max_ and text[pos] == "#":
            pos += 1
        while max_ > pos and text[max_ - 1] == " ":
            max_ -= 1
        tmp = max_
        while tmp > pos and text[tmp - 1] == "#":
            tmp -= 1
        if tmp > pos and text[tmp - 1] == " ":
            max_ = tmp
        return text[pos:max_].strip()

    def _content_start(self, ln: int) -> int:
        """Where markdown-it-py's getLines starts a continuation line of a paragraph in the open containers."""
        text = self.text
        pos = self.starts[ln]
        end = self.eol(ln)
        indent = 0
        lazy = False
        for kind, column in self.containers:
            if kind == "quote":
                q = pos
                while q < end and text[q] == " ":
                    q += 1
                if q < end and text[q] == ">":
                    pos = q + 1
                    if pos < end and text[pos] == " ":
                        pos += 1
                    indent = 0
                else:
                    lazy = True
                    break
            else:
                indent = column
        if lazy and any(k == "item" for k, _ in self.containers):
            raise Unsure
        if lazy:
            indent = 0
        w = 0
        while pos + w < end and text[pos + w] == " ":
            w += 1
        if lazy and w >= 4:
            raise Unsure  # markdown-it ends the quote's paragraph there; CommonMark reads a lazy line
        return pos + min(w, indent)

    def _check_row(self, s: int) -> None:
        """A GFM table row that markdown-it would not take as one (it ends the table on an indented-code
        line, a less indented line, or a line that could start another block)."""
        text = self.text
        ln = self.line(s)
        prefix = text[self.starts[ln]:s]
        spaces = len(prefix) - len(prefix.rstrip(" "))
        column = self.containers[-1][1] if self.containers and self.containers[-1][0] == "item" else 0
        if prefix.strip(" >") or spaces < column or spaces - column >= 4 or text[s] in "-+*>#<`~=_" \
                or (text[s].isdigit() and _ordered_marker(text, s)):
            raise Unsure

    def _item_column(self, s: int) -> tuple[int, int]:
        """A list item's content column (markdown-it's rule) relative to its blockquote prefix, and the
        offset where its content starts."""
        text = self.text
        ln = self.line(s)
        base = self.starts[ln]
        end = self.eol(ln)
        pos = base
        if any(kind == "quote" for kind, _ in self.containers):  # columns count from the last '>' marker
            q = text.rfind(">", base, s)
            if q < 0:
                raise Unsure
            pos = q + 1
            if pos < end and text[pos] == " ":
                pos += 1
        if s < pos:
            raise Unsure
        m = s
        if m < end and text[m] in "-+*":
            m += 1
        else:
            while m < end and text[m].isdigit() and text[m].isascii():
                m += 1
            if m == s or m >= end or text[m] not in ".)":
                raise Unsure
            m += 1
        spaces = 0
        while m + spaces < end and text[m + spaces] == " ":
            spaces += 1
        if m + spaces >= end or spaces > 4:
            spaces = 1
        if spaces == 0:
            raise Unsure
        return (m - pos) + spaces, m + spaces

    # -- fences --------------------------------------------------------------------------------
    def _open_fence(self, s: int, e: int, a: int, b: int) -> None:
        text = self.text
        marker = text[s]
        if marker not in "`~":
            raise Unsure
        run = 0
        while s + run < len(text) and text[s + run] == marker:
            run += 1
        info = text[s + run:self.eol(a)]
        close = text[self.starts[b - 1]:self.eol(b - 1)].lstrip(" >").rstrip(" ")
        if b - a < 2 or len(close) < run or close.strip(marker):
            # Unclosed: it runs to the end of its container. At the top level that is the end of the
            # document for both parsers; inside a container, leave it to markdown-it-py.
            if self.containers or e != len(text):
                raise Unsure
        self.fence = Tok("fence", [a, b], info=info.strip(), markup=marker * run)
        self.fence_body = []


def _ordered_marker(text: str, pos: int) -> bool:
    """Whether an ordered-list marker ("1." or "1)" then a space or the line end) starts at ``pos``."""
    end = pos
    while end < len(text) and text[end].isdigit():
        end += 1
    return end < len(text) and text[end] in ".)" and (end + 1 >= len(text) or text[end + 1] in " \n")
