"""A finding's source lines with a caret underline, and its fix as a short diff (shared by ``full`` and
``--show-fixes``). Everything shown from a file goes through the shared redaction, and control characters
are written as a visible ``\\uXXXX``, never sent to the terminal."""

from __future__ import annotations

from bisect import bisect_right
import unicodedata

from flowgate_lint.plumbing.lazyre import lazy
from flowgate_lint.report import Report


_BREAK = lazy(r"\r\n|\r|\n")  # line breaks as the findings count them (CRLF, lone CR, LF)
MAX_SPAN_LINES = 3  # source lines shown for one finding (the rest is elided)
MAX_DIFF_LINES = 12  # diff lines shown for one fix
TAB = "    "

_RESET, _BOLD, _DIM = "\x1b[0m", "\x1b[1m", "\x1b[2m"
_RED, _GREEN, _YELLOW, _BLUE = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[34m"


def _safe(text: str) -> str:
    """File text as it may be shown: credentials redacted (the one redaction path)."""
    from flowgate_lint.plumbing.redact import redact

    return redact(text)[0]


def _visible(text: str) -> tuple[str, int]:
    """``text`` with tabs expanded and control/format characters escaped; (shown, width in columns)."""
    out, width = [], 0
    for ch in text:
        if ch == "\t":
            out.append(TAB)
            width += len(TAB)
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            esc = f"\\u{ord(ch):04x}"  # as flowgate_lint.plumbing.redact writes control characters
            out.append(esc)
            width += len(esc)
        elif cat in ("Mn", "Me"):
            out.append(ch)
        else:
            out.append(ch)
            width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return "".join(out), width


def _render_line(line: str, start: int, end: int) -> tuple[str, int, int]:
    """One source line made safe, with the column range [start, end) (characters) mapped to display
    columns: (shown, caret offset, caret width). A credential that spans the cut is still redacted:
    if the pieces rejoined would reveal one, the whole line is redacted and underlined."""
    start, end = max(0, min(start, len(line))), max(0, min(end, len(line)))
    pieces = [_visible(_safe(part)) for part in (line[:start], line[start:end], line[end:])]
    shown = "".join(p[0] for p in pieces)
    if _safe(shown) != shown:
        whole, width = _visible(_safe(line))
        return whole, 0, max(width, 1)
    return shown, pieces[0][1], pieces[1][1]


def _paint(s: str, color: str, on: bool) -> str:
    return f"{color}{s}{_RESET}" if on and s else s


def frame(f, text: str, color: bool = False) -> list[str]:
    """The source frame of a finding: its line(s) with carets under the span."""
    lines = _BREAK.split(text)
    first, last = f.line, f.end_line if f.end_line >= f.line else f.line
    if last > first and f.end_column <= 1:
        last -= 1  # the span ends with a newline: its last line is the one before
    if not 1 <= first <= len(lines):
        return []
    last = min(last, len(lines))
    numbers = list(range(first, last + 1))
    elided = len(numbers) > MAX_SPAN_LINES
    if elided:
        numbers = numbers[:MAX_SPAN_LINES - 1] + [last]
    gutter = len(str(numbers[-1]))
    caret = _RED if f.severity == "error" else _YELLOW
    bar = _paint(f"{'':>{gutter}} |", _BLUE, color)
    out = [bar]
    for i, n in enumerate(numbers):
        if elided and i == len(numbers) - 1:
            out.append(_paint(f"{'':>{gutter}} :", _BLUE, color))
        raw = lines[n - 1]
        start = f.column - 1 if n == first else 0
        end = (f.end_column - 1 if n == last and f.end_line == n else len(raw))
        if n == first and n == last and end <= start:
            end = start + 1  # an empty span still gets one caret
        shown, offset, width = _render_line(raw, start, end)
        out.append(_paint(f"{n:>{gutter}} |", _BLUE, color) + (" " + shown if shown else ""))
        marks = "^" * max(width, 1)
        label = f" {f.code}" if n == numbers[-1] else ""
        out.append(bar + " " + " " * offset + _paint(marks + label, caret, color))
    out.append(bar)
    return out


def _region(text: str, edits) -> tuple[int, int]:
    """The whole lines the edits touch: (start offset, end offset, line breaks included) in ``text``."""
    starts = [0, *(m.end() for m in _BREAK.finditer(text))]
    lo = min(e.start for e in edits)
    hi = max(e.end for e in edits)
    first = bisect_right(starts, lo) - 1
    last = bisect_right(starts, hi) - 1
    if hi > lo and last > first and starts[last] == hi:
        last -= 1  # the edit ends with a line break: its last line is the one before
    return starts[first], starts[last + 1] if last + 1 < len(starts) else len(text)


def fix_diff(f, text: str, color: bool = False) -> list[str]:
    """The lines a fix changes, before (-) and after (+), numbered, at most MAX_DIFF_LINES."""
    import difflib

    from flowgate_lint.lint.fixes import apply_fixes

    edits = [e for e in f.fix.edits if 0 <= e.start <= e.end <= len(text)]
    if not edits or len(edits) != len(f.fix.edits):
        return []
    new_text, applied = apply_fixes(text, [f])
    if not applied or new_text == text:
        return []
    start, end = _region(text, edits)
    new_end = end + len(new_text) - len(text)
    old_lines = _BREAK.split(text[start:end])
    new_lines = _BREAK.split(new_text[start:new_end])
    if old_lines and old_lines[-1] == "" and new_lines and new_lines[-1] == "":
        old_lines, new_lines = old_lines[:-1], new_lines[:-1]
    first = len(_BREAK.findall(text, 0, start)) + 1
    gutter = len(str(first + max(len(old_lines), len(new_lines))))
    rows: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for k in range(i1, i2):
            rows.append(_paint(f"{first + k:>{gutter}} - {_visible(_safe(old_lines[k]))[0]}", _RED, color))
        for k in range(j1, j2):
            rows.append(_paint(f"{first + k:>{gutter}} + {_visible(_safe(new_lines[k]))[0]}", _GREEN, color))
    if len(rows) > MAX_DIFF_LINES:
        rows = rows[:MAX_DIFF_LINES] + [f"{'':>{gutter}}   ... {len(rows) - MAX_DIFF_LINES} more line(s): see --diff"]
    return ["  " + r for r in rows]


def fix_block(f, report: Report) -> list[str]:
    """``= fix: message`` and the replacement as a short diff (the file text comes from the report)."""
    kind = "fix" if f.fix.applicability == "safe" else "unsafe fix (--unsafe-fixes)"
    out = [f"  = {kind}: {_visible(_safe(f.fix.message))[0]}"]
    text = report.text_of(f.path) if report.text_of is not None else None
    if text is not None:
        out.extend(fix_diff(f, text, report.color))
    return out
