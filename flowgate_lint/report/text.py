"""``concise`` (alias ``text``): one ``path:line:col: CODE message`` line per finding, then a summary."""

from __future__ import annotations

from flowgate_lint.report import Report

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_YELLOW = "\x1b[33m"
_CYAN = "\x1b[36m"


def fix_marker(f) -> str:
    return " [*]" if f.fix is not None and f.fix.applicability == "safe" else (" [unsafe fix]" if f.fix is not None else "")


def line(f, color: bool = False, path: str | None = None) -> str:
    """One finding on one line; ``path`` is the path to show (default: the finding's own)."""
    path = f.path if path is None else path
    fix = fix_marker(f)
    if not color:
        return f"{path}:{f.line}:{f.column}: {f.code} {f.message}{fix}"
    code_color = _RED if f.severity == "error" else _YELLOW
    fix = f"{_CYAN}{fix}{_RESET}" if fix else ""  # no empty colour pair after a finding without a fix
    return f"{_BOLD}{path}{_RESET}:{f.line}:{f.column}: {code_color}{_BOLD}{f.code}{_RESET} {f.message}{fix}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def summary(report: Report) -> str:
    n = len(report.findings)
    files = len({f.path for f in report.findings})
    parts = []
    if report.fixed:
        parts.append(f"Fixed {_plural(report.fixed, 'finding')}.")
    if n == 0:
        parts.append("No findings." if not report.fixed else "No findings remain.")
    else:
        safe = sum(1 for f in report.findings if f.fix is not None and f.fix.applicability == "safe")
        unsafe = sum(1 for f in report.findings if f.fix is not None and f.fix.applicability != "safe")
        if report.fixed:
            parts.append(f"{_plural(n, 'finding')} remain{'s' if n == 1 else ''} in {_plural(files, 'file')}.")
        else:
            parts.append(f"Found {_plural(n, 'finding')} in {_plural(files, 'file')}.")
        if safe:
            parts.append(f"{safe} fixable with `flowgate-lint --fix`.")
        if unsafe:
            parts.append(f"{unsafe} more with `--fix --unsafe-fixes`.")
    if report.errors:
        parts.append(f"{_plural(len(report.errors), 'file')} could not be checked.")
    return " ".join(parts)


def fixes_summary(report: Report) -> list[str]:
    """``--show-fixes`` after ``--fix``: the resolved findings, per file and code (as ruff lists them)."""
    if report.show_fixes != "summary" or not report.resolved:
        return []
    from flowgate_lint.rules import get_rule

    out = [f"Fixed {_plural(len(report.resolved), 'finding')}:"]
    by_file: dict[str, dict[str, int]] = {}
    for f in report.resolved:
        codes = by_file.setdefault(f.path, {})
        codes[f.code] = codes.get(f.code, 0) + 1
    for path in sorted(by_file, key=report.shown):
        out.append(f"- {report.shown(path)}:")
        for code, count in sorted(by_file[path].items()):
            rule = get_rule(code)
            out.append(f"    {count} \u00d7 {code} ({rule.name if rule is not None else code})")
    return out + [""]


def render(report: Report) -> str:
    out = []
    for f in report.findings:
        out.append(line(f, report.color, report.shown(f.path)))
        if report.show_fixes == "diff" and f.fix is not None:
            from flowgate_lint.report.fixview import fix_block

            out.extend(fix_block(f, report))
    out.extend(fixes_summary(report))
    out.extend(closing(report))
    return "".join(row + "\n" for row in out)


def closing(report: Report) -> list[str]:
    """The summary and the --check hint, unless quiet."""
    if report.quiet:
        return []
    return [summary(report)] + ([report.fix_hint] if report.fix_hint else [])
