"""TOML: parsed by tomllib (tomlkit only where a span needs it), leaves located in the text."""

from bisect import bisect_right
import re
from typing import Any, NamedTuple

from flowgate_lint.documents.leaves import Leaf, ParseError, SourceTooLarge
from flowgate_lint.plumbing.lazyre import lazy


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
