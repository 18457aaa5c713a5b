"""The clients ``print``, ``apply``, ``restore`` and ``doctor`` know: one row each.

A row says where the client's config lives, how it is rendered (formats, the first is the default),
how it is edited, whether ``--token-env`` can write the key into it, and what kind of file the linter
reads it as. A new client is one row and one module.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple


class Part(NamedTuple):
    """One file of a client's config: the target itself (``name`` None) or a file beside it."""

    name: str | None
    kind: str  # how the linter and restore read it: toml, json or dotenv
    apply: Callable[..., Any]  # (text, spec, token, where) -> Edited
    managed: Callable[..., Any]  # (spec, token) -> [(path, value)]: what apply sets, checked on the result
    token: bool = False  # whether --token-env writes the key into this file
    title: str = ""  # how messages name a file beside the target (the target is named by the client's title)


class Client(NamedTuple):
    name: str  # the command-line name
    title: str  # how messages name its config
    default_target: Callable[[Mapping[str, str]], Path]
    formats: dict[str, Callable[[Any], str]]
    parts: tuple[Part, ...]

    @property
    def token(self) -> bool:
        return any(p.token for p in self.parts)

    def label(self, part: Part) -> str:
        return part.title or self.title

    def files(self, target: Path) -> list[tuple[Path, Part]]:
        """Each file ``apply`` edits for ``target``, with its part (the target first)."""
        return [(target if p.name is None else target.parent / p.name, p) for p in self.parts]

    def part_for(self, path: Path) -> Part:
        """The part a file given as ``--target`` is (a file beside the target by its name, else the target)."""
        for p in self.parts:
            if p.name is not None and path.name == p.name:
                return p
        return self.parts[0]


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
    return _home(env) / ".gemini" / "settings.json"


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
           (Part(None, "toml", _codex_apply, _lazy("config", "codex_managed")),)),
    Client("claude-code", "Claude Code settings", _claude_target,
           {"json": _lazy("render", "claude_json"), "env": _lazy("render", "claude_env")},
           (Part(None, "json", _lazy("config", "apply_claude"), _lazy("config", "claude_managed"), token=True),)),
    Client("opencode", "OpenCode config", _opencode_target,
           {"json": _lazy("opencode", "render_json")},
           (Part(None, "json", _lazy("opencode", "apply"), _lazy("opencode", "managed")),)),
    # Gemini CLI reads its base URL only from the environment or a .env file, and in headless mode needs
    # settings.json to select the API-key auth type (without it, a base URL selects "gateway", refused).
    Client("gemini-cli", "Gemini CLI settings", _gemini_target,
           {"env": _lazy("gemini", "render_env"), "dotenv": _lazy("gemini", "render_dotenv"),
            "json": _lazy("gemini", "render_json")},
           (Part(None, "json", _lazy("gemini", "apply_settings"), _lazy("gemini", "settings_managed")),
            Part(".env", "dotenv", _lazy("gemini", "apply"), _lazy("gemini", "managed"), token=True,
                 title="Gemini CLI .env"))),
    Client("qwen-code", "Qwen Code settings", _qwen_target,
           {"json": _lazy("qwen", "render_json"), "env": _lazy("qwen", "render_env")},
           (Part(None, "json", _lazy("qwen", "apply"), _lazy("qwen", "managed")),)),
)}
NAMES = tuple(CLIENTS)


def target(name: str, env: Mapping[str, str] | None = None) -> Path:
    return CLIENTS[name].default_target(os.environ if env is None else env)
