"""Gemini CLI: the variables that point it at the gateway, rendered and applied to ``~/.gemini/.env``.

Gemini CLI reads the base URL only from ``GOOGLE_GEMINI_BASE_URL`` (the environment or a ``.env`` file), the
root without ``/v1`` or ``/v1beta``. The key (``GEMINI_API_KEY``) is written only when ``--token-env`` names
the variable holding it.
"""

from __future__ import annotations

import shlex
from typing import Any

from flowgate_lint.clients.config import Edited
from flowgate_lint.clients.dotenvedit import quote, set_values, values

BASE_VAR = "GOOGLE_GEMINI_BASE_URL"
MODEL_VAR = "GEMINI_MODEL"
KEY_VAR = "GEMINI_API_KEY"


def variables(spec: Any) -> dict[str, str]:
    g = spec.gemini
    out = {BASE_VAR: g.base_url}
    if g.model:
        out[MODEL_VAR] = g.model
    return out


def render_env(spec: Any) -> str:
    """Shell ``export`` lines; the key is a reference to the spec's token variable."""
    lines = [f"export {BASE_VAR}={shlex.quote(spec.gemini.base_url)}", f'export {KEY_VAR}="${{{spec.gemini.token_env}}}"']
    if spec.gemini.model:
        lines.append(f"export {MODEL_VAR}={shlex.quote(spec.gemini.model)}")
    return "\n".join(lines) + "\n"


def render_dotenv(spec: Any) -> str:
    """``~/.gemini/.env`` lines; the key is left out (a dotenv file cannot reference a variable)."""
    lines = [f"{name}={quote(value)}" for name, value in variables(spec).items()]
    lines.append(f"# {KEY_VAR}: the gateway key (flowgate-lint apply gemini-cli --token-env {spec.gemini.token_env})")
    return "\n".join(lines) + "\n"


def apply(text: str, spec: Any, token: str | None = None, where: str = ".env") -> Edited:
    """Set the base URL and model (and the key when given) in a dotenv file; every other line stays."""
    wanted = variables(spec)
    if token is not None:
        wanted[KEY_VAR] = token
    old = values(text, tuple(wanted))
    new, changed = set_values(text, wanted, where)
    changes = [f"{name} set (value not shown)" if name == KEY_VAR else
               f"{name}: {old[name]!r} -> {wanted[name]!r}" if name in old else f"{name} = {wanted[name]!r}"
               for name in changed]
    return Edited(new, changes)
