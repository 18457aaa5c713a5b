"""Module-level regular expressions compiled on first use.

Compiling every module's patterns at import cost more than a typical pre-commit run spends
matching: most runs need only some of them. ``lazy(pattern, flags)`` stands in for
``re.compile(pattern, flags)``; on first use it compiles and takes on the compiled pattern's own
bound methods, so later calls cost what calls on a compiled pattern cost. Use it only where the
pattern is called through its methods (``X.search(...)``), never passed to ``re`` functions.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern:
    """A ``re.Pattern`` compiled on first use (``pattern`` is known before)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags
        self._rx: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self.pattern, self._flags)
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
