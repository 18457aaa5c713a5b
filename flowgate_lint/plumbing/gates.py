"""Literal gates: a cheap substring test before a regex search, derived from the pattern itself."""

import re
from typing import Any


# ---------------------------------------------------------------------------- literal gates

_GATES: dict[str, Any] = {}  # pattern -> its gate, or how many times it was asked for before the gate is made
_GATE_AFTER = 64  # making a gate costs up to ~1 ms (the pattern's parse): only worth it for a pattern used often


def search(rx: Any, text: str) -> re.Match[str] | None:
    """``rx.search(text)``, not even tried when ``text`` lacks a literal every match holds (a substring test
    costs a fraction of a search with a large alternation)."""
    return rx.search(text) if may_match(rx, text) else None


def may_match(rx: Any, text: str) -> bool:
    """False when ``text`` lacks a literal every match of ``rx`` holds (True: it may match)."""
    gate = _GATES.get(rx.pattern, 0)  # the gate holds whatever the flags
    if type(gate) is int:
        if gate < _GATE_AFTER:
            _GATES[rx.pattern] = gate + 1
            return True
        gate = _GATES[rx.pattern] = _gate_of(rx.pattern)
    return gate is True or gate(text)


def _gate_of(pattern: str) -> Any:
    """text -> whether it holds a string of each of the pattern's required literal groups (``prefilter.
    required_groups``: casefolded, so it also holds for a case-sensitive pattern); True: no gate."""
    from flowgate_lint.plumbing.prefilter import fold, required_groups

    groups = required_groups(pattern)
    if not groups:
        return True
    literals = sorted({s for g in groups for s in g})
    if len(groups) == 1 and len(literals) <= 12:
        needles = tuple(literals)

        def few(text: str) -> bool:
            folded = fold(text)
            for n in needles:
                if n in folded:
                    return True
            return False

        return few
    try:
        from ahocorasick_rs import AhoCorasick, MatchKind
    except ImportError:  # pragma: no cover - a declared dependency
        return lambda text: all(any(n in fold(text) for n in g) for g in groups)
    find = AhoCorasick(literals, matchkind=MatchKind.Standard).find_matches_as_indexes
    if len(groups) == 1:
        return lambda text: bool(find(fold(text)))
    sets = [frozenset(literals.index(s) for s in g) for g in groups]

    def every(text: str) -> bool:
        found = {i for i, _, _ in find(fold(text), overlapping=True)}
        return all(not g.isdisjoint(found) for g in sets)

    return every
