"""Which files to lint, and what kind each one is.

Directories are listed with git inside a work tree (so ignored files are
skipped), else walked with the usual junk pruned. Explicit files are taken as
given unless ``--force-exclude``. Symlinks never lead out of the project root.
"""

import os
import re
import stat
from pathlib import Path
from typing import Iterable, NamedTuple

from flowgate_lint.plumbing.globs import _glob_parts, glob_source

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


_new_tuple = tuple.__new__  # builds a Candidate without the Python-level __new__ (a listing makes thousands)


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


def name_kind(name: str) -> str | None:
    """What ``kind_of`` tells from a file name alone: the kind, "" for a name without an extension (its
    shebang decides), None for an extension that is not ours."""
    dot = name.rfind(".")
    if dot > 0 and name[0] != ".":  # the usual name: its extension decides (".env" is one of them)
        ext = name[dot:]
        return _EXT_KINDS.get(ext) or _EXT_KINDS.get(ext.lower())
    if dot < 0:
        return ""
    kind = kind_of(name, b"")
    return kind if kind is not None else None if "." in name.lstrip(".") else ""


def find_root(start: Path) -> Path:
    """The repository root (nearest directory with .git) at or above ``start``, else ``start``."""
    start = start.resolve()
    for d in (start, *start.parents):
        if (d / ".git").exists():
            return d
    return start




class Excluder:
    """Matches root-relative paths against exclude globs (one combined regex: one match per path).

    ``excludes_file`` and ``excludes_dir`` give the same answers for the files of a listing at a fraction of
    the cost. A glob matches a path, or one of its directories with anything below, so a path is excluded
    exactly when its directory is (decided once per directory) or a glob matches the whole path; a glob
    without ``/``, ``**`` or ``[`` matches a whole path exactly when it matches the last part: a literal name,
    ``*SUFFIX`` and ``*PART*`` are string tests, the rest one regex over the name.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        self._globs = [p for p in patterns if p.strip()]
        self._source = "|".join(f"(?:{glob_source(p)})" for p in self._globs)
        self._pattern: re.Pattern[str] | None = None  # compiled on first use: explicit files never need it
        self._file_tests: tuple | None = None
        self._dirs: dict[str, bool] = {}

    @property
    def pattern(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._source:
            self._pattern = re.compile(self._source)
        return self._pattern

    def __call__(self, rel: str) -> bool:
        pattern = self.pattern
        return bool(pattern is not None and pattern.match(rel))

    def excludes_dir(self, rel_dir: str) -> bool:
        """``self(rel_dir)``, remembered; decided like a file, from the top directory down."""
        excluded = self._dirs.get(rel_dir)
        if excluded is not None:
            return excluded
        if "\n" in rel_dir or not self.per_directory:
            excluded = self._dirs[rel_dir] = self(rel_dir)
            return excluded
        excluded, path = False, None
        for name in rel_dir.split("/"):
            path = name if path is None else f"{path}/{name}"
            known = self._dirs.get(path)
            if known is None:
                known = self._dirs[path] = excluded or self.matches_file(path, name)
            excluded = known
        return excluded

    def excludes_file(self, rel: str) -> bool:
        """``self(rel)``, decided per directory (see the class)."""
        if "\n" in rel or not self.per_directory:
            return self(rel)
        parent, slash, name = rel.rpartition("/")
        return bool(slash) and self.excludes_dir(parent) or self.matches_file(rel, name)

    @property
    def per_directory(self) -> bool:
        """Whether ``excludes_file`` may decide per directory (for paths without a newline, which "." and "$"
        treat specially). Not when a glob's regex does not stand on its own (a bracket left open spills over
        into the next glob's in the combined regex)."""
        return bool(self.file_tests)

    def matches_file(self, rel: str, name: str) -> bool:
        """Whether a glob matches the whole of ``rel`` (a path without a newline, ``name`` its last part)."""
        names, suffixes, part, other = self.file_tests
        return (name in names or name.endswith(suffixes) or part is not None and part(name) is not None
                or other is not None and other(rel, name))

    @property
    def file_tests(self) -> tuple:
        """(literal names, name suffixes, None or a search for the ``*PART*`` parts in a name, None or a test of
        (path, name) for the other globs): ``matches_file`` spelled out for loops over many files."""
        return self._file_tests or self._compile_file_tests()

    def _compile_file_tests(self) -> tuple:
        names, suffixes, parts, name_bodies, path_bodies = set(), [], [], [], []
        for p in self._globs:
            anchored, body = _glob_parts(p)
            glob = p.strip().strip("/")
            if "[" in glob:
                try:
                    re.compile(body)
                except re.error:
                    self._file_tests = ()
                    return self._file_tests
            if anchored or "**" in glob or "[" in glob:
                path_bodies.append(("" if anchored else "(?:.*/)?") + body)
            elif not any(c in glob for c in "*?"):
                names.add(glob)
            elif glob[0] == "*" and not any(c in glob[1:] for c in "*?"):
                suffixes.append(glob[1:])
            elif len(glob) > 2 and glob[0] == glob[-1] == "*" and not any(c in glob[1:-1] for c in "*?"):
                parts.append(re.escape(glob[1:-1]))
            else:
                name_bodies.append(body)

        def combined(bodies: list[str]) -> re.Pattern[str] | None:
            return re.compile("|".join(f"(?:{b})" for b in bodies)) if bodies else None

        part_rx, name_rx, path_rx = combined(parts), combined(name_bodies), combined(path_bodies)

        def other(rel: str, name: str) -> bool:
            return (name_rx is not None and name_rx.fullmatch(name) is not None
                    or path_rx is not None and path_rx.fullmatch(rel) is not None)

        self._file_tests = (frozenset(names), tuple(suffixes), part_rx.search if part_rx is not None else None,
                            other if name_bodies or path_bodies else None)
        return self._file_tests


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
        proc = subprocess.Popen(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", directory],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except (OSError, subprocess.SubprocessError):
        return None
    try:  # room for a large tree's listing: git writes it in one go instead of waiting for each read (Linux)
        import fcntl

        fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass
    try:
        out = proc.communicate(timeout=60)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None
    if proc.returncode:
        return None
    listed = dict.fromkeys(os.fsdecode(out).split("\0"))  # one decode: NUL never ends part of a character
    listed.pop("", None)
    return list(listed)


def _walk(directory: str, excluder: Excluder, root: str) -> list[str]:
    """Root-relative paths of the files under ``directory`` (absolute outside the root), junk pruned."""
    files = []
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        base = _rel(dirpath, root)
        prefix = dirpath.rstrip("/") + "/" if base is None else "" if base == "." else base + "/"
        dirnames[:] = sorted(d for d in dirnames if not excluder.excludes_dir(prefix + d))
        files.extend(prefix + f for f in sorted(filenames))
    return files


SCAN_MIN_FILES = 8  # a directory with this many listed files is scanned once instead of a stat per file


def _entries(directory: str) -> dict[str, os.DirEntry]:
    """The entries of a directory by name ({} when it cannot be read: its files are gone)."""
    try:
        with os.scandir(directory) as it:
            return {entry.name: entry for entry in it}
    except OSError:
        return {}


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
             errors: list | None = None, leftovers: list[str] | None = None,
             signatures: bool = True) -> list[Candidate]:
    """Files to lint under ``paths``; problems (missing paths, symlinks out of the root) go to ``errors``,
    the temp files of interrupted writes seen in listings to ``leftovers``. Without ``signatures`` (no
    result cache to key) listed files carry none, which spares a stat per file."""
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

    prefix = root_s if root_s.endswith("/") else root_s + "/"
    # "dir/" as listed -> [excluded, inside the root (None: not asked yet), absolute "dir/", files kept, entries]
    by_dir: dict[str, list] = {}

    def dir_state(dir_key: str, rel: str, per_directory: bool) -> list:
        parent = dir_key[:-1]
        absolute = os.path.isabs(rel)
        return [per_directory and bool(dir_key) and excluder.excludes_dir(parent), True if not parent or absolute else None,
                dir_key if absolute else prefix + dir_key, 0, None]

    def add_listing(listed: list[str]) -> None:
        """The files of a directory listing, cheaply for large trees: exclusion, kind and symlinks are
        decided by name and once per directory; then one lstat per file, or without ``signatures`` one
        directory scan for the listed files of a directory with many."""
        per_directory = excluder.per_directory
        matches_file = excluder.matches_file
        kept: list[tuple] = []
        for rel in listed:
            if rel.endswith(".flowgate-tmp"):
                if leftovers is not None:
                    leftovers.append(os.path.join(root_s, rel))
                continue
            cut = rel.rfind("/") + 1
            dir_key = rel[:cut]
            state = by_dir.get(dir_key)
            if state is None:
                state = by_dir[dir_key] = dir_state(dir_key, rel, per_directory)
            name = rel[cut:]
            if "\n" in rel or not per_directory:
                if excluder(rel):
                    continue
            elif state[0] or matches_file(rel, name):
                continue
            kind = name_kind(name)
            if kind is None:
                continue  # an extension that is not ours
            if state[1] is None:
                state[1] = dir_inside(dir_key[:-1])
            if not state[1]:
                kept.append((rel, None, None, None))  # reported in order, among the symlink problems
                continue
            state[3] += 1
            kept.append((rel, name, kind, state))
        check_seen, start = bool(seen), len(out)  # a listing holds each file once
        for rel, name, kind, state in kept:
            if state is None:
                errors.append((rel, OUT_THROUGH_DIR))
                continue
            abspath = state[2] + name
            sig = entry = None
            if not signatures and state[3] >= SCAN_MIN_FILES:
                entries = state[4]
                if entries is None:
                    entries = state[4] = _entries(state[2])
                entry = entries.get(name)  # None also when the name differs on disk (a case-folding file system)
            if entry is not None:
                try:
                    link, regular = entry.is_symlink(), entry.is_file(follow_symlinks=False)
                except OSError:
                    continue
                if link:
                    if not symlink_ok(abspath, rel, False):
                        continue
                elif not regular:
                    continue
            else:
                try:
                    st = os.lstat(abspath)
                except OSError:
                    continue  # deleted since it was listed
                mode = st.st_mode
                if stat.S_ISLNK(mode):
                    if not symlink_ok(abspath, rel, False):
                        continue
                    if signatures:
                        sig = _target_sig(abspath)
                elif not stat.S_ISREG(mode):
                    continue
                elif signatures:
                    sig = stat_signature(st)
            if not kind:
                kind = kind_of(abspath)
                if kind is None:
                    continue
            if check_seen:
                if abspath in seen:
                    continue
                seen.add(abspath)
            out.append(_new_tuple(Candidate, (abspath, rel, kind, False, sig)))
        if not check_seen:
            seen.update(c.path for c in out[start:])

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
            add_listing(listed)
        elif p.is_dir():  # a symlink to a directory
            errors.append((raw, "symlinked directory not followed"))
        else:
            add_explicit(p)
    return out
