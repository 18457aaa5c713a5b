"""The clients ``print``, ``apply``, ``restore`` and ``doctor`` know: one row each.

A row says where the client's config lives, how it is rendered (formats, the first is the default),
how it is edited, whether ``--token-env`` can write the key into it, and what kind of file the linter
reads it as. A new client is one row and one module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple


class Client(NamedTuple):
    name: str  # the command-line name
    title: str  # how messages name its config
    default_target: Callable[[Mapping[str, str]], Path]
    formats: dict[str, Callable[[Any], str]]
    apply: Callable[..., Any]  # (text, spec, token, where) -> Edited
    kind: str  # how the linter and restore read the file: toml, json or dotenv
    token: bool  # whether --token-env may write the key into the file
    needs: str  # the spec value every config must name: "model" (the default model) or "claude-slots"


def _home(env: Mapping[str, str]) -> Path:
    return Path(env.get("HOME") or Path.home())


def _codex_target(env: Mapping[str, str]) -> Path:
    home = env.get("CODEX_HOME")
    return Path(home) / "config.toml" if home else _home(env) / ".codex" / "config.toml"


def _claude_target(env: Mapping[str, str]) -> Path:
    home = env.get("CLAUDE_CONFIG_DIR")
    return Path(home) / "settings.json" if home else _home(env) / ".claude" / "settings.json"


def _opencode_target(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_CONFIG_HOME")
    return (Path(base) if base else _home(env) / ".config") / "opencode" / "opencode.json"


def _gemini_target(env: Mapping[str, str]) -> Path:
    return _home(env) / ".gemini" / ".env"


def _qwen_target(env: Mapping[str, str]) -> Path:
    return _home(env) / ".qwen" / "settings.json"


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """A function imported on first call (keeps start-up free of the clients' parsers)."""
    def call(*args: Any, **kwargs: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(f"flowgate_lint.clients.{module}"), name)(*args, **kwargs)
    return call


def _codex_apply(text: str, spec: Any, token: str | None, where: str) -> Any:
    from flowgate_lint.clients.config import apply_codex

    return apply_codex(text, spec, where)


CLIENTS: dict[str, Client] = {c.name: c for c in (
    Client("codex", "Codex config", _codex_target,
           {"toml": _lazy("render", "codex_toml"), "json": _lazy("render", "codex_json")},
           _codex_apply, "toml", False, "model"),
    Client("claude-code", "Claude Code settings", _claude_target,
           {"json": _lazy("render", "claude_json"), "env": _lazy("render", "claude_env")},
           _lazy("config", "apply_claude"), "json", True, "claude-slots"),
    Client("opencode", "OpenCode config", _opencode_target,
           {"json": _lazy("opencode", "render_json")},
           _lazy("opencode", "apply"), "json", False, "model"),
    Client("gemini-cli", "Gemini CLI .env", _gemini_target,
           {"env": _lazy("gemini", "render_env"), "dotenv": _lazy("gemini", "render_dotenv")},
           _lazy("gemini", "apply"), "dotenv", True, "model"),
    Client("qwen-code", "Qwen Code settings", _qwen_target,
           {"json": _lazy("qwen", "render_json"), "env": _lazy("qwen", "render_env")},
           _lazy("qwen", "apply"), "json", False, "model"),
)}
NAMES = tuple(CLIENTS)


def target(name: str, env: Mapping[str, str] | None = None) -> Path:
    return CLIENTS[name].default_target(os.environ if env is None else env)
