"""``full``: each finding with the offending source line(s), a caret underline under its span, and, when it
has a fix, the fix message and the replacement as a short diff; then the summary.

Everything shown from a file goes through the shared redaction (``flowgate_lint.plumbing.redact``): credentials
become ``<redacted>`` and control characters (terminal escapes, bidirectional overrides) are written
as a visible ``\\uXXXX``, never sent to the terminal; the carets follow the escaped text."""

from __future__ import annotations

from flowgate_lint.report import text as text_report
from flowgate_lint.report import Report
from flowgate_lint.report.fixview import fix_block, frame


def render(report: Report) -> str:
    out: list[str] = []
    for f in report.findings:
        text = report.text_of(f.path) if report.text_of is not None else None
        out.append(text_report.line(f, report.color, report.shown(f.path)))
        if text is not None:
            out.extend(frame(f, text, report.color))
        if f.fix is not None:
            out.extend(fix_block(f, report))
        out.append("")
    out.extend(text_report.fixes_summary(report))
    out.extend(text_report.closing(report))
    return "".join(row + "\n" for row in out)
