"""Client config snippets rendered from the spec.

Secrets are never rendered: the gateway token is an environment reference
(shell) or left out (settings.json, which has no way to reference a variable).
"""

from __future__ import annotations

import json
import shlex

from flowgate_lint.spec import Spec


def codex_table(spec: Spec) -> dict:
    """The Codex config as plain data: top-level keys plus the provider table."""
    c = spec.codex
    return {
        "model_provider": c.provider_id,
        "model": c.model,
        "model_providers": {
            c.provider_id: {
                "name": c.provider_name,
                "base_url": c.base_url,
                "env_key": c.env_key,
                "wire_api": c.wire_api,
            }
        },
    }


def codex_toml(spec: Spec) -> str:
    """``~/.codex/config.toml`` snippet (tomlkit), ending with a newline."""
    import tomlkit

    c = spec.codex
    doc = tomlkit.document()
    doc.add("model_provider", c.provider_id)
    doc.add("model", c.model)
    doc.add(tomlkit.nl())
    provider = tomlkit.table()
    provider.add("name", c.provider_name)
    provider.add("base_url", c.base_url)
    provider.add("env_key", c.env_key)
    provider.add("wire_api", c.wire_api)
    providers = tomlkit.table(is_super_table=True)
    providers.add(c.provider_id, provider)
    doc.add("model_providers", providers)
    return tomlkit.dumps(doc)


def codex_json(spec: Spec) -> str:
    return json.dumps(codex_table(spec), indent=2) + "\n"


def claude_settings(spec: Spec) -> dict:
    return {"env": spec.claude.env()}


def claude_json(spec: Spec) -> str:
    """``~/.claude/settings.json`` snippet: ``{"env": {...}}`` without a token."""
    return json.dumps(claude_settings(spec), indent=2) + "\n"


def claude_env(spec: Spec) -> str:
    """Shell ``export`` lines; the token is a reference to the spec's token variable."""
    lines = [f"export ANTHROPIC_BASE_URL={shlex.quote(spec.claude.base_url)}"]
    lines.append(f'export ANTHROPIC_AUTH_TOKEN="${{{spec.claude.token_env}}}"')
    lines += [f"export {var}={shlex.quote(value)}" for var, value in spec.claude.slots().items()]
    return "\n".join(lines) + "\n"


# client -> format -> renderer; the first format is the client's default.
RENDERERS = {
    "codex": {"toml": codex_toml, "json": codex_json},
    "claude-code": {"json": claude_json, "env": claude_env},
}


def render(spec: Spec, client: str, fmt: str | None = None) -> str:
    formats = RENDERERS[client]
    fmt = fmt or next(iter(formats))
    return formats[fmt](spec)
