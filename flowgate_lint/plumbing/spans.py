"""Which of many spans hold an offset, answered in logarithmic time from an index built once per file.

Rules and judgements ask "which assignment, leaf or fence holds this offset" once per URL; a linear scan
per question makes a file with many URLs quadratic.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Iterable


class SpanIndex:
    """Half-open spans ``[start, end)`` kept in the order given, to look offsets up in."""

    __slots__ = ("_starts", "_ends", "_order", "_reach", "_union_starts", "_union_ends")

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ranked = sorted(((a, b, i) for i, (a, b) in enumerate(spans) if b > a), key=lambda s: (s[0], s[2]))
        self._starts = [a for a, _, _ in ranked]
        self._ends = [b for _, b, _ in ranked]
        self._order = [i for _, _, i in ranked]
        reach, top = [], -1
        for b in self._ends:  # the furthest end among spans starting at or before each one
            top = max(top, b)
            reach.append(top)
        self._reach = reach
        union_starts: list[int] = []
        union_ends: list[int] = []
        for a, b in zip(self._starts, self._ends):
            if union_ends and a <= union_ends[-1]:
                union_ends[-1] = max(union_ends[-1], b)
            else:
                union_starts.append(a)
                union_ends.append(b)
        self._union_starts, self._union_ends = union_starts, union_ends

    def covers(self, pos: int) -> bool:
        """Whether any span holds ``pos``."""
        k = bisect_right(self._union_starts, pos) - 1
        return k >= 0 and pos < self._union_ends[k]

    def first(self, pos: int) -> int | None:
        """The position, in the order given, of the first span holding ``pos`` (None when none does).

        Only spans starting at or before ``pos`` are looked at, nearest first, and only back to the last one
        an earlier span could still reach past ``pos`` (spans nest only within a line in practice)."""
        k = bisect_right(self._starts, pos) - 1
        best: int | None = None
        while k >= 0 and self._reach[k] > pos:
            if self._ends[k] > pos and (best is None or self._order[k] < best):
                best = self._order[k]
            k -= 1
        return best
