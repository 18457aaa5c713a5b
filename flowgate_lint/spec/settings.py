"""Settings: ``[tool.flowgate-lint]`` in pyproject.toml or a ``flowgate-lint.toml``.

Found by walking up from a start directory; the closest file that holds settings
wins (no merging), like ruff. Keys are kebab-case and mirror the CLI flags.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable, NamedTuple

from flowgate_lint.plumbing.errors import SettingsError

# key -> expected python type(s) and a short description (used by docs and errors).
SPEC_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "spec": ((str,), "path of the gateway config, relative to the settings file"),
    "gateway-service": ((str,), "northbound service in the FlowGate config (default: litellm)"),
    "gateway-host": ((str,), "gateway host (default: from the config, else 127.0.0.1)"),
    "gateway-port": ((int,), "gateway port (default: from the config, else 4000)"),
    "gateway-ports": ((list,), "other ports the same gateway listens on (a multi-port gateway's per-API ports)"),
    "gateway-routes": ((list,), "path prefixes the gateway serves client APIs under (\"/\" for the root), when it has route prefixes"),
    "default-model": ((str,), "main model (Codex model, ANTHROPIC_MODEL, opus and sonnet slots)"),
    "fast-model": ((str,), "fast model (haiku slot; default: the default model)"),
    "claude-model": ((str,), "override for ANTHROPIC_MODEL"),
    "opus-model": ((str,), "override for ANTHROPIC_DEFAULT_OPUS_MODEL"),
    "sonnet-model": ((str,), "override for ANTHROPIC_DEFAULT_SONNET_MODEL"),
    "haiku-model": ((str,), "override for ANTHROPIC_DEFAULT_HAIKU_MODEL"),
    "subagent-model": ((str,), "CLAUDE_CODE_SUBAGENT_MODEL (default: the default model)"),
    "codex-model": ((str,), "override for the Codex model"),
    "codex-provider-id": ((str,), "Codex model_providers id (default: flowgate)"),
    "codex-provider-name": ((str,), "Codex provider name (default: FlowGate Local)"),
    "codex-env-key": ((str,), "Codex env_key (default: OPENAI_API_KEY)"),
    "token-env": ((str,), "variable holding the gateway token (default: the Codex env_key)"),
    "models": ((list,), "models the gateway serves, when no LiteLLM model_list is available"),
}

LINT_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "select": ((list,), "rule codes or prefixes to enable (default: ALL)"),
    "extend-select": ((list,), "codes added to select"),
    "preview": ((bool,), "also run the preview rules (first-contact precision below 0.95)"),
    "ignore": ((list,), "rule codes or prefixes to disable"),
    "per-file-ignores": ((dict,), "glob -> list of codes ignored in matching files"),
    "exclude": ((list,), "globs never linted (replaces the defaults)"),
    "extend-exclude": ((list,), "globs added to exclude"),
    "fixable": ((list,), "codes whose fixes may be applied (default: ALL)"),
    "unfixable": ((list,), "codes whose fixes are never applied"),
    "history": ((list,), "globs of history files (changelogs, archives, ADRs) value rules skip (replaces the defaults)"),
    "extend-history": ((list,), "globs added to history"),
}

KNOWN_KEYS = {**SPEC_KEYS, **LINT_KEYS}
INT_LISTS = frozenset({"gateway-ports"})  # list settings that hold integers

# Settings whose value is the name of an environment variable; a key pasted there instead would be written
# into caches and client configs.
ENV_NAME_KEYS = ("codex-env-key", "token-env")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?|os\.environ/([A-Za-z_][A-Za-z0-9_]*)")


def env_name_problem(value: Any) -> str | None:
    """Why ``value`` is not the name of an environment variable (None when it is, or is not a string); the
    reason never quotes the value, which may be a key."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if _ENV_NAME.fullmatch(text):
        from flowgate_lint.plumbing.redact import has_secret  # a name shaped like a token (ghp_..., xoxb_...)

        return "must name an environment variable, not hold a key" if has_secret(text) else None
    ref = _ENV_REFERENCE.fullmatch(text)
    if ref:
        return f"must name an environment variable ('{ref.group(1) or ref.group(2)}', without the reference syntax)"
    return "must name an environment variable, not hold a key"


SETTINGS_FILE = "flowgate-lint.toml"
PYPROJECT = "pyproject.toml"


class Settings(NamedTuple):
    """Settings as read from one file (or none)."""

    values: dict[str, Any]
    path: Path | None  # the file they came from
    root: Path  # the directory relative paths resolve against
    table: str | None = None  # "tool.flowgate-lint" for pyproject, None for flowgate-lint.toml
    start: Path | None = None  # where discovery started (well-known spec paths are tried from here up to root)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def line_of(self, key: str) -> int | None:
        """Best-effort line number of ``key = ...`` in the settings file."""
        if self.path is None:
            return None
        return find_key_line(self.path, key)

    def display_path(self) -> str | None:
        return display(self.path) if self.path else None


def display(path: Path) -> str:
    """Path as shown to the user: relative to the cwd when below it, else as given."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def find_key_line(path: Path, key: str) -> int | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=", re.M)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib  # type: ignore[import-not-found]
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"cannot read settings: {exc.strerror or exc}", display(path)) from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SettingsError("not UTF-8", display(path)) from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        if m is None and "(at end of document)" in msg:  # the position is the end of the text
            text = data.decode("utf-8")
            line, column = text.count("\n") + 1, len(text) - text.rfind("\n")
        msg = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", msg)
        raise SettingsError(f"invalid TOML ({msg})" if msg else "invalid TOML", display(path), line, column) from None


def read_settings_file(path: Path) -> Settings | None:
    """Settings from one file; None for a pyproject.toml without our table."""
    data = _load_toml(path)
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "flowgate-lint" not in tool:
            return None
        values = tool["flowgate-lint"]
        table: str | None = "tool.flowgate-lint"
    else:
        values = data
        table = None
    if not isinstance(values, dict):
        raise SettingsError("[tool.flowgate-lint] must be a table", display(path), find_key_line(path, "flowgate-lint"))
    settings = Settings(values=dict(values), path=path.resolve(), root=path.resolve().parent, table=table)
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    for key, value in settings.values.items():
        where = settings.display_path()
        if key not in KNOWN_KEYS:
            hint = f" (did you mean '{close}'?)" if (close := closest_key(key)) else ""
            raise SettingsError(f"unknown setting '{key}'{hint}", where, settings.line_of(key))
        types, _ = KNOWN_KEYS[key]
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            want = " or ".join(_type_name(t) for t in types)
            raise SettingsError(f"setting '{key}' must be {want}, got {_type_name(type(value))}", where, settings.line_of(key))
        if key in INT_LISTS:
            if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 65535 for v in value):
                raise SettingsError(f"setting '{key}' must be a list of ports (integers 1-65535)", where, settings.line_of(key))
        elif isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise SettingsError(f"setting '{key}' must be a list of strings", where, settings.line_of(key))
        if isinstance(value, dict):
            for glob, codes in value.items():
                if not (isinstance(codes, list) and all(isinstance(c, str) for c in codes)):
                    raise SettingsError(f"setting '{key}': '{glob}' must map to a list of codes", where, settings.line_of(glob))


def closest_key(key: str) -> str | None:
    """The known setting ``key`` was probably meant to be: the same words with ``_`` for ``-``, else the
    closest spelling (difflib), else None."""
    import difflib

    folded = key.replace("_", "-").lower()
    if folded in KNOWN_KEYS:
        return folded
    close = difflib.get_close_matches(folded, list(KNOWN_KEYS), n=1, cutoff=0.7)
    return close[0] if close else None


def _type_name(t: type) -> str:
    return {str: "a string", int: "an integer", list: "a list", dict: "a table", bool: "a boolean", float: "a number"}.get(t, t.__name__)


def start_directory(start: Path) -> Path:
    """The directory settings discovery starts from: ``start`` itself, or the directory of a file."""
    start = Path(os.path.abspath(start))
    return start if start.is_dir() else start.parent


def discover_settings(start: Path, probe: Callable[[str, str], None] | None = None) -> Settings:
    """Closest settings file at or above ``start`` (a file or directory; symlinks are not followed).

    ``probe(path, what)`` is told, before each look, what the answer depends on (for the settings
    cache): ``"file"`` for every settings file name looked at, ``"exists"`` for every ``.git`` the
    project root was looked up by."""
    directory = start_directory(start)
    for candidate_dir in (directory, *directory.parents):
        for name in (SETTINGS_FILE, PYPROJECT):
            path = candidate_dir / name
            if probe is not None:
                probe(str(path), "file")
            if path.is_file():
                settings = read_settings_file(path)
                if settings is not None:
                    return settings
    return Settings(values={}, path=None, root=_project_root(directory, probe), start=directory)


def _project_root(directory: Path, probe: Callable[[str, str], None] | None = None) -> Path:
    """Without settings, paths resolve against the enclosing git work tree; outside one, against the current
    directory when ``directory`` is in it (the lint run's root too), else ``directory``."""
    for d in (directory, *directory.parents):
        if probe is not None:
            probe(str(d / ".git"), "exists")
        if (d / ".git").exists():
            return d
    cwd = Path(os.path.abspath(os.curdir))
    return cwd if cwd == directory or cwd in directory.parents else directory


def load_settings(config: str | None, start: Path, isolated: bool = False) -> Settings:
    """Settings named by ``--config``, else discovered from ``start``."""
    if isolated:
        directory = start_directory(start)
        return Settings(values={}, path=None, root=_project_root(directory), start=directory)
    if config:
        path = Path(config)
        if not path.is_file():
            raise SettingsError("settings file not found", config)
        settings = read_settings_file(path)
        if settings is None:
            raise SettingsError("no [tool.flowgate-lint] table", config)
        return settings
    return discover_settings(start)
