"""Files and checkable sources.

A ``HostFile`` is a file as read from disk (decoded text, BOM and line endings
remembered). A ``Source`` is a unit the rules check: the whole file, or a fenced
block inside a Markdown file, with a line map back to host offsets so findings
and edits land on the exact host line and column.

Structured kinds (json, yaml, toml) are parsed lazily, by the real parsers, into
``Leaf`` values carrying the exact character span of each scalar (``json_spans``,
``yaml_spans``, ``toml_spans``)."""

from bisect import bisect_right
from itertools import accumulate
import re
from typing import Any, Iterator

from flowgate_lint.documents.json_spans import _json_leaves, _json_load, is_jsonc_path, strip_jsonc
from flowgate_lint.documents.leaves import Leaf, ParseError, _catch, _reraise
from flowgate_lint.documents.toml_spans import _toml_leaves_of, _toml_parse
from flowgate_lint.documents.yaml_spans import _yaml_data, _yaml_parse
from flowgate_lint.documents.findings import Edit, Finding, Fix
from flowgate_lint.plumbing.lazyre import lazy



KINDS = ("markdown", "shell", "toml", "json", "yaml", "dotenv")
STRUCTURED = ("json", "yaml", "toml")

class HostFile:
    """A decoded file: text without BOM, remembering what is needed to write it back byte-exactly."""

    __slots__ = ("path", "abspath", "text", "bom", "kind", "_line_starts", "_lines", "is_spec", "encoding", "_whole")

    def __init__(self, path: str, text: str, kind: str, abspath: str = "", bom: bool = False, is_spec: bool = False,
                 encoding: str = "utf-8") -> None:
        self.path = path
        self.abspath = abspath or path
        self.text = text
        self.bom = bom
        self.encoding = encoding  # "utf-8", or "utf-16-le"/"utf-16-be" (always with a BOM)
        self.kind = kind
        self.is_spec = is_spec
        self._line_starts: list[int] | None = None
        self._lines: dict[int, str] = {}  # line_text, as asked for (rules ask about the same lines again and again)
        self._whole: Source | None = None

    def whole(self) -> "Source":
        """The whole file as one Source, made once: its parse (a Markdown document, say) is shared by the
        engine and by the rules checking its fenced blocks."""
        if self._whole is None:
            self._whole = Source(self, self.kind, self.text)
        return self._whole

    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            # Line breaks as markdown-it counts them: CRLF, lone CR, LF.
            text = self.text
            if "\r" in text:
                starts = [0]
                starts.extend(m.end() for m in re.finditer("\r\n|\r|\n", text))
            else:  # each line's start: the lengths of the lines before it, plus their line feeds
                starts = list(accumulate(map((1).__add__, map(len, text.split("\n")[:-1])), initial=0))
            self._line_starts = starts
        return self._line_starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset (clamped into the text)."""
        offset = max(0, min(offset, len(self.text)))
        starts = self.line_starts
        index = bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def line_text(self, line: int) -> str:
        """Text of a 1-based line, without its terminator."""
        known = self._lines.get(line)
        if known is not None:
            return known
        starts = self.line_starts
        if not 1 <= line <= len(starts):
            return ""
        end = starts[line] if line < len(starts) else len(self.text)
        text = self._lines[line] = self.text[starts[line - 1]:end].rstrip("\r\n")
        return text

    @property
    def eol(self) -> str:
        return "\r\n" if "\r\n" in self.text[: (self.text.find("\n") + 1) or len(self.text)] else "\n"

    def encode(self, text: str | None = None) -> bytes:
        """The bytes to write for ``text``: the file's own encoding, with its BOM when it had one."""
        data = (self.text if text is None else text).encode(self.encoding)
        return (BOMS[self.encoding] + data) if self.bom else data


BOMS = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}


class Source:
    """A checkable unit: a whole file, a fenced block of a Markdown file, or a here-document that writes a file."""

    __slots__ = ("host", "kind", "text", "lang", "embedded", "target", "_map_text", "_map_host", "_cache")

    def __init__(self, host: HostFile, kind: str, text: str, line_map: list[tuple[int, int]] | None = None,
                 lang: str | None = None, target: str | None = None) -> None:
        self.host = host
        self.kind = kind
        self.text = text
        self.lang = lang
        self.target = target  # the file a shell here-document writes this text to (None for files and fences)
        self.embedded = line_map is not None
        pairs = line_map or [(0, 0)]
        self._map_text = [p[0] for p in pairs]
        self._map_host = [p[1] for p in pairs]
        self._cache: dict[str, Any] = {}

    @property
    def path(self) -> str:
        return self.host.path

    def to_host(self, offset: int) -> int:
        """Map an offset in ``self.text`` to an offset in the host text."""
        i = bisect_right(self._map_text, offset) - 1
        return self._map_host[i] + (offset - self._map_text[i])

    def position(self, offset: int) -> tuple[int, int]:
        return self.host.position(self.to_host(offset))

    def edit(self, start: int, end: int, content: str) -> Edit:
        """An edit of ``text[start:end]`` (source offsets), mapped to the host."""
        return host_edit(self.host, self.to_host(start), self.to_host(end), content)

    def finding(self, rule: Any, start: int, end: int, message: str, fix: Fix | None = None,
                severity: str | None = None) -> Finding:
        """A finding for ``rule`` over ``text[start:end]`` (source offsets), mapped to the host."""
        hs, he = self.to_host(start), self.to_host(max(start, end))
        line, col = self.host.position(hs)
        end_line, end_col = self.host.position(he)
        snippet = self.text[start:end]
        if fix is not None and self.kind in COMMENTED:
            fix = keep_comment_columns(self.host, fix)
        return Finding(rule.code, rule.name, self.host.path, line, col, end_line, end_col, message,
                       severity or rule.severity, fix, hs, he, _fingerprint(rule.code, snippet))

    # ------------------------------------------------------------------ parsing

    def data(self) -> Any:
        """Parsed value of a structured source (raises ParseError)."""
        if "data" not in self._cache:
            self._cache["data"] = _catch(lambda: _PARSERS[self.kind][1](self._parse_text(), self._doc()))
        return _reraise(self._cache["data"])

    def leaves(self) -> list[Leaf]:
        """Scalars with exact spans (raises ParseError); empty for unstructured kinds."""
        if self.kind not in STRUCTURED:
            return []
        if "leaves" not in self._cache:
            self._cache["leaves"] = _catch(lambda: _PARSERS[self.kind][2](self._parse_text(), self._doc()))
        return _reraise(self._cache["leaves"])

    def _doc(self) -> Any:
        """The one parse ``data`` and ``leaves`` share (raises ParseError)."""
        if "doc" not in self._cache:
            text = self._parse_text()
            if text is self.text and "strict" in self._cache:  # the strict check's parse is the parse
                self._cache["doc"] = self._cache.pop("strict")
            else:
                self._cache["doc"] = _catch(lambda: _PARSERS[self.kind][0](text))
        return _reraise(self._cache["doc"])

    def _parse_text(self) -> str:
        """The text the parsers read. A JSON fence in a doc, or a ``.jsonc``/``.json5`` file, may hold ``//`` and
        ``/* */`` comments and trailing commas (illustrative JSON): when the strict text does not parse, they are
        blanked out, keeping every offset. So may a file whose format is JSON with comments by definition
        (devcontainer.json, VS Code settings, tsconfig.json). Any other ``.json`` file is read strictly."""
        if "ptext" not in self._cache:
            text = self.text
            if self.kind == "json" and (self.embedded or is_jsonc_path(self.host.path)):
                import json

                try:
                    self._cache["strict"] = json.loads(text)  # strict JSON stays as it is (no need to blank anything)
                except ValueError:
                    text = strip_jsonc(text)
                except RecursionError:
                    pass
            self._cache["ptext"] = text
        return self._cache["ptext"]

    def parse_error(self) -> ParseError | None:
        """The parse error of a structured source, or None when it parses."""
        if self.kind not in STRUCTURED:
            return None
        try:
            self.leaves()
        except ParseError as exc:
            return exc
        return None

    def __repr__(self) -> str:
        return f"Source({self.host.path!r}, {self.kind!r}, embedded={self.embedded})"


def host_edit(host: HostFile, start: int, end: int, content: str) -> Edit:
    """An edit of ``host.text[start:end]`` with its 1-based positions."""
    row, col = host.position(start)
    end_row, end_col = host.position(end)
    return Edit(start, end, content, row, col, end_row, end_col)


# Kinds whose lines may end in a ``# comment`` after whitespace (in a file, or in a fenced block of that kind).
COMMENTED = ("toml", "yaml", "shell", "dotenv")
# After an edited value on its line: the rest of the value (no whitespace), then two or more spaces, then a comment.
_TRAILING_COMMENT = lazy(r"([^\s#]*)( {2,})#")


def keep_comment_columns(host: HostFile, fix: Fix) -> Fix:
    """``fix`` with each one-line edit widened over the spaces before a trailing comment on its line, and those
    spaces padded or trimmed so the comment keeps its column (``port: 4001   # note`` -> ``port: 400    # note``).

    Only an aligned comment (two or more spaces before it, no tabs) is kept in place, and only when at least one
    space remains; the widened span re-emits the rest of the value as it was, so the bytes outside the fix's own
    span still never change. An edit is left as it is when its line has no such comment, when the ``#`` may sit
    inside a quoted string (odd quotes before it), or when the widened span would reach another edit of the fix."""
    text = host.text
    edits = list(fix.edits)
    changed = False
    for i, e in enumerate(edits):
        delta = len(e.content) - (e.end - e.start)
        if not delta or "\n" in e.content or "\r" in e.content:
            continue
        eol = min((p for p in (text.find("\n", e.end), text.find("\r", e.end)) if p >= 0), default=len(text))
        if "\n" in text[e.start:e.end] or "\r" in text[e.start:e.end]:
            continue
        m = _TRAILING_COMMENT.match(text, e.end, eol)
        if m is None:
            continue
        tail, gap = m.group(1), m.group(2)
        bol = max(text.rfind("\n", 0, e.start), text.rfind("\r", 0, e.start)) + 1
        before = text[bol:e.start] + e.content + tail
        if before.count('"') % 2 or before.count("'") % 2 or len(gap) - delta < 1:
            continue
        end = m.end(2)
        if any(j != i and o.start < end and o.end > e.start for j, o in enumerate(edits)):
            continue
        edits[i] = host_edit(host, e.start, end, e.content + tail + " " * (len(gap) - delta))
        changed = True
    return fix._replace(edits=tuple(edits)) if changed else fix


def _fingerprint(code: str, snippet: str) -> str:
    """A hash of the offending text, credentials redacted first (a hash of a short password can be guessed)."""
    import hashlib

    from flowgate_lint.plumbing.redact import redact

    snippet = redact(snippet)[0]
    return hashlib.sha1(f"{code}\0{' '.join(snippet.split())}".encode("utf-8", "surrogatepass")).hexdigest()[:16]




# kind -> (parse once, data from (text, parse), leaves from (text, parse)).
_PARSERS: dict[str, tuple[Any, Any, Any]] = {
    "json": (_json_load, lambda text, data: data, _json_leaves),
    "toml": (_toml_parse, lambda text, parsed: parsed.data, _toml_leaves_of),
    "yaml": (_yaml_parse, _yaml_data, lambda text, parsed: _reraise(parsed.leaves)),
}


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line without terminator) for each line of ``text`` (breaks: CRLF, CR, LF)."""
    pos = 0
    for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        if m.start() == len(text) and m.group(0) == "":
            break
        yield m.start(), m.group(0).rstrip("\r\n")
