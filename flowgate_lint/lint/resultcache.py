"""A per-file result cache, so unchanged files are not read, parsed or linted again.

Like ruff's cache: one file per project under the cache directory (``speccache.cache_dir``),
holding a fingerprint of everything a file's findings depend on besides the file itself
(flowgate-lint version and code, Python version, project root, the derived spec and the stat
signatures of the files it came from, the settings, the selected rules and per-file ignores) and,
for each linted file, its stat signature (size, mtime, ctime, inode) with the findings it produced.
A file is answered from the cache only when its signature is unchanged; a different fingerprint
drops every entry. A file changed in the last two seconds is not stored (a second edit in the same
timestamp tick could keep its signature: git's "racy clean" rule), nor is a file that could not be
read, nor one whose findings carry a credential (``redact``): the cache never holds one. The file is plain JSON, read and written through ``cachefile`` (owner and mode checked, no
symlink followed, atomic rename); findings come back only as the engine's own value types.
Concurrent runs (pre-commit shards) merge their entries on save. Any problem with the cache itself
is a silent miss. ``--no-cache`` or ``FLOWGATE_LINT_NO_CACHE=1``
turns it off.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from flowgate_lint.documents.findings import Edit, Finding, Fix

FORMAT = 2  # 1 was a pickle: never read again
RACY_NS = 2_000_000_000
MAX_ENTRIES = 200_000  # beyond this, keep only the files of the current run

Sig = tuple  # discover.stat_signature: (size, mtime_ns, ctime_ns, inode)


def _package_signature() -> list:
    """Stat signatures of flowgate-lint's own modules and data (every package, the claim and schema data): an
    edited install invalidates results."""
    base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the flowgate_lint package
    try:
        subs = [""] + sorted(e.name for e in os.scandir(base) if e.is_dir() and e.name not in ("data", "__pycache__"))
    except OSError:
        subs = [""]
    out = []
    for sub in (*subs, os.path.join("data", "claims"), os.path.join("data", "codex")):
        directory = os.path.join(base, sub)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith((".py", ".txt", ".json")) and entry.is_file():
                st = entry.stat()
                out.append((sub, entry.name, st.st_size, st.st_mtime_ns))
    return out


def fingerprint(ctx: Any) -> str:
    """Everything besides the file's own bytes that its findings depend on (compared in full, not hashed)."""
    from flowgate_lint import __version__
    from flowgate_lint.lint.discover import stat_signature

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
             sorted(ctx.codes), getattr(ctx, "preview", False),
             [(rx.pattern, codes) for rx, codes in ctx.per_file_ignores], ctx.spec_rel,
             _package_signature())
    return repr(parts)


class ResultCache:
    """Findings of unchanged files, keyed by root-relative path and checked against the stat signature.

    Entries are kept as stored (``[signature, [encoded finding, ...]]``) and decoded on ``get``.
    """

    def __init__(self, path: str, fp: str) -> None:
        self.directory, self.name = os.path.split(path)
        self.fingerprint = fp
        self.entries: dict[str, list] = _load(self.directory, self.name, fp)
        self.fresh: dict[str, list] = {}
        import time

        self.settled_before = time.time_ns() - RACY_NS

    def get(self, cand: Any) -> list | None:
        """The cached findings of ``cand``, or None when it must be linted."""
        sig = getattr(cand, "sig", None)
        if sig is None:
            return None
        entry = self.entries.get(cand.rel)
        if not isinstance(entry, list) or len(entry) != 2 or entry[0] != list(sig):
            return None
        try:
            return [decode_finding(f) for f in entry[1]]
        except (TypeError, ValueError):
            return None

    def split(self, candidates: list[Any]) -> tuple[list[Any], list[tuple[Any, list]]]:
        """(files to lint, [(file, cached findings)]): ``get`` over a run's files, without a call per file."""
        entries = self.entries
        todo: list[Any] = []
        hits: list[tuple[Any, list]] = []
        for cand in candidates:
            sig = getattr(cand, "sig", None)
            entry = None if sig is None else entries.get(cand.rel)
            if isinstance(entry, list) and len(entry) == 2 and entry[0] == list(sig):
                stored = entry[1]
                if isinstance(stored, list) and not stored:  # most files: no findings, nothing to decode
                    hits.append((cand, []))
                    continue
                try:
                    hits.append((cand, [decode_finding(f) for f in stored]))
                    continue
                except (TypeError, ValueError):
                    pass
            todo.append(cand)
        return todo, hits

    def put(self, cand: Any, findings: list) -> None:
        sig = getattr(cand, "sig", None)
        if sig is None or sig[1] >= self.settled_before or sig[2] >= self.settled_before:
            return
        if any(_holds_secret(f) for f in findings):
            return  # the cache never holds a credential (a fix may need it verbatim): lint such a file each run
        value = [list(sig), [encode_finding(f) for f in findings]]
        if self.entries.get(cand.rel) != value:
            self.fresh[cand.rel] = value

    def save(self) -> None:
        """Write the new entries (merged with any a concurrent run saved meanwhile); silent on failure."""
        if not self.fresh:
            return
        from flowgate_lint.plumbing.cachefile import write_json

        merged = _load(self.directory, self.name, self.fingerprint) or self.entries
        if len(merged) + len(self.fresh) > MAX_ENTRIES:
            merged = {}
        merged.update(self.fresh)
        write_json(self.directory, self.name, {"format": FORMAT, "fingerprint": self.fingerprint, "entries": merged})
        self.fresh = {}


def _load(directory: str, name: str, fp: str) -> dict:
    from flowgate_lint.plumbing.cachefile import read_json

    data = read_json(directory, name)
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("fingerprint") != fp:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


# Findings as plain data: a Finding is the list of its fields, its fix [[edit fields...], applicability,
# message]. Decoding accepts exactly those shapes, with str and int fields only.

def _holds_secret(f: Finding) -> bool:
    from flowgate_lint.plumbing.redact import has_secret

    return has_secret(f.message) or has_secret(f.path) or (
        f.fix is not None and (has_secret(f.fix.message) or any(has_secret(e.content) for e in f.fix.edits)))


def encode_finding(f: Any) -> list:
    fields = list(f)
    fix = f.fix
    fields[_FIX] = None if fix is None else [[list(e) for e in fix.edits], fix.applicability, fix.message]
    return fields


def _plain(values: list, n: int) -> list:
    if not isinstance(values, list) or len(values) != n or any(type(v) not in (str, int) for v in values):
        raise ValueError("not a stored value")
    return values


def decode_finding(data: Any) -> Finding:
    if not isinstance(data, list) or len(data) != len(Finding._fields):
        raise ValueError("not a stored finding")
    fix = data[_FIX]
    if fix is not None:
        if not isinstance(fix, list) or len(fix) != 3 or not isinstance(fix[0], list):
            raise ValueError("not a stored fix")
        edits = tuple(Edit(*_plain(e, len(Edit._fields))) for e in fix[0])
        fix = Fix(edits, *_plain(fix[1:], 2))
    return Finding(*_plain(data[:_FIX], _FIX), fix, *_plain(data[_FIX + 1:], len(data) - _FIX - 1))


_FIX = Finding._fields.index("fix")


def open_cache(ctx: Any, use_cache: bool = True) -> ResultCache | None:
    """The project's result cache, or None when caching is off."""
    if not use_cache:
        return None
    from flowgate_lint.spec.cache import cache_dir

    directory = cache_dir()
    if directory is None:
        return None
    import zlib

    name = f"results-{zlib.crc32(str(ctx.root).encode('utf-8', 'surrogatepass')):08x}.json"
    try:
        return ResultCache(os.path.join(str(directory), name), fingerprint(ctx))
    except Exception:  # noqa: BLE001 - e.g. an unreadable spec input: no cache
        return None
