"""Qwen Code: the ``~/.qwen/settings.json`` model provider that points at the gateway, rendered and applied.

The key is never written: the provider entry's ``envKey`` names the variable that holds it.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from flowgate_lint.clients.config import Edited
from flowgate_lint.clients.jsonedit import ConfigError, append_element, ensure_object, json_object, pointer, put, set_member

AUTH_TYPE = "openai"


def entry(spec: Any) -> dict:
    q = spec.qwen
    return {"id": q.model, "name": f"{q.model} ({q.provider_name})", "baseUrl": q.base_url, "envKey": q.env_key}


def table(spec: Any) -> dict:
    """The settings.json content as plain data (without a model, no provider entry can be named)."""
    q = spec.qwen
    out: dict = {"security": {"auth": {"selectedType": AUTH_TYPE}}}
    if q.model:
        out["modelProviders"] = {"openai": [entry(spec)]}
        out["model"] = {"name": q.model}
    return out


def render_json(spec: Any) -> str:
    return json.dumps(table(spec), indent=2) + "\n"


def render_env(spec: Any) -> str:
    q = spec.qwen
    lines = [f"export OPENAI_BASE_URL={shlex.quote(q.base_url)}", f'export OPENAI_API_KEY="${{{q.env_key}}}"'
             if q.env_key != "OPENAI_API_KEY" else "# OPENAI_API_KEY: the gateway key (Qwen Code reads it as is)"]
    if q.model:
        lines.append(f"export OPENAI_MODEL={shlex.quote(q.model)}")
    return "\n".join(lines) + "\n"


def managed(spec: Any, token: str | None = None) -> list[tuple[tuple, Any]]:
    """What ``apply`` sets, as (path, value): the entry Qwen Code picks is the first whose id is the model."""
    from flowgate_lint.clients.verify import Select

    q = spec.qwen
    entry_path = ("modelProviders", "openai", Select("id", q.model))
    return [(("security", "auth", "selectedType"), AUTH_TYPE), (("model", "name"), q.model),
            (entry_path + ("baseUrl",), q.base_url), (entry_path + ("envKey",), q.env_key)]


def apply(text: str, spec: Any, token: str | None = None, where: str = "settings.json") -> Edited:
    """Select the OpenAI auth type and the model, and add or update the ``modelProviders.openai`` entry whose
    ``id`` is the model (baseUrl, envKey); other entries and keys stay byte for byte."""
    if not text.strip():
        text = "{}\n"
    data = json_object(text, where)
    q = spec.qwen
    changes: list[str] = []

    text, auth, _ = ensure_object(text, data, ("security", "auth"), where)
    text = put(text, ("security", "auth"), auth, "selectedType", AUTH_TYPE, changes)
    text, model, _ = ensure_object(text, data, ("model",), where)
    text = put(text, ("model",), model, "name", q.model, changes)
    text, providers, _ = ensure_object(text, data, ("modelProviders",), where)
    listed = providers.get("openai")
    if listed is None:
        text = set_member(text, pointer("modelProviders"), "openai", [])
        listed = providers["openai"] = []
    if not isinstance(listed, list):
        raise ConfigError('"modelProviders.openai" is not an array; refusing to edit it', where)
    index = next((i for i, e in enumerate(listed) if isinstance(e, dict) and e.get("id") == q.model), None)
    if index is None:
        text = append_element(text, pointer("modelProviders", "openai"), entry(spec))
        changes.append(f"modelProviders.openai entry {q.model!r} added")
    else:
        for key in ("baseUrl", "envKey"):
            text = put(text, ("modelProviders", "openai", index), listed[index], key, entry(spec)[key], changes)
    json_object(text, where)  # the result must parse
    return Edited(text, changes)
