"""Editing users' client configs (pure: text in, text out). Only managed keys are touched.

Codex ``config.toml`` is edited with tomlkit (comments, key order, other tables kept).
Claude Code ``settings.json`` is edited by exact span edits (json-source-map positions),
so indentation, key order, unknown keys and non-string values stay byte for byte.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from flowgate_lint.clients.jsonedit import ConfigError, json_object as _json_object, remove_member as _remove_member, \
    set_member as _set_member

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


class Edited(NamedTuple):
    text: str
    changes: list[str]  # human-readable, never containing a secret


# ----------------------------------------------------------------------------- Codex


def check_config(kind: str, data: bytes, where: str, why: str) -> None:
    """Raise ConfigError (``why`` ends its message) unless ``data`` is a file of ``kind`` (a client's config
    kind): UTF-8 (a BOM allowed) holding a TOML document, a JSON object or dotenv lines."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"not valid UTF-8; {why}", where) from None
    if kind == "toml":
        _toml(text, where, why)
    elif kind == "json":
        _json_object(text, where, why, edit=False)
    elif "\0" in text:  # dotenv: any text is a dotenv file, but not one with NUL bytes
        raise ConfigError(f"holds NUL bytes, not a dotenv file; {why}", where)


def _toml(text: str, where: str, why: str = "refusing to edit it") -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        line = getattr(exc, "line", None)
        msg = re.sub(r"\s*at line \d+ col \d+$", "", str(exc))
        raise ConfigError(f"not valid TOML ({msg}); {why}", where, line) from None


def codex_managed(spec: Any, token: str | None = None) -> list[tuple[tuple, Any]]:
    """What ``apply_codex`` sets, as (path, value): where Codex reads each."""
    c = spec.codex
    provider = [(("model_providers", c.provider_id, key), value) for key, value in
                (("name", c.provider_name), ("base_url", c.base_url), ("env_key", c.env_key), ("wire_api", c.wire_api))]
    return [(("model_provider",), c.provider_id), (("model",), c.model), *provider]


def _dotted(doc: Any, key: str) -> bool:
    """Whether the document defines top-level ``key`` with dotted keys (``key.sub.name = ...``)."""
    return any(k is not None and k.key == key and k.is_dotted() for k, _ in doc.body)


def apply_codex(text: str, spec: Any, where: str = "config.toml") -> Edited:
    """Point Codex at the gateway: model_provider, model and the provider table; nothing else changes.

    A new provider is written in the file's own style: into an inline ``model_providers = { ... }``, and as a
    ``[model_providers.<id>]`` table after the document when the others are top-level dotted keys (tomlkit
    would put it among them, taking the keys that follow into it)."""
    import tomlkit
    from tomlkit.items import InlineTable

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
    inline = isinstance(providers, InlineTable)
    after = created and not inline and _dotted(doc, "model_providers")
    if created:
        table = tomlkit.inline_table() if inline else tomlkit.table()
        if not after:
            providers[c.provider_id] = table
    prefix = f"model_providers.{c.provider_id}"
    for key, value in (("name", c.provider_name), ("base_url", c.base_url), ("env_key", c.env_key),
                       ("wire_api", c.wire_api)):
        put(table, key, value, f"{prefix}.{key}")
    if created and not inline and not after:
        table.add(tomlkit.nl())  # a blank line before whatever table follows
    if isinstance(selected, str) and selected != c.provider_id and selected in providers:
        changes.append(f"previous provider [model_providers.{selected}] kept")
    new = tomlkit.dumps(doc)
    if after:
        extra = tomlkit.document()
        extra["model_providers"] = tomlkit.table(is_super_table=True)
        extra["model_providers"][c.provider_id] = table
        new = (new.rstrip("\n") + "\n\n" if new.strip() else "") + tomlkit.dumps(extra)
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


def claude_managed(spec: Any, token: str | None = None) -> list[tuple[tuple, Any]]:
    """What ``apply_claude`` sets and removes, as (path, value): where Claude Code reads each."""
    from flowgate_lint.clients.verify import MISSING

    wanted = dict(spec.claude.env())
    if token is not None:
        wanted[TOKEN_KEY] = token
    stale = [(("env", key), MISSING) for key in STALE_CLAUDE_KEYS if key not in wanted]
    return [(("env", key), value) for key, value in wanted.items()] + stale


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
