"""``text``: one ``path:line:col: CODE message`` line per finding, then a summary."""

from __future__ import annotations

from flowgate_lint.report import Report

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_YELLOW = "\x1b[33m"
_CYAN = "\x1b[36m"


def line(f, color: bool = False) -> str:
    fix = " [*]" if f.fix is not None and f.fix.applicability == "safe" else (" [unsafe fix]" if f.fix is not None else "")
    if not color:
        return f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}{fix}"
    code_color = _RED if f.severity == "error" else _YELLOW
    return f"{_BOLD}{f.path}{_RESET}:{f.line}:{f.column}: {code_color}{_BOLD}{f.code}{_RESET} {f.message}{_CYAN}{fix}{_RESET}"


def summary(report: Report) -> str:
    n = len(report.findings)
    parts = []
    if report.fixed:
        parts.append(f"Fixed {report.fixed} finding{'s' if report.fixed != 1 else ''}.")
    if n == 0:
        parts.append("No findings." if not report.fixed else "No findings remain.")
    else:
        safe = sum(1 for f in report.findings if f.fix is not None and f.fix.applicability == "safe")
        unsafe = sum(1 for f in report.findings if f.fix is not None and f.fix.applicability != "safe")
        parts.append(f"Found {n} finding{'s' if n != 1 else ''} in {len({f.path for f in report.findings})} "
                     f"file{'s' if len({f.path for f in report.findings}) != 1 else ''}.")
        if safe:
            parts.append(f"{safe} fixable with `flowgate-lint --fix`.")
        if unsafe:
            parts.append(f"{unsafe} more with `--fix --unsafe-fixes`.")
    if report.errors:
        parts.append(f"{len(report.errors)} file{'s' if len(report.errors) != 1 else ''} could not be checked.")
    return " ".join(parts)


def render(report: Report) -> str:
    out = [line(f, report.color) for f in report.findings]
    out.append(summary(report))
    if report.fix_hint:
        out.append(report.fix_hint)
    return "\n".join(out) + "\n"
