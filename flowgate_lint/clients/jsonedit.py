"""Span edits of a JSON config: set, add or remove one member, append to an array, leaving every other byte.

Positions come from json-source-map; values are rendered with ``json.dumps``. The caller re-parses the result.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flowgate_lint.plumbing.errors import FlowgateError

# json-source-map, which locates members for the edits, recurses a few frames per level: past about 300 it
# overflows the stack. No client config comes near this depth.
MAX_DEPTH = 256


class ConfigError(FlowgateError):
    """A target that exists but cannot be edited safely (unparsable, wrong shape)."""


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise _Duplicate(key)
        seen[key] = value
    return seen


def number(digits: str) -> Any:
    """A JSON integer of any length (``int`` refuses over 4,300 digits; such a number is valid JSON all the same)."""
    try:
        return int(digits)
    except ValueError:
        from decimal import Decimal

        return Decimal(digits)


def nesting(data: Any) -> int:
    """How deep ``data`` nests (a scalar 0, ``{}`` 1), counted without recursion; stops once past ``MAX_DEPTH``."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                break
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def json_object(text: str, where: str, why: str = "refusing to edit it", edit: bool = True) -> Any:
    """``text`` parsed as a JSON object; a duplicate key is refused (parsers keep the last, editors the first).

    ``edit``: the text is about to be span-edited, so nesting deeper than ``MAX_DEPTH`` is refused too."""
    too_deep = f"nested more than {MAX_DEPTH} levels deep; {why}"
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=number)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON ({exc.msg}); {why}", where, exc.lineno) from None
    except _Duplicate as exc:
        quoted = json.dumps(exc.key, ensure_ascii=False)
        at = [m.start() for m in re.finditer(re.escape(quoted) + r"\s*:", text)]
        line = text.count("\n", 0, at[1]) + 1 if len(at) > 1 else None
        raise ConfigError(f"duplicate key {quoted} in one object (the client reads only the last); {why}",
                          where, line) from None
    except RecursionError:  # the json module's C scanner stops at the interpreter's recursion limit
        raise ConfigError(too_deep, where) from None
    except ValueError as exc:
        raise ConfigError(f"cannot be read as JSON ({exc}); {why}", where) from None
    if not isinstance(data, dict):
        raise ConfigError(f"not a JSON object; {why}", where, 1)
    if edit and nesting(data) > MAX_DEPTH:
        raise ConfigError(too_deep, where)
    return data


def entries(text: str) -> dict:
    """JSON pointer -> json-source-map entry of every value in ``text`` (which ``json_object`` has validated).

    ``calculate`` would validate it again with a plain ``json.loads``, which refuses integers of over 4,300
    digits; its mapper reads numbers as text."""
    from json_source_map import handle, types

    return dict(handle.value(source=text, current_location=types.Location(0, 0, 0)))


def pointer(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _eol(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _indent_unit(text: str, found: dict) -> str:
    """The file's indentation step (two spaces when it cannot be told)."""
    for ptr, entry in found.items():
        if ptr.count("/") == 1 and entry.key_start is not None:
            line_start = text.rfind("\n", 0, entry.key_start.position) + 1
            ws = text[line_start:entry.key_start.position]
            if ws and not ws.strip():
                return ws
    return "  "


def _line_indent(text: str, pos: int) -> str:
    line_start = text.rfind("\n", 0, pos) + 1
    m = re.match(r"[ \t]*", text[line_start:pos])
    return m.group(0) if m else ""


def _children(found: dict, parent: str, keyed: bool) -> list[tuple[str, Any]]:
    """(pointer, entry) of the direct members (objects) or elements (arrays) at ``parent``, in file order."""
    depth = parent.count("/") + 1
    out = [(p, e) for p, e in found.items() if p.startswith(parent + "/") and p.count("/") == depth
           and (e.key_start is not None) == keyed]
    return sorted(out, key=lambda pe: (pe[1].key_start or pe[1].value_start).position)


def _single_line(text: str, node: Any) -> bool:
    return "\n" not in text[node.value_start.position:node.value_end.position]


def _render(value: Any, text: str, found: dict, pad: str, compact: bool) -> str:
    """A new value: on one line in a one-line container, else indented like the file from ``pad``."""
    if not (isinstance(value, (dict, list)) and value) or compact:
        return json.dumps(value, ensure_ascii=False)
    body = json.dumps(value, ensure_ascii=False, indent=_indent_unit(text, found))
    return body.replace("\n", _eol(text) + pad)


def _insert(text: str, parent: str, key: str | None, value: Any, found: dict, keyed: bool) -> str:
    """Add a member (``key``) or an element after the container's last child, or into it when empty."""
    container = found[parent]
    children = _children(found, parent, keyed)
    eol = _eol(text)
    head = f"{json.dumps(key, ensure_ascii=False)}: " if keyed else ""
    if children:
        last = children[-1][1]
        first = children[0][1]
        compact = _single_line(text, container)
        indent = _line_indent(text, (first.key_start or first.value_start).position)
        sep = ", " if compact else "," + eol + indent
        at = last.value_end.position
        return text[:at] + sep + head + _render(value, text, found, indent, compact) + text[at:]
    opener, closer = ("{", "}") if keyed else ("[", "]")
    if _single_line(text, found[""]):  # a one-line file stays on one line
        rendered = f"{opener}{head}{json.dumps(value, ensure_ascii=False)}{closer}"
        return text[:container.value_start.position] + rendered + text[container.value_end.position:]
    outer = _line_indent(text, container.value_start.position)
    inner_pad = outer + _indent_unit(text, found)
    rendered = _render(value, text, found, inner_pad, False)
    inner = f"{opener}{eol}{inner_pad}{head}{rendered}{eol}{outer}{closer}"
    return text[:container.value_start.position] + inner + text[container.value_end.position:]


def set_member(text: str, parent: str, key: str, value: Any) -> str:
    """Set ``key`` in the object at JSON pointer ``parent`` (which must exist)."""
    found = entries(text)
    ptr = parent + pointer(key)
    if ptr in found:
        e = found[ptr]
        rendered = _render(value, text, found, _line_indent(text, e.key_start.position), _single_line(text, found[parent]))
        return text[:e.value_start.position] + rendered + text[e.value_end.position:]
    return _insert(text, parent, key, value, found, True)


def put(text: str, parent: tuple, node: dict, key: str, value: Any, changes: list[str]) -> str:
    """Set ``key`` of the object at ``parent`` (whose parsed value is ``node``) when it differs, recording the change
    as ``a.b.key: old -> new``; the text is returned unchanged when the value is already there."""
    old = node.get(key)
    if old == value:
        return text
    text = set_member(text, pointer(*parent), key, value)
    node[key] = value
    name = ".".join(str(p) for p in parent + (key,))
    changes.append(f"{name}: {old!r} -> {value!r}" if old is not None else f"{name} = {value!r}")
    return text


def append_element(text: str, array: str, value: Any) -> str:
    """Append ``value`` to the array at JSON pointer ``array`` (which must exist)."""
    return _insert(text, array, None, value, entries(text), False)


def remove_member(text: str, parent: str, key: str) -> str:
    found = entries(text)
    members = _children(found, parent, True)
    ptr = parent + pointer(key)
    index = next(i for i, (p, _) in enumerate(members) if p == ptr)
    e = members[index][1]
    if index + 1 < len(members):  # not last: drop up to the next member's key
        return text[:e.key_start.position] + text[members[index + 1][1].key_start.position:]
    if index > 0:  # last of several: drop from the previous value's end (its comma goes too)
        return text[:members[index - 1][1].value_end.position] + text[e.value_end.position:]
    obj = found[parent]  # the only member: leave an empty object
    return text[:obj.value_start.position] + "{}" + text[obj.value_end.position:]


def ensure_object(text: str, data: dict, path: tuple[str, ...], where: str) -> tuple[str, dict, bool]:
    """Make the object at ``path`` exist (creating empty objects on the way); return the text, that object's
    parsed value and whether anything was created. A non-object on the way is refused."""
    node: Any = data
    created = False
    for depth, key in enumerate(path):
        child = node.get(key)
        if child is None:
            text = set_member(text, pointer(*path[:depth]), key, {})
            child = {}
            node[key] = child
            created = True
        elif not isinstance(child, dict):
            raise ConfigError(f'"{".".join(path[:depth + 1])}" is not an object; refusing to edit it', where)
        node = child
    return text, node, created
