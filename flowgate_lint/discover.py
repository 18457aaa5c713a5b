"""Which files to lint, and what kind each one is.

Directories are listed with git inside a work tree (so ignored files are
skipped), else walked with the usual junk pruned. Explicit files are taken as
given unless ``--force-exclude``. Symlinks never lead out of the project root.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Iterable, NamedTuple

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "build", "dist", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", "site-packages", ".eggs", "*.egg-info",
    "*.flowgate-backup.*", "*.flowgate-tmp",
)

_EXT_KINDS = {
    ".md": "markdown", ".markdown": "markdown",
    ".sh": "shell", ".bash": "shell", ".zsh": "shell",
    ".toml": "toml",
    ".json": "json", ".jsonc": "json",
    ".yaml": "yaml", ".yml": "yaml",
    ".env": "dotenv",
}
_SHEBANG = re.compile(rb"^#![^\n]*\b(?:ba|z|da|k)?sh\b")


class Candidate(NamedTuple):
    path: Path  # absolute
    rel: str  # root-relative, "/" separators
    kind: str
    explicit: bool


def kind_of(path: Path, head: bytes | None = None) -> str | None:
    """File kind by name (and shebang for extension-less files), None if not ours."""
    name = path.name
    lower = name.lower()
    if lower == ".env" or lower.startswith(".env.") or lower.endswith(".env"):
        return "dotenv"
    kind = _EXT_KINDS.get(os.path.splitext(lower)[1])
    if kind:
        return kind
    if "." not in name.lstrip("."):
        if head is None:
            try:
                with open(path, "rb") as fh:
                    head = fh.read(128)
            except OSError:
                return None
        if _SHEBANG.match(head):
            return "shell"
    return None


def find_root(start: Path) -> Path:
    """The repository root (nearest directory with .git) at or above ``start``, else ``start``."""
    start = start.resolve()
    for d in (start, *start.parents):
        if (d / ".git").exists():
            return d
    return start


def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile an exclude glob: ``**`` spans directories, ``*`` does not; a pattern without ``/``
    matches any path component (like .gitignore); a pattern with ``/`` is anchored at the root."""
    pattern = pattern.strip()
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.find("]", i)
            if j > i:
                out.append("[" + pattern[i + 1:j].replace("!", "^", 1) + "]")
                i = j + 1
                continue
            out.append(re.escape(c))
        else:
            out.append(re.escape(c))
        i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{body}(?:/.*)?$")


class Excluder:
    """Matches root-relative paths against exclude globs (one combined regex: one match per path)."""

    def __init__(self, patterns: Iterable[str]) -> None:
        regexes = [glob_regex(p).pattern for p in patterns if p.strip()]
        self.pattern = re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None

    def __call__(self, rel: str) -> bool:
        return bool(self.pattern is not None and self.pattern.match(rel))


def _rel(path: Path, root: Path) -> str | None:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None


def _git_files(directory: Path, root: Path) -> list[Path] | None:
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", str(directory)],
            capture_output=True, check=True, timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    seen = set()
    files = []
    for raw in out.split(b"\0"):
        if raw and raw not in seen:
            seen.add(raw)
            files.append(root / os.fsdecode(raw))
    return files


def _walk(directory: Path, excluder: Excluder, root: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        base = Path(dirpath)
        keep = []
        for d in dirnames:
            rel = _rel(base / d, root)
            if rel is not None and not excluder(rel):
                keep.append(d)
        dirnames[:] = sorted(keep)
        files.extend(base / f for f in sorted(filenames))
    return files


def discover(paths: list[str], root: Path, exclude: Iterable[str], force_exclude: bool = False,
             errors: list | None = None) -> list[Candidate]:
    """Files to lint under ``paths``; problems (missing paths, symlinks out of the root) go to ``errors``."""
    excluder = Excluder(exclude)
    root = root.resolve()
    out: list[Candidate] = []
    seen: set[Path] = set()
    errors = errors if errors is not None else []

    def add(path: Path, explicit: bool) -> None:
        abspath = Path(os.path.abspath(path))
        rel = _rel(abspath, root)
        shown = rel if rel is not None else str(path)
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                if explicit:
                    errors.append((shown, "broken or looping symlink"))
                return
            if _rel(target, root) is None:
                errors.append((shown, "symlink points outside the repository; not followed"))
                return
        if rel is None:
            rel = shown
        if (not explicit or force_exclude) and excluder(rel):
            return
        kind = kind_of(abspath)
        if kind is None:
            return
        key = abspath
        if key in seen:
            return
        seen.add(key)
        out.append(Candidate(abspath, rel, kind, explicit))

    for raw in paths:
        p = Path(raw)
        if raw == "-":
            continue
        if not p.exists() and not p.is_symlink():
            errors.append((raw, "no such file or directory"))
            continue
        if p.is_dir() and not p.is_symlink():
            abs_dir = Path(os.path.abspath(p))
            rel_dir = _rel(abs_dir, root)
            if rel_dir not in (None, "", ".") and force_exclude and excluder(rel_dir):
                continue
            listed = _git_files(abs_dir, root)
            if listed is None:
                listed = _walk(abs_dir, excluder, root)
            for f in listed:
                if f.is_file() or f.is_symlink():
                    add(f, False)
        elif p.is_dir():  # a symlink to a directory
            errors.append((raw, "symlinked directory not followed"))
        else:
            add(p, True)
    return out
