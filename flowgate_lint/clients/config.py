"""Editing users' client configs (pure: text in, text out). Only managed keys are touched.

Codex ``config.toml`` is edited with tomlkit (comments, key order, other tables kept).
Claude Code ``settings.json`` is edited by exact span edits (json-source-map positions),
so indentation, key order, unknown keys and non-string values stay byte for byte.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from flowgate_lint.plumbing.errors import FlowgateError

# Model overrides a previous provider may have left behind (the list cc-switch clears), plus
# the deprecated small/fast slot. Removed unless the spec sets them.
STALE_CLAUDE_KEYS = (
    "ANTHROPIC_SMALL_FAST_MODEL",
    "ANTHROPIC_REASONING_MODEL",
    "ANTHROPIC_DEFAULT_FABLE_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL_NAME",
    "ANTHROPIC_DEFAULT_SONNET_MODEL_NAME",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL_NAME",
    "ANTHROPIC_DEFAULT_FABLE_MODEL_NAME",
    "CLAUDE_CODE_SUBAGENT_MODEL",
)
TOKEN_KEY = "ANTHROPIC_AUTH_TOKEN"


class ConfigError(FlowgateError):
    """A target that exists but cannot be edited safely (unparsable, wrong shape)."""


class Edited(NamedTuple):
    text: str
    changes: list[str]  # human-readable, never containing a secret


# ----------------------------------------------------------------------------- Codex


def check_config(client: str, data: bytes, where: str, why: str) -> None:
    """Raise ConfigError (``why`` ends its message) unless ``data`` is a file ``client`` reads: UTF-8
    (a BOM allowed) holding a TOML document (codex) or a JSON object (claude-code)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"not valid UTF-8; {why}", where) from None
    if client == "codex":
        _toml(text, where, why)
    else:
        _json_object(text, where, why)


def _toml(text: str, where: str, why: str = "refusing to edit it") -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        line = getattr(exc, "line", None)
        msg = re.sub(r"\s*at line \d+ col \d+$", "", str(exc))
        raise ConfigError(f"not valid TOML ({msg}); {why}", where, line) from None


def apply_codex(text: str, spec: Any, where: str = "config.toml") -> Edited:
    """Point Codex at the gateway: model_provider, model and the provider table; nothing else changes."""
    import tomlkit

    doc = _toml(text, where)
    c = spec.codex
    changes: list[str] = []

    def put(table: Any, key: str, value: str, label: str) -> None:
        old = table.get(key)
        if old != value:
            table[key] = value
            changes.append(f"{label}: {old!r} -> {value!r}" if old is not None else f"{label} = {value!r}")

    selected = doc.get("model_provider")
    put(doc, "model_provider", c.provider_id, "model_provider")
    put(doc, "model", c.model, "model")
    providers = doc.get("model_providers")
    if providers is not None and not isinstance(providers, dict):
        raise ConfigError("model_providers is not a table; refusing to edit it", where)
    if providers is None:
        providers = tomlkit.table(is_super_table=True)
        doc["model_providers"] = providers
    table = providers.get(c.provider_id)
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"model_providers.{c.provider_id} is not a table; refusing to edit it", where)
    created = table is None
    if created:
        table = tomlkit.table()
        providers[c.provider_id] = table
    prefix = f"model_providers.{c.provider_id}"
    for key, value in (("name", c.provider_name), ("base_url", c.base_url), ("env_key", c.env_key),
                       ("wire_api", c.wire_api)):
        put(table, key, value, f"{prefix}.{key}")
    if created:
        table.add(tomlkit.nl())  # a blank line before whatever table follows
    if isinstance(selected, str) and selected != c.provider_id and selected in providers:
        changes.append(f"previous provider [model_providers.{selected}] kept")
    new = tomlkit.dumps(doc)
    if not changes:
        return Edited(text, [])
    if "\r\n" in text:  # tomlkit writes "\n" for what it adds: keep a CRLF file CRLF
        new = re.sub(r"(?<!\r)\n", "\r\n", new)
        if new.endswith("\r\n\r\n"):
            new = new[:-2]
    if new.endswith("\n\n"):
        new = new.rstrip("\n") + "\n"
    if text and not text.endswith("\n"):
        new = new.rstrip("\n")
    return Edited(new, changes)


# ----------------------------------------------------------------------------- Claude


def _json_object(text: str, where: str, why: str = "refusing to edit it") -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON ({exc.msg}); {why}", where, exc.lineno) from None
    if not isinstance(data, dict):
        raise ConfigError(f"not a JSON object; {why}", where, 1)
    return data


def _entries(text: str) -> dict:
    from json_source_map import calculate

    return calculate(text)


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def _eol(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _indent_unit(text: str, entries: dict) -> str:
    """The file's indentation step (two spaces when it cannot be told)."""
    for pointer, entry in entries.items():
        if pointer.count("/") == 1 and entry.key_start is not None:
            line_start = text.rfind("\n", 0, entry.key_start.position) + 1
            ws = text[line_start:entry.key_start.position]
            if ws and not ws.strip():
                return ws
    return "  "


def _line_indent(text: str, pos: int) -> str:
    line_start = text.rfind("\n", 0, pos) + 1
    m = re.match(r"[ \t]*", text[line_start:pos])
    return m.group(0) if m else ""


def _members(text: str, entries: dict, parent: str) -> list[tuple[str, Any]]:
    """(key, entry) of the direct members of the object at ``parent``, in file order."""
    depth = parent.count("/") + 1
    out = [(p, e) for p, e in entries.items() if p.startswith(parent + "/") and p.count("/") == depth and e.key_start]
    return sorted(out, key=lambda pe: pe[1].key_start.position)


def _set_member(text: str, parent: str, key: str, value: Any) -> str:
    """Set ``key`` in the object at JSON pointer ``parent`` (created by the caller), by span edits."""
    entries = _entries(text)
    pointer = parent + _pointer(key)
    rendered = json.dumps(value, ensure_ascii=False)
    if pointer in entries:
        e = entries[pointer]
        return text[:e.value_start.position] + rendered + text[e.value_end.position:]
    obj = entries[parent]
    members = _members(text, entries, parent)
    eol = _eol(text)
    if members:
        last = members[-1][1]
        indent = _line_indent(text, members[0][1].key_start.position)
        same_line = "\n" not in text[obj.value_start.position:last.value_end.position]
        sep = ", " if same_line else "," + eol + indent
        insert = f'{sep}{json.dumps(key, ensure_ascii=False)}: {rendered}'
        at = last.value_end.position
        return text[:at] + insert + text[at:]
    # an empty object: {} or {   }
    outer = _line_indent(text, obj.value_start.position)
    unit = _indent_unit(text, entries)
    inner = f"{{{eol}{outer}{unit}{json.dumps(key, ensure_ascii=False)}: {rendered}{eol}{outer}}}"
    return text[:obj.value_start.position] + inner + text[obj.value_end.position:]


def _remove_member(text: str, parent: str, key: str) -> str:
    entries = _entries(text)
    members = _members(text, entries, parent)
    pointer = parent + _pointer(key)
    index = next(i for i, (p, _) in enumerate(members) if p == pointer)
    e = members[index][1]
    if index + 1 < len(members):  # not last: drop up to the next member's key
        return text[:e.key_start.position] + text[members[index + 1][1].key_start.position:]
    if index > 0:  # last of several: drop from the previous value's end (its comma goes too)
        return text[:members[index - 1][1].value_end.position] + text[e.value_end.position:]
    obj = entries[parent]  # the only member: leave an empty object
    return text[:obj.value_start.position] + "{}" + text[obj.value_end.position:]


def apply_claude(text: str, spec: Any, token: str | None = None, where: str = "settings.json") -> Edited:
    """Set env.ANTHROPIC_BASE_URL and the model slots (and the token when given); remove stale overrides."""
    if not text.strip():
        text = "{}\n"
    data = _json_object(text, where)
    env = data.get("env")
    if env is not None and not isinstance(env, dict):
        raise ConfigError('"env" is not an object; refusing to edit it', where)
    changes: list[str] = []
    if env is None:
        text = _set_member(text, "", "env", {})
        env = {}
        changes.append("env block added")
    wanted = dict(spec.claude.env())
    for key, value in wanted.items():
        if env.get(key) != value:
            text = _set_member(text, "/env", key, value)
            changes.append(f"env.{key}: {env[key]!r} -> {value!r}" if key in env else f"env.{key} = {value!r}")
    if token is not None and env.get(TOKEN_KEY) != token:
        text = _set_member(text, "/env", TOKEN_KEY, token)
        changes.append(f"env.{TOKEN_KEY} set (value not shown)")
    for key in STALE_CLAUDE_KEYS:
        if key in env and key not in wanted:
            text = _remove_member(text, "/env", key)
            changes.append(f"env.{key} removed (stale model override)")
    _json_object(text, where)  # the result must parse
    return Edited(text, changes)
