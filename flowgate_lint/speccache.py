"""A cache for the derived spec, so a pre-commit run on one file skips the YAML parser.

Deriving the spec means importing ruamel.yaml and parsing the gateway config: about a third of
a one-file run. The derived ``Spec`` is stored (pickled, mode 0600) under
``$FLOWGATE_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/flowgate-lint``, else
``~/.cache/flowgate-lint``, with the stat signature (type, size, mtime, ctime, inode) of every
path the derivation looked at, including the well-known paths that did not exist. An entry is
used only when the key (version, working directory, settings, ``--spec``) matches exactly and
every signature is unchanged, so creating, editing or removing any of those files is a miss; a
file modified in the last two seconds keeps the result out of the cache (git's "racy" rule).
Errors are never cached. ``--no-cache`` or ``FLOWGATE_LINT_NO_CACHE=1`` turns it off; any
problem with the cache itself (unreadable, corrupt, read-only) is a silent miss.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

FORMAT = 1
RACY_NS = 2_000_000_000


def cache_dir() -> Path | None:
    if os.environ.get("FLOWGATE_LINT_NO_CACHE"):
        return None
    explicit = os.environ.get("FLOWGATE_LINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flowgate-lint"


def _signature(path: Path | str) -> tuple[int, int, int, int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_mode >> 12, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _key(settings: Any, explicit: str | None) -> str:
    from flowgate_lint import __version__

    return repr((FORMAT, __version__, sys.version_info[:2], os.getcwd(), explicit, str(settings.path),
                 str(settings.root), str(settings.start), sorted(settings.values.items(), key=lambda kv: kv[0]),
                 _signature(__file__), _signature(Path(__file__).with_name("spec.py"))))


def _entry_path(directory: Path, key: str) -> Path:
    import zlib

    return directory / f"spec-{zlib.crc32(key.encode('utf-8', 'surrogatepass')):08x}.pickle"


def load_spec_cached(settings: Any, explicit: str | None = None, use_cache: bool = True, write: bool = True) -> Any:
    """``spec.load_spec``, answered from the cache when nothing it depends on has changed; a miss is
    stored only when ``write`` (read-only commands never create or change a cache file)."""
    directory = cache_dir() if use_cache else None
    if directory is None:
        from flowgate_lint.spec import load_spec

        return load_spec(settings, explicit)
    key = _key(settings, explicit)
    entry = _entry_path(directory, key)
    spec = _read(entry, key)
    if spec is not None:
        return spec
    from flowgate_lint.spec import load_spec

    probes: list[Path] = []
    spec = load_spec(settings, explicit, probes)
    deps = {str(p): _signature(p) for p in [*probes, *spec.inputs]}
    import time

    racy = time.time_ns() - RACY_NS
    # A file written within the last moments could change again within the same timestamp tick
    # and keep its signature (git's "racy clean" problem): do not cache until it has settled.
    if write and all(sig is None or sig[2] < racy for sig in deps.values()):
        _write(entry, (key, deps, spec))
    return spec


def _read(entry: Path, key: str) -> Any:
    import pickle

    try:
        with open(entry, "rb") as fh:
            stored_key, deps, spec = pickle.load(fh)
    except Exception:  # noqa: BLE001 - missing, corrupt or from another version: a miss
        return None
    if stored_key != key or any(_signature(p) != sig for p, sig in deps.items()):
        return None
    return spec


def _write(entry: Path, value: Any) -> None:
    import pickle

    try:
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        from flowgate_lint.fsutil import atomic_write

        atomic_write(entry, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), mode=0o600)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache
        pass
