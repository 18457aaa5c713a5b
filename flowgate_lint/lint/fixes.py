"""Applying fixes: pure edit application and the fix loop; file writes only in ``fix_candidates``.

Edits are character ranges in the decoded host text; everything outside them is kept
byte for byte (line endings, BOM, final newline or its absence). The loop re-lints and
re-applies until nothing changes, with a cap.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from flowgate_lint.plumbing.errors import FlowgateError
from flowgate_lint.documents.findings import SAFE, Edit, FileError, Finding
from flowgate_lint.documents.source import HostFile
from flowgate_lint.documents.leaves import SourceTooLarge

MAX_PASSES = 10


class FixError(FlowgateError):
    """Fixes for a file did not converge."""


class FixOutcome(NamedTuple):
    text: str  # final text
    fixed: int  # fixes applied (edits made; one fix can resolve several findings)
    findings: list[Finding]  # what remains after the last pass
    resolved: list[Finding] = []  # findings of the first pass that are gone after the last


class FixRun(NamedTuple):
    findings: list[Finding]  # remaining findings, all files
    errors: list[FileError]
    fixed: int  # findings resolved (len(resolved))
    changed: list[tuple[str, str, str, HostFile]]  # (rel path, old text, new text, host) of changed files
    files: int
    resolved: list[Finding] = []  # the findings --fix resolved, all files, as they were before the fix


def resolved_findings(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """Findings of ``before`` with no counterpart in ``after``: the same code and offending text
    (its fingerprint), wherever the line moved to. A new finding a fix caused does not hide one it resolved."""
    from collections import Counter

    def key(f: Finding) -> tuple[str, str]:
        return (f.code, f.fingerprint or f.message)

    left = Counter(key(f) for f in after)
    out = []
    for f in before:
        k = key(f)
        if left[k]:
            left[k] -= 1
        else:
            out.append(f)
    return out


def eligible_filter(unsafe: bool, fixable: list[str] | None = None, unfixable: list[str] = ()) -> Callable[[Finding], bool]:
    """Which findings' fixes may be applied: safe ones (and unsafe with ``unsafe``), selected by fixable/unfixable."""
    from flowgate_lint.rules import matches

    fixable = fixable if fixable is not None else ["ALL"]

    def ok(f: Finding) -> bool:
        if f.fix is None or not f.fix.edits:
            return False
        if f.fix.applicability != SAFE and not unsafe:
            return False
        return any(matches(f.code, s) for s in fixable) and not any(matches(f.code, s) for s in unfixable)

    return ok


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    return a.start < b.end and b.start < a.end or (a.start == a.end and b.start < a.start < b.end) \
        or (b.start == b.end and a.start < b.start < a.end)


class _Sweep:
    """Edits that pairwise do not overlap, sorted by (start, end): a conflict check looks only at neighbours.

    In such a set the ends are non-decreasing too, so the edits that can touch a new one sit right
    around its insertion point: each check and insertion is O(log n) plus the few edits touching it.
    """

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []
        self.edits: list[Edit] = []

    def conflicts(self, e: Edit) -> bool:
        from bisect import bisect_left

        i = bisect_left(self.keys, (e.start, e.end))
        j = i - 1
        while j >= 0 and self.edits[j].end >= e.start:
            if _overlaps(self.edits[j], e):
                return True
            j -= 1
        j = i
        while j < len(self.edits) and self.edits[j].start <= e.end:
            if _overlaps(self.edits[j], e):
                return True
            j += 1
        return False

    def add(self, e: Edit) -> None:
        from bisect import bisect_left

        i = bisect_left(self.keys, (e.start, e.end))
        self.keys.insert(i, (e.start, e.end))
        self.edits.insert(i, e)


def apply_fixes(text: str, findings: list[Finding]) -> tuple[str, int]:
    """Apply the fixes of ``findings`` that do not overlap an earlier one; returns (text, fixes applied).

    A fix whose edits are identical to edits already accepted counts as applied (two findings
    can carry the same repair). Findings are taken in order of their first edit and checked
    against the accepted edits by a sorted sweep: n log n in the number of edits.
    """
    accepted = _Sweep()
    exact: set[Edit] = set()
    applied = 0
    for f in sorted(findings, key=lambda f: (min(e.start for e in f.fix.edits), f.code)):
        edits = [Edit(e.start, e.end, e.content) for e in f.fix.edits]
        if all(e in exact for e in edits):
            applied += 1
            continue
        own = _Sweep()
        clash = False
        for e in edits:
            if accepted.conflicts(e) or own.conflicts(e):
                clash = True
                break
            own.add(e)
        if clash or any(e.start < 0 or e.end > len(text) or e.start > e.end for e in edits):
            continue
        for e in edits:
            accepted.add(e)
            exact.add(e)
        applied += 1
    pieces = []
    pos = 0
    for e in accepted.edits:  # sorted, non-overlapping: one pass, one join
        pieces.append(text[pos:e.start])
        pieces.append(e.content)
        pos = e.end
    pieces.append(text[pos:])
    return "".join(pieces), applied


def fix_host(host: HostFile, ctx: Any, eligible: Callable[[Finding], bool]) -> FixOutcome:
    """Fix one decoded file to a fixpoint (pure: no I/O)."""
    from flowgate_lint.lint.engine import lint_host

    text = host.text
    fixed = 0
    first: list[Finding] | None = None
    for _ in range(MAX_PASSES):
        current = HostFile(host.path, text, host.kind, host.abspath, host.bom, host.is_spec, host.encoding)
        try:
            findings = lint_host(current, ctx)
        except (SourceTooLarge, RecursionError) as exc:  # a fix grew the file past what can be checked
            why = exc.message.removesuffix(", skipped") if isinstance(exc, SourceTooLarge) else "too deeply nested to lint"
            if first is None:
                raise FixError(why, host.path) from None
            raise FixError(f"fixing it would make it too large to check: {why}; nothing was written", host.path) from None
        if first is None:
            first = findings
        todo = [f for f in findings if eligible(f)]
        if not todo:
            return FixOutcome(text, fixed, findings, resolved_findings(first, findings))
        new_text, n = apply_fixes(text, todo)
        if new_text == text:
            return FixOutcome(text, fixed, findings, resolved_findings(first, findings))
        text, fixed = new_text, fixed + n
    raise FixError(f"fixes did not converge after {MAX_PASSES} passes; nothing was written", host.path)


class _FileFix(NamedTuple):
    findings: list[Finding]
    error: FileError | None
    resolved: list[Finding]
    changed: tuple[str, str, str, HostFile] | None


def _fix_file(cand: Any, ctx: Any, eligible: Callable[[Finding], bool], write: bool,
              found: list[Finding] | None = None) -> _FileFix | None:
    """Lint (unless ``found`` is given) and fix one file; None when it has no finding and no error.

    The fixed text is computed from one read and written only if the file is still what was read
    (``fsutil.replace_checked``); a file that cannot be written safely keeps its findings."""
    from flowgate_lint.lint.engine import decode_host, exit_if_orphaned, lint_candidate, read_stat
    from flowgate_lint.plumbing.fsutil import Refused, inside, replace_checked, snapshot

    if found is None:
        found, error = lint_candidate(cand, ctx)
        if error is not None:
            return _FileFix([], error, [], None)
    if not any(eligible(f) for f in found):
        return _FileFix(found, None, [], None) if found else None
    if inside(ctx.root, cand.path) is None:  # a directory on its path became a symlink to elsewhere
        return _FileFix(found, FileError(cand.rel, "its real path is outside the repository; not fixed"), [], None)
    is_spec = ctx.spec_rel is not None and cand.rel == ctx.spec_rel
    got = read_stat(cand.path, cand.rel)
    if isinstance(got, FileError):
        return _FileFix([], got, [], None)
    raw, st = got
    host = decode_host(raw, cand.rel, cand.kind, str(cand.path), is_spec)
    if isinstance(host, FileError):
        return _FileFix([], host, [], None)
    try:
        outcome = fix_host(host, ctx, eligible)
    except FixError as exc:
        return _FileFix(found, FileError(cand.rel, exc.message), [], None)
    if outcome.text == host.text:
        return _FileFix(outcome.findings, None, [], None)
    if host.encode(host.text) != raw:  # the bytes outside the edits would not come back as they were
        return _FileFix(found, FileError(cand.rel, "its encoding does not round-trip; not fixed"), [], None)
    if write:
        try:
            replace_checked(ctx.root, cand.path, host.encode(outcome.text), snapshot(st, raw), exit_if_orphaned)
        except Refused as exc:  # nothing was fixed: the file keeps its findings
            return _FileFix(found, FileError(cand.rel, exc.message), [], None)
        except OSError as exc:
            return _FileFix(found, FileError(cand.rel, f"cannot write: {exc.strerror or exc}; left as is"), [], None)
    return _FileFix(outcome.findings, None, outcome.resolved, (cand.rel, host.text, outcome.text, host))


def fix_candidates(candidates: list[Any], ctx: Any, eligible: Callable[[Finding], bool], write: bool) -> FixRun:
    """Fix every candidate file (over the cores for large runs); write changed ones atomically when ``write``."""
    from flowgate_lint.lint.engine import cached_split, map_files

    findings: list[Finding] = []
    errors: list[FileError] = []
    changed = []
    resolved: list[Finding] = []
    todo, hits = cached_split(candidates, ctx)
    results = [_fix_file(cand, ctx, eligible, write, found) for cand, found in hits]  # unchanged: not linted again
    linted = map_files(lambda cand: _fix_file(cand, ctx, eligible, write), todo)
    for cand, result in zip(todo, linted):
        if ctx.results is not None and (result is None or result.error is None and result.changed is None):
            ctx.results.put(cand, result.findings if result is not None else [])
    for result in results + linted:
        if result is None:
            continue
        findings.extend(result.findings)
        if result.error is not None:
            errors.append(result.error)
        if result.changed is not None:
            resolved.extend(result.resolved)
            changed.append(result.changed)
    if write:
        import os

        from flowgate_lint.plumbing.fsutil import remove_leftovers

        dirs = {os.path.dirname(c[3].abspath) for c in changed} | {os.path.dirname(p) for p in ctx.leftovers}
        remove_leftovers(ctx.root, dirs)
    findings.sort(key=Finding.sort_key)
    resolved.sort(key=Finding.sort_key)
    changed.sort(key=lambda c: c[0])
    return FixRun(findings, errors, len(resolved), changed, len(candidates), resolved)


def split_lines(text: str) -> list[str]:
    """``text`` cut after each LF only, ends kept: CR, form feed, VT and U+2028 stay inside their line, as
    git and patch see them (``str.splitlines`` would cut there too and break the hunks)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


_C_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r",
              0x22: '\\"', 0x5C: "\\\\"}


def git_path(name: str) -> str:
    """A file name as git writes it in a patch header: C-quoted (``"a/x\\ty"``, ``\\377`` for a byte that is
    not UTF-8) when it holds a control character, a quote, a backslash or such a byte; else as is."""
    if name.isprintable() and '"' not in name and "\\" not in name:
        return name
    out = []
    for ch in name:
        code = ord(ch)
        if code in _C_ESCAPES:
            out.append(_C_ESCAPES[code])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode (surrogateescape)
            out.append(f"\\{code - 0xDC00:03o}")
        elif code < 0x20 or code == 0x7F or not ch.isprintable():
            out.append("".join(f"\\{b:03o}" for b in ch.encode("utf-8", "surrogatepass")))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def unified_diff(rel: str, old: str, new: str, labels: tuple[str, str] | None = None) -> str:
    """A ``git apply`` / ``patch -p1`` compatible diff that keeps CRLF and marks a missing final newline.

    Lines end at LF only; names are quoted as git quotes them, and a name with a space is followed by a
    TAB, as git writes it, so that patch reads the whole name."""
    import difflib

    if labels is None:
        tab = "\t" if " " in rel else ""
        labels = (git_path(f"a/{rel}") + tab, git_path(f"b/{rel}") + tab)
    body = list(difflib.unified_diff(split_lines(old), split_lines(new), n=3))[2:]  # our own header lines
    if not body:
        return ""
    out = [f"--- {labels[0]}\n", f"+++ {labels[1]}\n"]
    for line in body:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def file_patch(host: HostFile, new_text: str) -> str | None:
    """The ``--diff`` patch of one file: a diff of its bytes as they are (a UTF-8 BOM included), or None for a
    UTF-16 file, which git treats as binary (no text patch can change it)."""
    if host.encoding != "utf-8":
        return None
    bom = "\ufeff" if host.bom else ""
    return unified_diff(host.path, bom + host.text, bom + new_text)
