"""A cache for the derived spec (and the settings it is derived with), so a pre-commit run on one file
skips the YAML and TOML parsers.

Deriving the spec means importing ruamel.yaml and parsing the gateway config: about a third of
a one-file run. The derived ``Spec`` is stored as plain JSON (``cachefile``: owner and mode
checked, never followed through a symlink, mode 0600) under ``$FLOWGATE_LINT_CACHE_DIR``, else
``$XDG_CACHE_HOME/flowgate-lint``, else ``~/.cache/flowgate-lint``, with the stat signature (type, size, mtime, ctime, inode) of every
path the derivation looked at, including the well-known paths that did not exist. An entry is
used only when the key (version, working directory, settings, ``--spec``) matches exactly and
every signature is unchanged, so creating, editing or removing any of those files is a miss; a
file modified in the last two seconds keeps the result out of the cache (git's "racy" rule).
Errors are never cached. ``--no-cache`` or ``FLOWGATE_LINT_NO_CACHE=1`` turns it off; any
problem with the cache itself (unreadable, corrupt, read-only, someone else's) is a silent miss.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

FORMAT = 6  # 1 was a pickle: never read again; 2 had no symlink targets; 3 had no Gateway.container_port; 4 no .behind;
# 5 was derived without the LiteLLM content scan and the web-port .behind
RACY_NS = 2_000_000_000


def cache_dir() -> Path | None:
    if os.environ.get("FLOWGATE_LINT_NO_CACHE"):
        return None
    return cache_location()


def cache_location() -> Path:
    """Where the caches live, whether or not they are turned off."""
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


def _readlink(path: str) -> str | None:
    try:
        return os.readlink(path)
    except (OSError, ValueError):
        return None


def _links(paths: Any) -> dict[str, str]:
    """Every symlink on the way to each of ``paths`` (as written, then through each link's target), with
    what it points to: repointing one is a miss even when the old target is unchanged."""
    links: dict[str, str] = {}
    todo = [os.path.abspath(p) for p in paths]
    seen: set[str] = set()
    while todo and len(seen) < 4096:  # bounded: a link loop ends here as it ends in the kernel (ELOOP)
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        parts = path.split(os.sep)
        for i in range(2, len(parts) + 1):
            prefix = os.sep.join(parts[:i])
            target = _readlink(prefix)
            if target is not None:
                links[prefix] = target
                rest = parts[i:]
                todo.append(os.path.normpath(os.path.join(os.path.dirname(prefix), target, *rest)))
                break
    return links


def _key(settings: Any, explicit: str | None) -> str:
    from flowgate_lint import __version__

    return repr((FORMAT, __version__, sys.version_info[:2], os.getcwd(), explicit, str(settings.path),
                 str(settings.root), str(settings.start), sorted(settings.values.items(), key=lambda kv: kv[0]),
                 _signature(__file__), _signature(Path(__file__).with_name("spec.py"))))


def _entry_name(key: str) -> str:
    import zlib

    return f"spec-{zlib.crc32(key.encode('utf-8', 'surrogatepass')):08x}.json"


def load_spec_cached(settings: Any, explicit: str | None = None, use_cache: bool = True, write: bool = True) -> Any:
    """``spec.load_spec``, answered from the cache when nothing it depends on has changed; a miss is
    stored only when ``write`` (read-only commands never create or change a cache file)."""
    directory = cache_dir() if use_cache else None
    if directory is None:
        from flowgate_lint.spec.load import load_spec

        return load_spec(settings, explicit)
    key = _key(settings, explicit)
    name = _entry_name(key)
    spec = _read(str(directory), name, key)
    if spec is not None:
        return spec
    from flowgate_lint.spec.load import load_spec

    probes: list[Path] = []
    spec = load_spec(settings, explicit, probes)
    deps = {str(p): _signature(p) for p in [*probes, *spec.inputs]}
    links = _links(deps)
    import time

    racy = time.time_ns() - RACY_NS
    # A file written within the last moments could change again within the same timestamp tick
    # and keep its signature (git's "racy clean" problem): do not cache until it has settled.
    if write and all(sig is None or sig[2] < racy for sig in deps.values()) and not _holds_key(spec):
        from flowgate_lint.plumbing.cachefile import write_json

        try:
            stored = encode(spec)
        except TypeError:  # a value the cache cannot hold: not cached (the round-trip test names it)
            return spec
        write_json(str(directory), name, {"format": FORMAT, "key": key, "deps": deps, "links": links, "spec": stored})
    return spec


def _holds_key(spec: Any) -> bool:
    """Whether a setting that names an environment variable holds something else (a pasted key): never stored."""
    from flowgate_lint.spec.settings import env_name_problem

    names = (getattr(getattr(spec, "codex", None), "env_key", None), getattr(getattr(spec, "claude", None), "token_env", None))
    return any(env_name_problem(name) is not None for name in names)


def _read(directory: str, name: str, key: str) -> Any:
    from flowgate_lint.plumbing.cachefile import read_json

    data = read_json(directory, name)
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
        return None
    deps, links = data.get("deps"), data.get("links")
    if not isinstance(deps, dict) or not isinstance(links, dict):
        return None
    for path, sig in deps.items():
        if _signature(path) != (tuple(sig) if isinstance(sig, list) else sig):
            return None
    for path, target in links.items():
        if _readlink(path) != target:
            return None
    classes = _classes()
    try:
        spec = decode(data.get("spec"), classes)
    except (TypeError, ValueError, RecursionError):
        return None
    return spec if isinstance(spec, classes["Spec"]) else None


# Settings: the closest settings file is found by looking at up to two names in every directory up to
# the root, and read with a TOML parser (tomllib: a tenth of a one-file run). The result of that parse
# is kept under a key of the start directory, with what the walk looked at: the stat signature of
# every settings file name (missing ones too) and whether each ``.git`` it tried existed. A hit needs
# every one unchanged; a settings file modified in the last two seconds, an error, a path that could
# not be looked at and values that hold a credential are never stored.

SETTINGS_FORMAT = 1


def _probe(path: str, what: str) -> Any:
    """What discovery sees at ``path``: its signature (None: missing) for a settings file name, whether
    it exists for a ``.git``; "error" when it cannot be looked at (pathlib raises: never cached)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        import errno

        if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EBADF):  # what pathlib reads as "no"
            return "error"
        return None if what == "file" else False
    except ValueError:
        return None if what == "file" else False
    if what == "file":
        return [st.st_mode >> 12, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    return True


def load_settings_cached(config: str | None, start: Path, isolated: bool = False, use_cache: bool = True,
                         write: bool = True) -> Any:
    """``settings.load_settings``, answered from the cache when no file discovery looked at has changed."""
    from flowgate_lint.spec import settings as settings_module

    directory = cache_dir() if use_cache and not config and not isolated else None
    if directory is None:
        return settings_module.load_settings(config, start, isolated)
    start_dir = settings_module.start_directory(start)
    from flowgate_lint import __version__

    key = repr((SETTINGS_FORMAT, __version__, sys.version_info[:2], str(start_dir),
                _signature(settings_module.__file__), _signature(__file__)))
    name = f"settings-{_entry_name(key)[5:]}"
    cached = _read_settings(str(directory), name, key, settings_module, start_dir)
    if cached is not None:
        return cached
    probes: list[list] = []
    settings = settings_module.discover_settings(start, lambda path, what: probes.append([path, what, _probe(path, what)]))
    if not write or any(seen == "error" for _, _, seen in probes):
        return settings
    import time

    racy = time.time_ns() - RACY_NS
    if any(what == "file" and seen is not None and seen[2] >= racy for _, what, seen in probes):
        return settings  # a settings file written moments ago could change again within its timestamp tick
    found = None if settings.path is None else probes[-1][0]  # the settings file is the last name looked at
    entry = {"format": SETTINGS_FORMAT, "key": key, "probes": probes,
             "settings": {"path": found, "values": settings.values, "table": settings.table}}
    from flowgate_lint.plumbing.cachefile import write_json
    from flowgate_lint.plumbing.redact import has_secret

    if found is not None and (has_secret(repr(settings.values))
                              or any(settings_module.env_name_problem(settings.values.get(k)) for k in settings_module.ENV_NAME_KEYS)):
        return settings
    write_json(str(directory), name, entry)
    return settings


def _read_settings(directory: str, name: str, key: str, settings_module: Any, start_dir: Path) -> Any:
    from flowgate_lint.plumbing.cachefile import read_json

    data = read_json(directory, name)
    if not isinstance(data, dict) or data.get("format") != SETTINGS_FORMAT or data.get("key") != key:
        return None
    probes, stored = data.get("probes"), data.get("settings")
    if not isinstance(probes, list) or not isinstance(stored, dict):
        return None
    for probe in probes:
        if not (isinstance(probe, list) and len(probe) == 3 and isinstance(probe[0], str) and probe[1] in ("file", "exists")) \
                or _probe(probe[0], probe[1]) != probe[2]:
            return None
    found, values, table = stored.get("path"), stored.get("values"), stored.get("table")
    if not isinstance(values, dict) or not (table is None or isinstance(table, str)):
        return None
    if isinstance(found, str):
        path = Path(found).resolve()
        settings = settings_module.Settings(values=values, path=path, root=path.parent, table=table)
        try:
            settings_module.validate(settings)  # as read from the file: nothing else comes back out
        except settings_module.SettingsError:
            return None
        return settings
    if found is not None or values or table is not None:
        return None
    # No settings file: the root is looked up again (cheap), never taken from the entry, whose probes of
    # missing files and of .git a planted entry could predict.
    return settings_module.Settings(values={}, path=None, root=settings_module._project_root(start_dir), start=start_dir)


# The spec as plain data: NamedTuples as {"t": class name, "v": [fields]}, tuples and frozensets as
# {"t": "tuple"} and {"t": "frozenset"}, paths as {"t": "path"}; only the spec's own value classes
# can come back out.

def encode(value: Any) -> Any:
    from pathlib import PurePath

    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, tuple):
        kind = type(value).__name__ if hasattr(value, "_fields") else "tuple"
        return {"t": kind, "v": [encode(v) for v in value]}
    if isinstance(value, frozenset):
        return {"t": "frozenset", "v": sorted((encode(v) for v in value), key=repr)}
    if isinstance(value, PurePath):
        return {"t": "path", "v": str(value)}
    raise TypeError(f"cannot store a {type(value).__name__} in the spec cache")


def _classes() -> dict[str, type]:
    from flowgate_lint.spec import model as spec_module

    return {cls.__name__: cls for cls in (spec_module.Spec, spec_module.Gateway, spec_module.CodexSpec,
                                          spec_module.ClaudeSpec, spec_module.Service)}


def decode(data: Any, classes: dict[str, type] | None = None) -> Any:
    """The value ``encode`` stored (raises ValueError for anything else)."""
    if data is None or isinstance(data, (str, bool, int, float)):
        return data
    if not isinstance(data, dict) or set(data) != {"t", "v"}:
        raise ValueError("not a stored spec value")
    kind, items = data["t"], data["v"]
    if kind == "path":
        if not isinstance(items, str):
            raise ValueError("a path must be a string")
        return Path(items)
    if not isinstance(items, list):
        raise ValueError("a tuple must be a list")
    classes = classes if classes is not None else _classes()
    values = [decode(v, classes) for v in items]
    if kind == "tuple":
        return tuple(values)
    if kind == "frozenset":
        return frozenset(values)
    cls = classes.get(kind)
    if cls is None or len(values) != len(cls._fields):
        raise ValueError(f"not a spec value: {kind}")
    return cls(*values)
