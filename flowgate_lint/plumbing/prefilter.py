"""The byte prefilter: can this file hold a finding at all?

Rules declare ``triggers`` (regex fragments, case-insensitive). Running them as one big
case-insensitive alternation costs about 0.5 ms per file, which dominates large trees. Instead,
each fragment becomes literal needles: a small finite fragment (``gh[pousr]_``, ``\\s-m\\s``,
``a|b``) is expanded into every string it matches, anything else is reduced to the longest literal
every match must contain. The lowercased bytes are searched for all needles at once with an
Aho-Corasick automaton (``ahocorasick_rs``; one pass, about 5 µs for a typical doc) or, when that
wheel is missing, with one ``in`` per needle. Only fragments with no usable literal stay regular
expressions. The result is a superset test: it may let an irrelevant file through, never the other
way round.
"""

from __future__ import annotations

TYPE_CHECKING = False  # importing typing costs ~3 ms (it imports re): not on the fast path
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable

MIN_NEEDLE = 3
MAX_EXPANSION = 128  # a fragment that matches more strings than this is reduced, not expanded
_SPACE = " \t\n\r\f\v"  # \s on bytes
_DIGITS = "0123456789"


def _sre() -> Any:
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse  # type: ignore[no-redef]
    return sre_parse


def _expand(items: Any, sre: Any, text: bool = False) -> list[str] | None:
    """Every string the parsed pattern matches (zero-width asserts dropped), or None if too many.

    ``text``: the pattern runs on str, where \\s and \\d also match non-ASCII characters (not expanded)."""
    out = [""]
    for op, arg in items:
        if op is sre.LITERAL:
            alts = [chr(arg)]
        elif op is sre.AT:
            continue  # \b, ^, $ only narrow a match; dropping them keeps a superset
        elif op is sre.IN:
            alts = _expand_class(arg, sre, text)
        elif op is sre.BRANCH:
            alts = []
            for branch in arg[1]:
                sub = _expand(branch, sre, text)
                if sub is None:
                    return None
                alts.extend(sub)
        elif op is sre.SUBPATTERN:
            alts = _expand(arg[-1], sre, text)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, high, body = arg
            sub = _expand(body, sre, text)
            if sub is None or high > 4:
                return None
            alts = [""]
            reps: list[str] = []
            for count in range(high + 1):
                if count >= low:
                    reps.extend(alts)
                alts = [a + s for a in alts for s in sub]
                if len(alts) > MAX_EXPANSION:
                    return None
            alts = reps
        else:
            return None
        if alts is None:
            return None
        out = [o + a for o in out for a in dict.fromkeys(alts)]
        if len(out) > MAX_EXPANSION:
            return None
    return out


def _expand_class(items: Any, sre: Any, text: bool = False) -> list[str] | None:
    chars: list[str] = []
    for op, arg in items:
        if op is sre.LITERAL:
            chars.append(chr(arg))
        elif op is sre.RANGE and arg[1] - arg[0] < 16:
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif op is sre.CATEGORY and arg is sre.CATEGORY_SPACE and not text:
            chars.extend(_SPACE)
        elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT and not text:
            chars.extend(_DIGITS)
        else:
            return None  # negated or wide classes
    return chars


def needles_for(fragment: str) -> list[bytes] | None:
    """Lowercased literal needles such that every match of ``fragment`` contains one; None if none usable.

    The rules' triggers are looked up in the table ``scripts/gen_triggers.py`` writes (parsing
    them costs ~10 ms at start-up); anything else is derived."""
    from flowgate_lint.plumbing._triggers import NEEDLES

    if fragment in NEEDLES:
        known = NEEDLES[fragment]
        return list(known) if known is not None else None
    return derive_needles(fragment)


def derive_needles(fragment: str) -> list[bytes] | None:
    """``needles_for`` computed from the regex parse tree: every string a small fragment matches,
    else the strongest group of ``_groups`` (the one whose shortest string is longest)."""
    import re

    sre = _sre()
    try:
        parsed = sre.parse(fragment)
    except re.error:
        return None
    strings = _expand(parsed, sre)
    if strings is None or any(len(s.encode()) < MIN_NEEDLE for s in strings):
        groups = _groups(parsed, sre, text=False)
        strings = max(groups, key=lambda g: min(len(s.encode()) for s in g)) if groups else None
    if strings is None:
        return None
    return sorted({s.encode("utf-8").lower() for s in strings})  # ASCII-only lowering, as bytes.lower() on the data


def _groups(parsed: Any, sre: Any, text: bool) -> list[tuple[str, ...]]:
    """Groups of strings such that every match contains at least one string of every group (an AND
    of ORs): runs of top-level literals, and top-level items with a small expansion."""
    groups: list[tuple[str, ...]] = []
    run: list[str] = []

    def flush() -> None:
        literal = "".join(run)
        if len(literal.encode()) >= MIN_NEEDLE:
            groups.append((literal,))
        run.clear()

    for item in parsed:
        op, arg = item
        if op is sre.LITERAL:
            run.append(chr(arg))
            continue
        if op is sre.AT:  # zero-width: keep the run going
            continue
        flush()
        strings = _expand([item], sre, text)
        if strings and all(len(x.encode()) >= MIN_NEEDLE for x in strings):
            groups.append(tuple(strings))
        elif op is sre.SUBPATTERN:
            groups.extend(_groups(arg[-1], sre, text))  # a group's content is required too
        elif op is sre.BRANCH:
            union = _branch_group(arg[1], sre, text)
            if union:
                groups.append(union)
    flush()
    return groups


def _branch_group(branches: Any, sre: Any, text: bool) -> tuple[str, ...] | None:
    """For ``a|b`` too large to expand: every match holds a string of the strongest group of the branch
    it matched, so of their union (None when some branch has no group)."""
    union: list[str] = []
    for branch in branches:
        sub = _groups(branch, sre, text)
        if not sub:
            return None
        union.extend(max(sub, key=lambda g: min(len(x.encode()) for x in g)))
    return tuple(dict.fromkeys(union))


def required_groups(pattern: str) -> list[tuple[str, ...]]:
    """For a str pattern matched case-insensitively: ``_groups``, casefolded (empty: no usable literal).

    A text whose ``fold`` lacks every string of some group cannot match: the pattern need not
    even be compiled."""
    sre = _sre()
    return [tuple(sorted({fold(x) for x in g})) for g in _groups(sre.parse(pattern), sre, text=True)]


def fold(text: str) -> str:
    """Casefold for ``required_groups``, as loose as re.I: re.I matches dotted İ and dotless ı to i, while
    casefold turns İ into i plus a combining dot and keeps ı."""
    return text.casefold().replace("i\u0307", "i").replace("\u0131", "i")


def _needle_search(needles: list[bytes], scan: bool = False) -> Callable[[bytes], bool]:
    """bytes -> whether any needle occurs: one Aho-Corasick pass, or one substring scan per needle when
    ``scan`` (a few small files: cheaper than importing and building the automaton) or without the wheel."""
    if not needles:
        return lambda low: False
    if not scan:
        try:
            from ahocorasick_rs import BytesAhoCorasick
        except ImportError:
            scan = True
        else:
            find = BytesAhoCorasick(needles).find_matches_as_indexes
            return lambda low: bool(find(low))

    def any_in(low: bytes) -> bool:
        for n in needles:
            if n in low:
                return True
        return False

    return any_in


def compile_prefilter(fragments: Iterable[str], scan: bool = False) -> Callable[[bytes], bool]:
    """A function bytes -> bool: True when the data may hold a finding for these triggers (``scan``: for a
    few small inputs, substring scans instead of an Aho-Corasick automaton)."""
    needles: list[bytes] = []
    leftovers: list[str] = []
    for fragment in dict.fromkeys(fragments):
        found = needles_for(fragment)
        if found:
            needles.extend(found)
        else:
            leftovers.append(fragment)
    search = _needle_search(list(dict.fromkeys(needles)), scan)
    pattern = None
    if leftovers:
        import re

        pattern = re.compile("|".join(f"(?:{f})" for f in leftovers).encode(), re.I)

    def may_match(data: bytes) -> bool:
        low = data.lower()
        return search(low) or bool(pattern is not None and pattern.search(low))

    return may_match
