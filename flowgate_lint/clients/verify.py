"""The check after every edit: the new text, parsed afresh, holds each managed value where the client reads it.

The editors place keys with tomlkit and span edits; a file shaped in a way they do not foresee (dotted keys,
inline tables, duplicate sections) could get a value written somewhere the client never looks while apply
reports success. Each client lists what it manages as (path, expected value); a path step that is a ``Select``
picks the first array element whose field has a value (Qwen Code's ``modelProviders.openai`` entries).
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple, Sequence

from flowgate_lint.clients.jsonedit import ConfigError, number


class Select(NamedTuple):
    field: str
    value: Any


MISSING: Any = type("Missing", (), {"__repr__": lambda self: "absent"})()  # expected: the key is not there
PRESENT: Any = type("Present", (), {"__repr__": lambda self: "present"})()  # expected: the key is there, any value

Path = tuple[Any, ...]


def parsed(kind: str, text: str, names: Sequence[str] = ()) -> Any:
    """``text`` read as the client reads it: TOML, JSON, or the dotenv assignments of ``names`` (the last wins)."""
    if kind == "toml":
        try:
            import tomllib
        except ImportError:  # Python 3.10: tomlkit's own reading
            import tomlkit

            return tomlkit.parse(text).unwrap()
        return tomllib.loads(text)
    if kind == "json":
        return json.loads(text, parse_int=number)
    from flowgate_lint.clients.dotenvedit import values

    return values(text, frozenset(names))


def lookup(data: Any, path: Path) -> Any:
    """The value at ``path`` in ``data``, or ``MISSING``."""
    node = data
    for step in path:
        if isinstance(step, Select):
            node = next((e for e in node if isinstance(e, dict) and e.get(step.field) == step.value), MISSING) \
                if isinstance(node, list) else MISSING
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return MISSING
        if node is MISSING:
            return MISSING
    return node


def label(path: Path) -> str:
    return ".".join(f"[{s.field}={s.value}]" if isinstance(s, Select) else str(s) for s in path)


def check(kind: str, text: str, managed: Sequence[tuple[Path, Any]], where: str) -> None:
    """Raise ConfigError (one line, nothing is written) unless every managed value is where the client reads it.
    Values are named, never shown: one of them may be a key."""
    try:
        data = parsed(kind, text, [p[0] for p, _ in managed])
    except (ValueError, RecursionError):
        raise ConfigError("the edited file would not parse; nothing was written (a bug: please report it)", where) \
            from None
    for path, expected in managed:
        got = lookup(data, path)
        ok = got is MISSING if expected is MISSING else got is not MISSING if expected is PRESENT else got == expected
        if not ok:
            raise ConfigError(f"after the edit, {label(path)} would not be where the client reads it (the file's "
                              "layout defeats the editor); nothing was written: set it by hand", where)
