"""Gemini CLI: what points it at the gateway, rendered and applied to ``~/.gemini/settings.json`` and
``~/.gemini/.env``.

Gemini CLI reads the base URL only from ``GOOGLE_GEMINI_BASE_URL`` (the environment or a ``.env`` file), the
root without ``/v1`` or ``/v1beta``; it sends the key as ``x-goog-api-key``. In headless mode it needs
``security.auth.selectedType`` in settings.json: with a base URL and no auth type it picks "gateway" and
stops ("Invalid auth method selected."). The key (``GEMINI_API_KEY``) is written only when ``--token-env``
names the variable holding it.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from flowgate_lint.clients.config import Edited
from flowgate_lint.clients.dotenvedit import quote, set_values, values
from flowgate_lint.clients.jsonedit import ensure_object, json_object, put

BASE_VAR = "GOOGLE_GEMINI_BASE_URL"
MODEL_VAR = "GEMINI_MODEL"
KEY_VAR = "GEMINI_API_KEY"
AUTH_TYPE = "gemini-api-key"


def variables(spec: Any) -> dict[str, str]:
    """What the .env sets (the model is settings.json's ``model.name``; a GEMINI_MODEL there is kept, and checked
    by the rules)."""
    return {BASE_VAR: spec.gemini.base_url}


def render_env(spec: Any) -> str:
    """Shell ``export`` lines; the key is a reference to the spec's token variable."""
    lines = [f"export {BASE_VAR}={shlex.quote(spec.gemini.base_url)}", f'export {KEY_VAR}="${{{spec.gemini.token_env}}}"']
    if spec.gemini.model:
        lines.append(f"export {MODEL_VAR}={shlex.quote(spec.gemini.model)}")
    return "\n".join(lines) + "\n"


def render_dotenv(spec: Any) -> str:
    """``~/.gemini/.env`` lines; the key is left out (a dotenv file cannot reference a variable)."""
    lines = [f"{name}={quote(value)}" for name, value in variables(spec).items()]
    if spec.gemini.model:
        lines.append(f"{MODEL_VAR}={quote(spec.gemini.model)}")
    lines.append(f"# {KEY_VAR}: the gateway key (flowgate-lint apply gemini-cli --token-env {spec.gemini.token_env})")
    return "\n".join(lines) + "\n"


def managed(spec: Any, token: str | None = None) -> list[tuple[tuple, Any]]:
    """What ``apply`` sets in the .env, as (name,) paths: the variables Gemini CLI loads."""
    wanted = variables(spec)
    if token is not None:
        wanted[KEY_VAR] = token
    return [((name,), value) for name, value in wanted.items()]


def settings_managed(spec: Any, token: str | None = None) -> list[tuple[tuple, Any]]:
    """What ``apply_settings`` sets, as (path, value)."""
    out: list[tuple[tuple, Any]] = [(("security", "auth", "selectedType"), AUTH_TYPE)]
    if spec.gemini.model:
        out.append((("model", "name"), spec.gemini.model))
    return out


def apply(text: str, spec: Any, token: str | None = None, where: str = ".env") -> Edited:
    """Set the base URL (and the key when given) in a dotenv file; a GEMINI_MODEL there is set to the model too
    (it beats settings.json's model.name); every other line stays."""
    wanted = variables(spec)
    if spec.gemini.model and values(text, (MODEL_VAR,)):
        wanted[MODEL_VAR] = spec.gemini.model
    if token is not None:
        wanted[KEY_VAR] = token
    old = values(text, tuple(wanted))
    new, changed = set_values(text, wanted, where)
    changes = [f"{name} set (value not shown)" if name == KEY_VAR else
               f"{name}: {old[name]!r} -> {wanted[name]!r}" if name in old else f"{name} = {wanted[name]!r}"
               for name in changed]
    return Edited(new, changes)


def settings(spec: Any) -> dict:
    """The settings.json content as plain data."""
    out: dict = {"security": {"auth": {"selectedType": AUTH_TYPE}}}
    if spec.gemini.model:
        out["model"] = {"name": spec.gemini.model}
    return out


def render_json(spec: Any) -> str:
    return json.dumps(settings(spec), indent=2) + "\n"


def apply_settings(text: str, spec: Any, token: str | None = None, where: str = "settings.json") -> Edited:
    """Select the API-key auth type and the model; every other key stays byte for byte."""
    if not text.strip():
        text = "{}\n"
    data = json_object(text, where)
    changes: list[str] = []
    for path, key, value in ((("security", "auth"), "selectedType", AUTH_TYPE), (("model",), "name", spec.gemini.model)):
        if value is None:
            continue
        text, node, _ = ensure_object(text, data, path, where)
        text = put(text, path, node, key, value, changes)
    json_object(text, where)  # the result must parse
    return Edited(text, changes)
