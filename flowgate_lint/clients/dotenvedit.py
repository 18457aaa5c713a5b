"""Line edits of a dotenv file (``KEY=value`` lines, ``export`` allowed): set or add one variable, keep the rest.

Only assignment lines of the managed names are touched; comments, blank lines, other variables, line endings
and a missing final newline stay as they are. A managed name assigned twice is refused (loaders disagree on
which one wins).
"""

from __future__ import annotations

import re

from flowgate_lint.clients.jsonedit import ConfigError

_ASSIGN = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(.*?)(\r?\n|\r|$)", re.M)
_PLAIN = re.compile(r"[\w./:@%+,-]*")


def quote(value: str) -> str:
    """A value as dotenv and POSIX shells read it back: bare when it needs no quoting, else single-quoted."""
    if _PLAIN.fullmatch(value):
        return value
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        inner = raw[1:-1]
        return inner if raw[0] == "'" else re.sub(r"\\(.)", r"\1", inner)
    return re.sub(r"[ \t]+#.*$", "", raw)


def _value_span(m: re.Match) -> tuple[int, int]:
    """Where the value of an assignment sits: its quotes included, a trailing `` # comment`` and blanks not."""
    raw = m.group(2)
    lead = len(raw) - len(raw.lstrip(" \t"))
    body = raw[lead:]
    if body[:1] in ("'", '"'):
        close = body.find(body[0], 1)
        if close > 0:
            return m.start(2) + lead, m.start(2) + lead + close + 1
    cut = re.search(r"[ \t]+#|[ \t]+$", body)
    return m.start(2) + lead, m.start(2) + lead + (cut.start() if cut else len(body))


def values(text: str, names: tuple[str, ...] | frozenset[str]) -> dict[str, str]:
    """The values ``text`` assigns to ``names`` (the last assignment of each)."""
    return {m.group(1): _unquote(m.group(2)) for m in _ASSIGN.finditer(text) if m.group(1) in names}


def set_values(text: str, wanted: dict[str, str], where: str) -> tuple[str, list[str]]:
    """Assign each of ``wanted``: in place where the file assigns it, else appended. Returns the text and the
    names that changed, in ``wanted``'s order."""
    found: dict[str, list[re.Match]] = {}
    for m in _ASSIGN.finditer(text):
        if m.group(1) in wanted:
            found.setdefault(m.group(1), []).append(m)
    for name, matches in found.items():
        if len(matches) > 1:
            line = text.count("\n", 0, matches[1].start()) + 1
            raise ConfigError(f"{name} is assigned more than once; refusing to edit it", where, line)
    changed: list[str] = []
    edits: list[tuple[int, int, str]] = []
    appended: list[str] = []
    for name, value in wanted.items():
        if name in found:
            m = found[name][0]
            if _unquote(m.group(2)) != value:
                edits.append((*_value_span(m), quote(value)))
                changed.append(name)
        else:
            appended.append(f"{name}={quote(value)}")
            changed.append(name)
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    if appended:
        eol = "\r\n" if "\r\n" in text else "\n"
        if text and not text.endswith(("\n", "\r")):
            text += eol
        text += eol.join(appended) + eol
    return text, changed
