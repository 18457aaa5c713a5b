"""A per-file result cache, so unchanged files are not read, parsed or linted again.

Like ruff's cache: one file per project under the cache directory (``speccache.cache_dir``),
holding a fingerprint of everything a file's findings depend on besides the file itself
(flowgate-lint version and code, Python version, project root, the derived spec and the stat
signatures of the files it came from, the settings, the selected rules and per-file ignores) and,
for each linted file, its stat signature (size, mtime, ctime, inode) with the findings it produced.
A file is answered from the cache only when its signature is unchanged; a different fingerprint
drops every entry. A file changed in the last two seconds is not stored (a second edit in the same
timestamp tick could keep its signature: git's "racy clean" rule), nor is a file that could not be
read. Concurrent runs (pre-commit shards) merge their entries on save; the write is atomic. Any
problem with the cache itself is a silent miss. ``--no-cache`` or ``FLOWGATE_LINT_NO_CACHE=1``
turns it off.
"""

from __future__ import annotations

import os
import sys
from typing import Any

FORMAT = 1
RACY_NS = 2_000_000_000
MAX_ENTRIES = 200_000  # beyond this, keep only the files of the current run

Sig = tuple  # discover.stat_signature: (size, mtime_ns, ctime_ns, inode)


def _package_signature() -> list:
    """Stat signatures of flowgate-lint's own modules and data: an edited install invalidates results."""
    base = os.path.dirname(os.path.abspath(__file__))
    out = []
    for sub in ("", "rules", os.path.join("data", "claims")):
        directory = os.path.join(base, sub)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith((".py", ".txt")) and entry.is_file():
                st = entry.stat()
                out.append((sub, entry.name, st.st_size, st.st_mtime_ns))
    return out


def fingerprint(ctx: Any) -> str:
    """Everything besides the file's own bytes that its findings depend on (compared in full, not hashed)."""
    from flowgate_lint import __version__
    from flowgate_lint.discover import stat_signature

    spec = ctx.spec
    inputs = []
    for path in getattr(spec, "inputs", ()) or ():
        try:
            inputs.append((str(path), stat_signature(os.stat(path))))
        except OSError:
            inputs.append((str(path), None))
    settings = ctx.settings
    values = sorted(settings.values.items(), key=lambda kv: kv[0]) if settings is not None else None
    parts = (FORMAT, __version__, sys.version_info[:2], str(ctx.root), repr(spec), inputs, values,
             sorted(ctx.codes), [(rx.pattern, codes) for rx, codes in ctx.per_file_ignores], ctx.spec_rel,
             _package_signature())
    return repr(parts)


class ResultCache:
    """Findings of unchanged files, keyed by root-relative path and checked against the stat signature."""

    def __init__(self, path: str, fp: str) -> None:
        self.path = path
        self.fingerprint = fp
        self.entries: dict[str, tuple[Sig, tuple]] = _load(path, fp)
        self.fresh: dict[str, tuple[Sig, tuple]] = {}
        import time

        self.settled_before = time.time_ns() - RACY_NS

    def get(self, cand: Any) -> list | None:
        """The cached findings of ``cand``, or None when it must be linted."""
        sig = getattr(cand, "sig", None)
        if sig is None:
            return None
        entry = self.entries.get(cand.rel)
        if entry is None or entry[0] != sig:
            return None
        return list(entry[1])

    def put(self, cand: Any, findings: list) -> None:
        sig = getattr(cand, "sig", None)
        if sig is None or sig[1] >= self.settled_before or sig[2] >= self.settled_before:
            return
        value = (sig, tuple(findings))
        if self.entries.get(cand.rel) != value:
            self.fresh[cand.rel] = value

    def save(self) -> None:
        """Write the new entries (merged with any a concurrent run saved meanwhile); silent on failure."""
        if not self.fresh:
            return
        import pickle

        merged = _load(self.path, self.fingerprint) or self.entries
        if len(merged) + len(self.fresh) > MAX_ENTRIES:
            merged = {}
        merged.update(self.fresh)
        try:
            directory = os.path.dirname(self.path)
            os.makedirs(directory, mode=0o700, exist_ok=True)
            from flowgate_lint.fsutil import atomic_write

            atomic_write(self.path, pickle.dumps((FORMAT, self.fingerprint, merged), protocol=pickle.HIGHEST_PROTOCOL),
                         mode=0o600)
        except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache
            pass
        self.fresh = {}


def _load(path: str, fp: str) -> dict:
    import pickle

    try:
        with open(path, "rb") as fh:
            fmt, stored_fp, entries = pickle.load(fh)
    except Exception:  # noqa: BLE001 - missing, corrupt or from another version: empty
        return {}
    if fmt != FORMAT or stored_fp != fp or not isinstance(entries, dict):
        return {}
    return entries


def open_cache(ctx: Any, use_cache: bool = True) -> ResultCache | None:
    """The project's result cache, or None when caching is off."""
    if not use_cache:
        return None
    from flowgate_lint.speccache import cache_dir

    directory = cache_dir()
    if directory is None:
        return None
    import zlib

    name = f"results-{zlib.crc32(str(ctx.root).encode('utf-8', 'surrogatepass')):08x}.pickle"
    try:
        return ResultCache(os.path.join(str(directory), name), fingerprint(ctx))
    except Exception:  # noqa: BLE001 - e.g. an unreadable spec input: no cache
        return None
