"""Which files to lint, and what kind each one is.

Directories are listed with git inside a work tree (so ignored files are
skipped), else walked with the usual junk pruned. Explicit files are taken as
given unless ``--force-exclude``. Symlinks never lead out of the project root.
"""

from __future__ import annotations

import os
import re
import stat
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
_SHEBANG = rb"^#![^\n]*\b(?:ba|z|da|k)?sh\b"  # compiled when an extension-less file is met


OUT_THROUGH_DIR = "in a symlinked directory that points outside the repository; not followed"


class Candidate(NamedTuple):
    path: str  # absolute
    rel: str  # root-relative, "/" separators
    kind: str
    explicit: bool
    sig: tuple | None = None  # stat signature of the content at discovery (result cache key)


def kind_of(path: Path | str, head: bytes | None = None) -> str | None:
    """File kind by name (and shebang for extension-less files), None if not ours."""
    name = os.path.basename(path)
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
        if re.match(_SHEBANG, head):
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
    """``glob_source``, compiled."""
    return re.compile(glob_source(pattern))


def glob_source(pattern: str) -> str:
    """Translate an exclude glob into a regex: ``**`` spans directories, ``*`` does not; a pattern without ``/``
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
    return f"^{prefix}{body}(?:/.*)?$"


class Excluder:
    """Matches root-relative paths against exclude globs (one combined regex: one match per path)."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self._source = "|".join(f"(?:{glob_source(p)})" for p in patterns if p.strip())
        self._pattern: re.Pattern[str] | None = None  # compiled on first use: explicit files never need it

    @property
    def pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._source:
            self._pattern = re.compile(self._source)
        return self._pattern

    def __call__(self, rel: str) -> bool:
        pattern = self.pattern
        return bool(pattern is not None and pattern.match(rel))


def _rel(path: Path | str, root: Path | str) -> str | None:
    rel = os.path.relpath(path, root)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/") if os.sep != "/" else rel


def _git_files(directory: str, root: str) -> list[str] | None:
    """Root-relative paths git lists under ``directory`` (tracked and untracked, not ignored)."""
    if not os.path.exists(os.path.join(root, ".git")):
        return None
    import subprocess  # only directory runs list files with git

    try:
        out = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", directory],
            capture_output=True, check=True, timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return list(dict.fromkeys(os.fsdecode(raw) for raw in out.split(b"\0") if raw))


def _walk(directory: str, excluder: Excluder, root: str) -> list[str]:
    """Root-relative paths of the files under ``directory`` (absolute outside the root), junk pruned."""
    files = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        base = _rel(dirpath, root)
        prefix = dirpath.rstrip("/") + "/" if base is None else "" if base == "." else base + "/"
        dirnames[:] = sorted(d for d in dirnames if not excluder(prefix + d))
        files.extend(prefix + f for f in sorted(filenames))
    return files


def stat_signature(st: os.stat_result) -> tuple:
    """What changes whenever a file's content may have changed (the result cache key)."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _target_sig(abspath: str) -> tuple | None:
    """Stat signature of a regular file (symlinks followed), None otherwise."""
    try:
        st = os.stat(abspath)
    except OSError:
        return None
    return stat_signature(st) if stat.S_ISREG(st.st_mode) else None


def discover(paths: list[str], root: Path, exclude: Iterable[str], force_exclude: bool = False,
             errors: list | None = None, leftovers: list[str] | None = None) -> list[Candidate]:
    """Files to lint under ``paths``; problems (missing paths, symlinks out of the root) go to ``errors``,
    the temp files of interrupted writes seen in listings to ``leftovers``."""
    excluder = Excluder(exclude)
    root_s = str(root.resolve())
    out: list[Candidate] = []
    seen: set[str] = set()
    errors = errors if errors is not None else []

    def symlink_ok(abspath: str, shown: str, explicit: bool) -> bool:
        try:
            target = Path(abspath).resolve(strict=True)
        except (OSError, RuntimeError):
            if explicit:
                errors.append((shown, "broken or looping symlink"))
            return False
        if _rel(target, root_s) is None:
            errors.append((shown, "symlink points outside the repository; not followed"))
            return False
        return True

    real_dirs: dict[str, bool] = {}

    def dir_inside(rel_dir: str) -> bool:
        """Whether a root-relative directory really lies inside the root (a symlinked one may lead out)."""
        ok = real_dirs.get(rel_dir)
        if ok is None:  # one lstat per directory; a real path only for a symlinked one
            parent = rel_dir.rpartition("/")[0]
            ok = not parent or dir_inside(parent)
            if ok:
                abspath = os.path.join(root_s, rel_dir)
                try:
                    link = stat.S_ISLNK(os.lstat(abspath).st_mode)
                except OSError:
                    link = False  # gone: its files are skipped when they are looked at
                ok = not link or _rel(os.path.realpath(abspath), root_s) is not None
            real_dirs[rel_dir] = ok
        return ok

    def add_listed(rel: str) -> None:
        """One file from a directory listing: a cheap path (one lstat, no Path objects) for large trees."""
        if rel.endswith(".flowgate-tmp"):
            if leftovers is not None:
                leftovers.append(os.path.join(root_s, rel))
            return
        if excluder(rel):
            return
        name = rel.rpartition("/")[2]
        kind = kind_of(name, b"")  # by name only
        if kind is None and "." in name.lstrip("."):
            return  # an extension that is not ours
        abspath = os.path.join(root_s, rel)  # rel may be absolute (outside the root): join keeps it
        parent = rel.rpartition("/")[0]
        if parent and not os.path.isabs(rel) and not dir_inside(parent):
            errors.append((rel, OUT_THROUGH_DIR))
            return
        try:
            st = os.lstat(abspath)
        except OSError:
            return  # deleted since git listed it
        mode = st.st_mode
        sig = stat_signature(st)
        if stat.S_ISLNK(mode):
            if not symlink_ok(abspath, rel, False):
                return
            sig = _target_sig(abspath)
        elif not stat.S_ISREG(mode):
            return
        if kind is None:
            kind = kind_of(abspath)
            if kind is None:
                return
        if abspath not in seen:
            seen.add(abspath)
            out.append(Candidate(abspath, rel, kind, False, sig))

    def add_explicit(path: Path) -> None:
        abspath = os.path.abspath(path)
        rel = _rel(abspath, root_s)
        shown = rel if rel is not None else str(path)
        if rel is not None and "/" in rel and not dir_inside(rel.rpartition("/")[0]):
            errors.append((shown, OUT_THROUGH_DIR))
            return
        if path.is_symlink() and not symlink_ok(abspath, shown, True):
            return
        if force_exclude and excluder(shown):
            return
        kind = kind_of(abspath)
        if kind is None or abspath in seen:
            return
        seen.add(abspath)
        out.append(Candidate(abspath, shown, kind, True, _target_sig(abspath)))

    for raw in paths:
        p = Path(raw)
        if raw == "-":
            continue
        if not p.exists() and not p.is_symlink():
            errors.append((raw, "no such file or directory"))
            continue
        if p.is_dir() and not p.is_symlink():
            abs_dir = os.path.abspath(p)
            rel_dir = _rel(abs_dir, root_s)
            if rel_dir not in (None, "", ".") and force_exclude and excluder(rel_dir):
                continue
            listed = _git_files(abs_dir, root_s)
            if listed is None:
                listed = _walk(abs_dir, excluder, root_s)
            for rel in listed:
                add_listed(rel)
        elif p.is_dir():  # a symlink to a directory
            errors.append((raw, "symlinked directory not followed"))
        else:
            add_explicit(p)
    return out
