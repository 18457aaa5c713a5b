"""JSON and JSONC: parsed by the json module (comments stripped first), leaves located by json-source-map."""

import re
from typing import Any

from flowgate_lint.documents.leaves import Leaf, ParseError
from flowgate_lint.plumbing.lazyre import lazy


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


def _number(digits: str) -> Any:
    """A JSON integer of any length (``int`` refuses over 4,300 digits; such a number is valid JSON all the same)."""
    try:
        return int(digits)
    except ValueError:
        from decimal import Decimal

        return Decimal(digits)


def _json_load(text: str) -> Any:
    import json

    try:
        return json.loads(text, parse_int=_number)
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
        value = token[1:-1] if token[0] == '"' and "\\" not in token else json.loads(token, parse_int=_number)
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
            parse_int = staticmethod(_number)
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
