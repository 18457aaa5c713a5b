"""OpenCode: the ``opencode.json`` provider that points at the gateway, rendered and applied.

The key is never written: ``options.apiKey`` is OpenCode's ``{env:VAR}`` reference to the spec's key variable.
"""

from __future__ import annotations

import json
from typing import Any

from flowgate_lint.clients.config import Edited
from flowgate_lint.clients.jsonedit import ensure_object, json_object, pointer, put, set_member

SCHEMA_URL = "https://opencode.ai/config.json"


def key_ref(var: str) -> str:
    return "{env:" + var + "}"


def table(spec: Any) -> dict:
    """The ``opencode.json`` content as plain data."""
    o = spec.opencode
    out: dict = {"$schema": SCHEMA_URL}
    out["provider"] = {o.provider_id: {
        "npm": o.npm,
        "name": o.provider_name,
        "options": {"baseURL": o.base_url, "apiKey": key_ref(o.env_key)},
        "models": {m: {"name": m} for m in o.models},
    }}
    if o.model:
        out["model"] = o.ref(o.model)
    if o.small_model:
        out["small_model"] = o.ref(o.small_model)
    return out


def render_json(spec: Any) -> str:
    return json.dumps(table(spec), indent=2) + "\n"


def managed(spec: Any, token: str | None = None) -> list[tuple[tuple, Any]]:
    """What ``apply`` sets, as (path, value): where OpenCode reads each (a literal apiKey is the user's)."""
    from flowgate_lint.clients.verify import PRESENT

    o = spec.opencode
    path = ("provider", o.provider_id)
    out = [(path + ("npm",), o.npm), (path + ("name",), o.provider_name), (path + ("options", "baseURL"), o.base_url)]
    out += [(path + ("models", m), PRESENT) for m in o.models]
    out += [((key,), value) for key, value in (("model", o.ref(o.model)), ("small_model", o.ref(o.small_model)))
            if value is not None]
    return out


def apply(text: str, spec: Any, token: str | None = None, where: str = "opencode.json") -> Edited:
    """Add or update ``provider.<id>`` (npm, name, options.baseURL, options.apiKey as a reference, the served
    models) and the top-level ``model``/``small_model``; other providers and keys stay byte for byte."""
    if not text.strip():
        text = "{}\n"
    data = json_object(text, where)
    o = spec.opencode
    changes: list[str] = []
    path = ("provider", o.provider_id)
    text, provider, created = ensure_object(text, data, path, where)
    label = f"provider.{o.provider_id}"
    if created:
        changes.append(f"{label} added")

    text = put(text, path, provider, "npm", o.npm, changes)
    text = put(text, path, provider, "name", o.provider_name, changes)
    text, options, _ = ensure_object(text, data, path + ("options",), where)
    text = put(text, path + ("options",), options, "baseURL", o.base_url, changes)
    api_key = options.get("apiKey")
    if api_key is None or (isinstance(api_key, str) and api_key.startswith("{env:")):
        text = put(text, path + ("options",), options, "apiKey", key_ref(o.env_key), changes)
    # else a literal key the user wrote: never rewritten, never shown
    text, models, _ = ensure_object(text, data, path + ("models",), where)
    for model in o.models:
        if model not in models:
            text = set_member(text, pointer(*path, "models"), model, {"name": model})
            models[model] = {"name": model}
            changes.append(f"{label}.models.{model} added")
    for key, value in (("model", o.ref(o.model)), ("small_model", o.ref(o.small_model))):
        if value is not None:
            text = put(text, (), data, key, value, changes)
    json_object(text, where)  # the result must parse
    return Edited(text, changes)
