"""Module-level regular expressions compiled on first use.

Compiling every module's patterns at import cost more than a typical pre-commit run spends
matching: most runs need only some of them. ``lazy(pattern, flags)`` stands in for
``re.compile(pattern, flags)``; on first use it compiles and takes on the compiled pattern's own
bound methods, so later calls cost what calls on a compiled pattern cost. Use it only where the
pattern is called through its methods (``X.search(...)``), never passed to ``re`` functions.

Compiling is still a tenth of a one-file run: parsing a pattern and generating its matcher program
is pure Python. With ``keep_programs(directory)`` (the lint command, when caching is on) the
programs are kept between runs in a ``cachefile`` (plain JSON, owner and mode checked): a pattern
met before is built from its stored program (its code words, hex) by the regex engine itself
(``_sre.compile``, which checks the program), without the parser. A program is stored only after
the pattern built from it compared equal to ``re.compile``'s; the file is keyed by the exact Python
build, and anything off (another implementation, a changed internal API, a corrupt entry) falls
back to ``re.compile``. A pattern built at run time gets the same with ``lazy(text, flags).compiled()``
(never one built from a credential: the cache stores pattern texts as they are).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")
FORMAT = 1
# Beyond either bound (patterns built from a spec or settings add programs of their own), keep only the
# programs of the current run: reading the file stays a fraction of what it saves.
MAX_PROGRAMS = 2048
MAX_CODE_CHARS = 2_000_000

_directory: str | None = None  # where programs are kept (None: not kept)
_stored: dict[str, list] | None = None  # programs read from the cache, on first compile
_fresh: dict[str, list] = {}  # programs built this run, to store
_used: set[str] = set()


class LazyPattern:
    """A ``re.Pattern`` compiled on first use (``pattern`` is known before)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags
        self._rx: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self.pattern, self._flags) if _directory is None else _compile(self.pattern, self._flags)
            for name in _METHODS:
                setattr(self, name, getattr(rx, name))
        return rx

    def __getattr__(self, name: str) -> Any:  # only for attributes not set yet
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r}, {self._flags})"


def lazy(pattern: str, flags: int = 0) -> Any:
    """``re.compile(pattern, flags)``, compiled when first used (typed as Any: it quacks like a Pattern)."""
    return LazyPattern(pattern, flags)


# --------------------------------------------------------------------------- kept programs

def keep_programs(directory: str | None) -> None:
    """Build patterns from (and store new ones in) the program cache in ``directory``; None: never."""
    global _directory, _stored
    _directory, _stored = directory, None
    _fresh.clear()
    _used.clear()


def _build_key() -> str:
    import sys

    import _sre

    return repr((FORMAT, sys.version, sys.implementation.cache_tag, sys.byteorder, _sre.MAGIC, _sre.CODESIZE))


def _words(data: Any) -> Any:
    """The regex engine's code words as an array (from a list of them, or from their bytes)."""
    import array

    import _sre

    return array.array("I" if array.array("I").itemsize == _sre.CODESIZE else "L", data)


def _entry_name(key: str) -> str:
    import zlib

    return f"regex-{zlib.crc32(key.encode('utf-8')):08x}.json"


def _read(directory: str) -> dict[str, list]:
    from flowgate_lint.cachefile import read_json

    try:
        key = _build_key()
    except (ImportError, AttributeError):
        return {}
    data = read_json(directory, _entry_name(key))
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
        return {}
    programs = data.get("programs")
    return programs if isinstance(programs, dict) else {}


def _from_program(pattern: str, program: Any) -> re.Pattern[str] | None:
    """The pattern built from a stored program (None: not a usable one)."""
    try:
        import _sre

        flags, code, groups, groupindex, indexgroup = program
        if not (isinstance(flags, int) and isinstance(code, str) and isinstance(groups, int)
                and isinstance(groupindex, dict) and isinstance(indexgroup, list)):
            return None
        return _sre.compile(pattern, flags, _words(bytes.fromhex(code)).tolist(), groups, groupindex, tuple(indexgroup))
    except Exception:  # noqa: BLE001 - a corrupt or foreign program: compile afresh
        return None


def _program(pattern: str, flags: int) -> list | None:
    """What ``re.compile`` hands the regex engine for ``pattern`` (its own steps), or None."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        return [flags | parsed.state.flags, _words(code).tobytes().hex(), parsed.state.groups - 1, groupindex, indexgroup]
    except Exception:  # noqa: BLE001 - another Python's internals: no program kept
        return None


def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    global _stored
    if _stored is None:
        _stored = _read(_directory) if _directory is not None else {}
    key = f"{flags}:{pattern}"
    _used.add(key)
    program = _stored.get(key)
    if program is not None:
        rx = _from_program(pattern, program)
        if rx is not None:
            return rx
    rx = re.compile(pattern, flags)
    program = _program(pattern, flags)
    built = None if program is None else _from_program(pattern, program)
    if built is not None and built == rx and built.groupindex == rx.groupindex:  # equal: same flags and program
        _fresh[key] = program
    return rx


def save_programs() -> None:
    """Store the programs built this run (merged with the cache's current ones); silent on failure."""
    if _directory is None or not _fresh:
        return
    from flowgate_lint.cachefile import write_json

    programs = {**_read(_directory), **(_stored or {}), **_fresh}
    if len(programs) > MAX_PROGRAMS or sum(len(p[1]) for p in programs.values() if isinstance(p, list) and len(p) > 1
                                           and isinstance(p[1], str)) > MAX_CODE_CHARS:
        programs = {k: v for k, v in programs.items() if k in _used}
    key = _build_key()
    write_json(_directory, _entry_name(key), {"format": FORMAT, "key": key, "programs": programs})
    _fresh.clear()
