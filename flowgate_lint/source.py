"""Files and checkable sources.

A ``HostFile`` is a file as read from disk (decoded text, BOM and line endings
remembered). A ``Source`` is a unit the rules check: the whole file, or a fenced
block inside a Markdown file, with a line map back to host offsets so findings
and edits land on the exact host line and column.

Structured kinds (json, yaml, toml) are parsed lazily, by the real parsers, into
``Leaf`` values carrying the exact character span of each scalar.
"""

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any, Iterator, NamedTuple

from flowgate_lint.findings import Edit, Finding, Fix
from flowgate_lint.lazyre import lazy

KINDS = ("markdown", "shell", "toml", "json", "yaml", "dotenv")
STRUCTURED = ("json", "yaml", "toml")


class ParseError(Exception):
    """A structured source that its parser rejects."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class SourceTooLarge(Exception):
    """A source too large for its parser to check in bounded time (the file is skipped with this message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


class Leaf(NamedTuple):
    """A scalar in a structured source, with the span of its token (quotes included) in ``Source.text``."""

    path: tuple  # keys (str) and list indexes (int)
    value: Any
    start: int
    end: int
    key_start: int = -1
    key_end: int = -1

    @property
    def key(self) -> Any:
        return self.path[-1] if self.path else None


class Source:
    """A checkable unit: a whole file, or a fenced block of a Markdown file."""

    __slots__ = ("host", "kind", "text", "lang", "embedded", "_map_text", "_map_host", "_cache")

    def __init__(self, host: HostFile, kind: str, text: str, line_map: list[tuple[int, int]] | None = None,
                 lang: str | None = None) -> None:
        self.host = host
        self.kind = kind
        self.text = text
        self.lang = lang
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

    def markdown(self) -> Any:
        """The parsed Markdown document (``markdown.MarkdownDoc``) of a markdown source."""
        if "markdown" not in self._cache:
            from flowgate_lint.markdown import parse_markdown

            self._cache["markdown"] = parse_markdown(self.host)
        return self._cache["markdown"]

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


def _fingerprint(code: str, snippet: str) -> str:
    """A hash of the offending text, credentials redacted first (a hash of a short password can be guessed)."""
    import hashlib

    from flowgate_lint.redact import redact

    snippet = redact(snippet)[0]
    return hashlib.sha1(f"{code}\0{' '.join(snippet.split())}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _catch(fn: Any) -> Any:
    try:
        return fn()
    except ParseError as exc:
        return exc
    except RecursionError:
        return ParseError("nesting too deep to parse", 0)


def _reraise(value: Any) -> Any:
    if isinstance(value, ParseError):
        raise value
    return value


# ----------------------------------------------------------------------- JSON


# Files whose format is JSON with comments: .jsonc/.json5, Dev Containers, VS Code and TypeScript configs.
_JSONC_PATH = lazy(r"(?:\.jsonc|\.json5|(?:^|/)\.?devcontainer(?:/[^/]+)?\.json|(?:^|/)\.vscode/[^/]+\.json"
                   r"|(?:^|/)(?:ts|js)config(?:\.[\w-]+)?\.json|\.code-workspace)$")


def is_jsonc_path(path: str) -> bool:
    return _JSONC_PATH.search(path) is not None


def strip_jsonc(text: str) -> str:
    """Blank out // and /* */ comments and trailing commas (JSONC), keeping every offset."""
    out = list(text)
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif text.startswith("//", i):
            while i < n and text[i] not in "\r\n":
                out[i] = " "
                i += 1
            continue
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] not in "\r\n":
                    out[k] = " "
            i = j
            continue
        i += 1
    blanked = "".join(out)
    return re.sub(r",(\s*[}\]])", lambda m: " " + m.group(1), blanked)


def _json_load(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", exc.pos) from None
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"invalid JSON: {exc}", 0) from None


def _json_leaves(text: str, data: Any) -> list[Leaf]:
    """Scalars of a JSON document with spans; ``data`` is its strict parse (which validated it)."""
    try:
        entries = _json_spans(text)
    except RecursionError:
        entries = None  # deeper than the stdlib's pure-Python decoder goes: json_source_map maps it
    except Exception as exc:  # noqa: BLE001 - defensive: validated JSON should map
        raise ParseError(f"invalid JSON: {exc}", 0) from None
    if entries is None:
        from json_source_map import calculate

        try:
            entries = {pointer: (e.value_start.position, e.value_end.position,
                                 e.key_start.position if e.key_start else -1, e.key_end.position if e.key_end else -1)
                       for pointer, e in calculate(text).items()}
        except Exception as exc:  # noqa: BLE001
            raise ParseError(f"invalid JSON: {exc}", 0) from None
    leaves = []
    import json

    for pointer, (start, end, ks, ke) in entries.items():
        token = text[start:end]
        if not token or token[0] in "{[":
            continue
        path = _json_path(data, pointer)
        # A string without escapes is its own text (the strict parse already rejected control characters).
        value = token[1:-1] if token[0] == '"' and "\\" not in token else json.loads(token)
        leaves.append(Leaf(path, value, start, end, ks, ke))
    return leaves


_JSON_CONTEXT: Any = None


def _json_context() -> Any:
    """A fresh decoder context for ``scanner.py_make_scanner`` (its class is made once)."""
    global _JSON_CONTEXT
    if _JSON_CONTEXT is None:
        from json import decoder

        class _Context:
            strict = True
            object_hook = None
            object_pairs_hook = None
            parse_float = float
            parse_int = int
            parse_constant = decoder._CONSTANTS.__getitem__

        _JSON_CONTEXT = _Context
    return _JSON_CONTEXT()


def _json_spans(text: str) -> dict[str, tuple[int, int, int, int]]:
    """JSON pointer -> (value start, value end, key start, key end; -1 without a key) of every value, in
    document order, as ``json_source_map.calculate`` gives them: pointers join the keys as written (escapes
    kept, "/" and "~" not escaped), a repeated key keeps its first place and takes the last value's spans.

    The stdlib's pure-Python decoder parses (importing json_source_map costs ~9 ms: dataclasses, inspect);
    this only records where each value it scans starts and ends, and where its key is."""
    from json import decoder, scanner

    entries: dict[str, tuple[int, int, int, int]] = {}
    path: list[str] = []

    def record(key_start: int, key_end: int, scan: Any, s: str, idx: int) -> tuple[Any, int]:
        pointer = "/" + "/".join(path) if path else ""
        entries.setdefault(pointer, (idx, idx, key_start, key_end))  # document order: a pointer's first place
        value, end = scan(s, idx)
        entries[pointer] = (idx, end, key_start, key_end)
        return value, end

    def parse_object(s_and_end: tuple[str, int], strict: bool, scan: Any, *rest: Any) -> tuple[Any, int]:
        last = s_and_end[1]  # after "{", then after each value: only whitespace and "," before the next key

        def member(s: str, idx: int) -> tuple[Any, int]:
            nonlocal last
            key_start = s.index('"', last)
            _, key_end = decoder.scanstring(s, key_start + 1, strict)
            path.append(s[key_start + 1:key_end - 1])
            try:
                value, last = record(key_start, key_end, scan, s, idx)
            finally:
                path.pop()
            return value, last

        return decoder.JSONObject(s_and_end, strict, member, *rest)

    def parse_array(s_and_end: tuple[str, int], scan: Any) -> tuple[Any, int]:
        index = 0

        def item(s: str, idx: int) -> tuple[Any, int]:
            nonlocal index
            path.append(str(index))
            index += 1
            try:
                return record(-1, -1, scan, s, idx)
            finally:
                path.pop()

        return decoder.JSONArray(s_and_end, item)

    ctx = _json_context()
    ctx.memo = {}
    ctx.parse_string = decoder.scanstring  # type: ignore[attr-defined]
    ctx.parse_object = parse_object  # type: ignore[attr-defined]
    ctx.parse_array = parse_array  # type: ignore[attr-defined]
    scan_once = scanner.py_make_scanner(ctx)
    start = decoder.WHITESPACE.match(text, 0).end()
    _, end = record(-1, -1, scan_once, text, start)
    if decoder.WHITESPACE.match(text, end).end() != len(text):
        raise ValueError("extra data")
    return entries


def _json_path(data: Any, pointer: str) -> tuple:
    """JSON pointer -> path tuple, list indexes as ints."""
    path: list[Any] = []
    node = data
    for raw in pointer.split("/")[1:] if pointer else ():
        part: Any = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            part = int(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        path.append(part)
    return tuple(path)


# ----------------------------------------------------------------------- YAML


def _yaml_error(exc: BaseException) -> ParseError:
    """The ParseError for a document ruamel cannot compose."""
    from ruamel.yaml.error import MarkedYAMLError

    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        return ParseError(f"invalid YAML: {problem}", mark.index if mark is not None else 0)
    if isinstance(exc, RecursionError):
        return ParseError("invalid YAML: nesting too deep", 0)
    first = str(exc).strip().splitlines()
    return ParseError(f"invalid YAML: {first[0] if first else type(exc).__name__}", 0)


_YAML_INT = lazy(r"[-+]?(0|[1-9][0-9_]*)$")


def _yaml_scalar(node: Any) -> Any:
    tag = node.tag or ""
    value = node.value
    if node.style in ("'", '"', "|", ">"):
        return value
    if tag.endswith(":int") and _YAML_INT.match(value):
        return int(value.replace("_", ""))
    if tag.endswith(":bool"):
        return value.lower() in ("true", "yes", "on")
    if tag.endswith(":null"):
        return None
    if tag.endswith(":float"):
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value


def _yaml_walker(leaves: list[Leaf]) -> Any:
    """A function that appends the scalars of a composed document (nodes with marks) to ``leaves``."""
    seen: dict[int, Any] = {}  # id -> the node, held so that a later document's nodes cannot take its id

    def walk(node: Any, path: tuple, key: Any = None) -> None:
        if id(node) in seen:  # aliases point at nodes already visited
            return
        seen[id(node)] = node
        kind = type(node).__name__
        if kind == "ScalarNode":
            ks = key.start_mark.index if key is not None else -1
            ke = key.end_mark.index if key is not None else -1
            leaves.append(Leaf(path, _yaml_scalar(node), node.start_mark.index, node.end_mark.index, ks, ke))
        elif kind == "MappingNode":
            for k, v in node.value:
                name = _yaml_scalar(k) if type(k).__name__ == "ScalarNode" else "?"
                walk(v, path + (str(name) if not isinstance(name, str) else name,), k)
        elif kind == "SequenceNode":
            for i, v in enumerate(node.value):
                walk(v, path + (i,))

    return walk


class _Yaml(NamedTuple):
    leaves: list[Leaf] | ParseError  # the error: a document too deeply nested to walk
    data: Any  # the constructed value (one document) or list of them (any other number)
    constructed: bool  # False: a document composes but does not construct (duplicate keys, bad tags...)


def _yaml_parse(text: str) -> _Yaml:
    """The scalars with their spans and the data of a YAML stream: in one pass where this ruamel.yaml has the
    loader steps that pass is built from, else through its public API in two (``_yaml_parse_public``)."""
    try:
        from ruamel.yaml.docinfo import DocInfo, version
    except ImportError:  # ruamel.yaml before 0.18.7 (the dependency allows 0.18)
        return _yaml_parse_public(text)
    return _yaml_parse_one_pass(text, DocInfo, version)


def _yaml_parse_public(text: str) -> _Yaml:
    """``_yaml_parse`` with ruamel's public API: compose every document for the scalars, then load them."""
    from ruamel.yaml import YAML

    try:
        nodes = [n for n in YAML(typ="rt").compose_all(text) if n is not None]
    except Exception as exc:  # noqa: BLE001 - MarkedYAMLError, RecursionError and assorted others
        raise _yaml_error(exc) from None
    leaves: list[Leaf] = []
    walk = _yaml_walker(leaves)
    try:
        for node in nodes:
            walk(node, ())
        walked: list[Leaf] | ParseError = leaves
    except RecursionError:
        walked = ParseError("nesting too deep to parse", 0)
    try:
        docs, constructed = list(YAML(typ="rt").load_all(text)), True
    except Exception:  # noqa: BLE001 - it composes but does not construct (duplicate keys, bad tags...)
        docs, constructed = [], False
    return _Yaml(walked, docs[0] if len(docs) == 1 else docs, constructed)


def _yaml_parse_one_pass(text: str, DocInfo: Any, version: Any) -> _Yaml:  # noqa: N803 - ruamel's classes
    """One pass of ruamel's round-trip loader, in the order ``YAML.load_all`` runs it: each document is composed,
    its scalars are read off the nodes (before construction, which rewrites merge keys in place), then it is
    constructed. A stream that does not compose raises ParseError; one that does but does not construct only
    has no data. ``tests/test_yaml_parse.py`` holds it to ``_yaml_parse_public``."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    leaves: list[Leaf] = []
    walk = _yaml_walker(leaves)
    docs: list[Any] = []
    constructed = walked = True
    yaml.doc_infos.append(DocInfo(requested_version=version(yaml.version)))
    yaml.tags = {}
    try:
        constructor, parser = yaml.get_constructor_parser(text)
        try:
            while constructor.composer.check_node():
                node = constructor.composer.get_node()
                if node is not None and walked:
                    try:
                        walk(node, ())
                    except RecursionError:
                        walked = False
                if constructed:
                    try:
                        docs.append(constructor.construct_document(node))
                    except Exception:  # noqa: BLE001 - ruamel raises assorted errors on odd input
                        constructed = False
                yaml.doc_infos.append(DocInfo(requested_version=version(yaml.version)))
        finally:
            parser.dispose()
            for comp in ("reader", "scanner"):
                try:
                    getattr(getattr(yaml, "_" + comp), f"reset_{comp}")()
                except AttributeError:
                    pass
    except Exception as exc:  # noqa: BLE001 - MarkedYAMLError, RecursionError and assorted others
        raise _yaml_error(exc) from None
    return _Yaml(leaves if walked else ParseError("nesting too deep to parse", 0), docs[0] if len(docs) == 1 else docs,
                 constructed)


def _yaml_data(text: str, parsed: _Yaml) -> Any:
    if not parsed.constructed:
        raise ParseError("invalid YAML", 0)
    return parsed.data


# ----------------------------------------------------------------------- TOML
#
# tomllib (the standard library's parser) reads the data. Spans come from tomlkit, which keeps every
# token, but tomlkit is slow to import and to parse: when each scalar is a plain value written in
# its plain form on a "key = value" line (the shape of every client config snippet), its span is
# found by looking for exactly that, once, in the text. Anything else falls back to tomlkit.


class _Toml(NamedTuple):
    data: Any
    doc: Any  # the tomlkit document, when tomllib was not enough


# tomllib and the plain locator are linear but pure Python; tomlkit (for spans that are not plain) is
# about ten times slower still. Beyond these sizes a TOML source is skipped with a one-line error, so
# that linting any file stays within a few seconds.
TOML_MAX_CHARS = 2 * 1024 * 1024
TOMLKIT_MAX_CHARS = 64 * 1024


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KiB"


def _toml_parse(text: str) -> _Toml:
    import tomllib

    if len(text) > TOML_MAX_CHARS:
        raise SourceTooLarge(f"TOML too large to check ({_size(len(text))} > {_size(TOML_MAX_CHARS)}), skipped")
    try:
        return _Toml(tomllib.loads(text), None)
    except Exception as exc:  # noqa: BLE001 - tomlkit reports the error (with the message users know)
        if len(text) > TOMLKIT_MAX_CHARS:  # too large for tomlkit: tomllib's own message
            raise _tomllib_error(text, exc) from None
        doc = _tomlkit_parse(text)
        return _Toml(doc.unwrap(), doc)


def _tomllib_error(text: str, exc: Exception) -> ParseError:
    msg = str(exc)
    m = re.search(r"\s*\(at line (\d+), column (\d+)\)$", msg)
    offset = 0
    if m:
        line, col = int(m.group(1)), int(m.group(2))
        starts = [0] + [x.end() for x in re.finditer("\n", text)]
        offset = min(starts[min(max(line, 1), len(starts)) - 1] + max(col - 1, 0), len(text))
        msg = msg[:m.start()]
    return ParseError(f"invalid TOML: {msg[:1].lower() + msg[1:]}", offset)


def _tomlkit_parse(text: str) -> Any:
    import tomlkit
    from tomlkit.exceptions import ParseError as TomlError

    try:
        return tomlkit.parse(text)
    except TomlError as exc:
        line, col = getattr(exc, "line", 1), getattr(exc, "col", 1)
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        offset = starts[min(max(line, 1), len(starts)) - 1] + max(col - 1, 0)
        msg = re.sub(r"\s*at line \d+ col \d+$", "", str(exc))
        if "\\x00" in msg or "\x00" in msg:  # tomlkit reports the end of input as a NUL character
            msg = "unexpected end of file"
        msg = msg.replace("Unexpected character: '\\n'", "unexpected end of line")
        raise ParseError(f"invalid TOML: {msg}", min(offset, len(text))) from None
    except Exception as exc:  # noqa: BLE001 - tomlkit raises assorted errors on odd input
        raise ParseError(f"invalid TOML: {exc}", 0) from None


def _toml_leaves_of(text: str, parsed: _Toml) -> list[Leaf]:
    if parsed.doc is None:
        leaves = _toml_plain_leaves(text, parsed.data)
        if leaves is not None:
            return leaves
    if len(text) > TOMLKIT_MAX_CHARS:
        raise SourceTooLarge(f"TOML too large to locate its values ({_size(len(text))} > {_size(TOMLKIT_MAX_CHARS)} "
                             "for TOML that is not written as plain one-line key = value pairs), skipped")
    if parsed.doc is None:
        return _toml_leaves(text, _tomlkit_parse(text), owned=True)
    return _toml_leaves(text, parsed.doc)


_BREAK = lazy(r"[\r\n]")
_HASH = lazy("#")
_PLAIN_STR = lazy(r"[^\x00-\x1f\x7f\"'\\#=,{}\[\]]*")  # no character that could open or end a token
_DOTTED = r"""(?:(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')[ \t]*\.[ \t]*)*"""
_AFTER = r"(?=[ \t]*(?:[,}\]#\r\n]|$))"
_KEY_TOKEN = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_VALUE_TOKEN = r"""(?:"[^"\n]*"|'[^'\n]*'|[^\s"'#=,{}\[\]]+)"""  # a one-line string, or a bare word (int, bool, ...)
# Every "key = value" written on one line (at a line start or after "{" or ","), and every array item:
# one pass each over the text, whatever the number of keys.
_PLAIN_PAIR = lazy(rf"(?:^|(?<=[{{,]))[ \t]*{_DOTTED}(?P<key>{_KEY_TOKEN})[ \t]*=[ \t]*(?P<value>{_VALUE_TOKEN}){_AFTER}",
                   re.M)
_PLAIN_ITEM = lazy(rf"(?<=[\[,])[ \t\r\n]*(?P<value>{_VALUE_TOKEN})(?=[ \t\r\n]*[,\]])")


def _token_key(token: str) -> tuple[str, str]:
    """How a value token is looked up: ("s", contents) for a string, ("t", token) for a bare word."""
    return ("s", token[1:-1]) if token[:1] in "\"'" else ("t", token)


def _value_key(value: Any) -> tuple[str, str]:
    if isinstance(value, bool):
        return ("t", "true" if value else "false")
    if isinstance(value, int):
        return ("t", str(value))
    return ("s", value)


def _toml_plain_leaves(text: str, data: Any) -> list[Leaf] | None:
    """Scalars with spans when every one is plainly written and found exactly once; else None.

    Linear in the text: the plain pairs and array items are indexed in one pass each, then every
    scalar of the data is looked up by (key, value); a comment check per found span uses bisection.
    """
    found: list[tuple[tuple, Any]] = []

    def walk(node: Any, path: tuple) -> bool:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            if isinstance(k, str) and not _PLAIN_STR.fullmatch(k):
                return False
            if isinstance(v, (dict, list)):
                if not walk(v, path + (k,)):
                    return False
            elif isinstance(v, str) and not _PLAIN_STR.fullmatch(v) or not isinstance(v, (str, int)):
                return False  # floats, dates and strings that need escapes or quoting care: tomlkit
            else:
                found.append((path + (k,), v))
        return True

    if not walk(data, ()):
        return None
    pairs: dict[tuple, Any] = {}  # (key name, value key) -> the one match, or None when there are several
    for m in _PLAIN_PAIR.finditer(text):
        whole, key, value = m.group(0, "key", "value")
        if "," in whole or "{" in whole:
            return None  # a match hiding another place a pair could start: let tomlkit decide
        at = (key[1:-1] if key[0] in "\"'" else key,
              ("s", value[1:-1]) if value[0] in "\"'" else ("t", value))
        pairs[at] = None if at in pairs else m
    items: dict[tuple, Any] = {}
    for m in _PLAIN_ITEM.finditer(text):
        at = _token_key(m.group("value"))
        items[at] = None if at in items else m
    breaks = [m.start() for m in _BREAK.finditer(text)]
    hashes = [m.start() for m in _HASH.finditer(text)] if "#" in text else []
    leaves = []
    spans = set()
    for path, value in found:
        key = path[-1]
        m = pairs.get((key, _value_key(value))) if isinstance(key, str) else items.get(_value_key(value))
        if m is None:
            return None  # not found, or found more than once
        start, end = m.span("value")
        i = bisect_right(breaks, start - 1) - 1
        line_start = breaks[i] + 1 if i >= 0 else 0
        h = bisect_right(hashes, line_start - 1)
        if h < len(hashes) and hashes[h] < start or start in spans:
            return None  # in a comment, or a second leaf on the same token
        spans.add(start)
        ks, ke = m.span("key") if isinstance(key, str) else (-1, -1)
        leaves.append(Leaf(path, value, start, end, ks, ke))
    return leaves


def _toml_leaves(text: str, doc: Any, owned: bool = False) -> list[Leaf]:
    """Scalars of a TOML document with spans; ``doc`` is its tomlkit parse (modified only when ``owned``)."""
    leaves: list[Leaf] = []
    found: list[tuple[tuple, Any, str]] = []

    def walk(container: Any, path: tuple) -> None:
        items = container.items() if hasattr(container, "items") else enumerate(container)
        for k, v in items:
            sub = path + (k,)
            if isinstance(v, (dict, list)) and not isinstance(v, str):
                walk(v, sub)
            else:
                token = ("true" if v else "false") if isinstance(v, bool) else v.as_string() if hasattr(v, "as_string") else str(v)
                found.append((sub, v, token))

    walk(doc, ())
    values = [item.unwrap() if hasattr(item, "unwrap") else item for _, item, _ in found]
    spans = _toml_locate_all(text, doc if owned else None, [(path, token) for path, _, token in found])
    for (path, _, _), value, span in zip(found, values, spans):
        if span is None:
            continue
        start, end = span
        key_start = key_end = -1
        if isinstance(path[-1], str):
            line_start = max(text.rfind("\n", 0, start) + 1, start - 1024)  # keys are short: a bounded look back
            m = None
            for m in re.finditer(r'(?:"[^"\n]*"|\'[^\'\n]*\'|[A-Za-z0-9_-]+)\s*=\s*$', text[line_start:start]):
                pass
            if m is not None and (m.start() > 0 or line_start == text.rfind("\n", 0, start) + 1):
                key_token = m.group(0).split("=")[0].rstrip()
                key_start = line_start + m.start()
                key_end = key_start + len(key_token)
        leaves.append(Leaf(path, value, start, end, key_start, key_end))
    return leaves


_SENTINEL = "\x00flowgate-locate-{}\x00"
_LOCATE_ROUNDS = 8  # tomlkit round trips at most, beyond the first


def _toml_locate_all(text: str, doc: Any, wanted: list[tuple[tuple, str]]) -> list[tuple[int, int] | None]:
    """Spans of the values at the given (path, token): a token found once in the text is its own span;
    the rest are found by one sentinel round trip through tomlkit for all of them together (halved
    and retried, a bounded number of times, when tomlkit re-renders around a replaced value).
    ``doc`` is a tomlkit document that may be modified (None: parse afresh)."""
    spans: list[tuple[int, int] | None] = [None] * len(wanted)
    counts = _token_counts(text, [token for _, token in wanted])
    rest = []
    for i, (_, token) in enumerate(wanted):
        count, first = counts.get(token, (0, -1))
        if count == 1:
            spans[i] = (first, first + len(token))
        else:
            rest.append(i)
    pending = [rest] if rest else []
    rounds = 0
    while pending and rounds <= _LOCATE_ROUNDS:
        group = pending.pop()
        rounds += 1
        located = _sentinel_round_trip(text, doc if doc is not None else _tomlkit_parse(text),
                                       [wanted[i] for i in group])
        doc = None  # used up
        if located is not None:
            for i, span in zip(group, located):
                spans[i] = span
        elif len(group) > 1:
            pending.extend([group[:len(group) // 2], group[len(group) // 2:]])
    return spans


def _token_counts(text: str, tokens: list[str]) -> dict[str, tuple[int, int]]:
    """token -> (occurrences in text, overlapping ones included; first start), in one pass."""
    distinct = [t for t in dict.fromkeys(tokens) if t]
    if not distinct:
        return {}
    out: dict[str, tuple[int, int]] = {}
    try:
        from ahocorasick_rs import AhoCorasick, MatchKind
    except ImportError:  # pragma: no cover - a declared dependency; fall back to scans
        for t in distinct:
            out[t] = (min(text.count(t), 2), text.find(t))  # count() does not see overlaps: 2 means "not unique"
        return out
    for index, start, _ in AhoCorasick(distinct, matchkind=MatchKind.Standard).find_matches_as_indexes(text, overlapping=True):
        token = distinct[index]
        count, first = out.get(token, (0, start))
        out[token] = (count + 1, first)
    return out


def _sentinel_round_trip(text: str, doc: Any, wanted: list[tuple[tuple, str]]) -> list[tuple[int, int]] | None:
    """Replace every wanted value by a numbered sentinel, render once, and read the spans off the differences;
    None unless the rendering is the text with exactly those tokens replaced."""
    import tomlkit

    try:
        for n, (path, _) in enumerate(wanted):
            node = doc
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = _SENTINEL.format(n)
        rendered = tomlkit.dumps(doc)
    except Exception:  # noqa: BLE001 - some shapes cannot be replaced in place
        return None
    quoted = tomlkit.string(_SENTINEL.format(0)).as_string()
    head, _, tail = quoted.partition("flowgate-locate-0")
    marker = re.compile(re.escape(head + "flowgate-locate-") + r"(\d+)" + re.escape(tail))
    spans: list[tuple[int, int] | None] = [None] * len(wanted)
    rpos = opos = 0
    for m in marker.finditer(rendered):
        n = int(m.group(1))
        if n >= len(wanted) or spans[n] is not None:
            return None
        gap = m.start() - rpos
        if text[opos:opos + gap] != rendered[rpos:m.start()]:
            return None
        opos += gap
        token = wanted[n][1]
        if not token or text[opos:opos + len(token)] != token:
            return None
        spans[n] = (opos, opos + len(token))
        opos += len(token)
        rpos = m.end()
    if rendered[rpos:] != text[opos:] or any(span is None for span in spans):
        return None
    return spans  # type: ignore[return-value]


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
