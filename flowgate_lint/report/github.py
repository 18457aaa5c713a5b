"""``github``: workflow-command annotations, then the plain text (GitHub shows at most 10 annotations per step)."""

from __future__ import annotations

from flowgate_lint.plumbing.redact import neutralise
from flowgate_lint.report import Report
from flowgate_lint.report import text as text_report

ANNOTATION_LIMIT = 10  # per type and step, as GitHub enforces it


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(f) -> str:
    level = "error" if f.severity == "error" else "warning"
    props = (f"file={_escape_prop(f.path)},line={f.line},col={f.column},endLine={f.end_line},"
             f"endColumn={f.end_column},title={_escape_prop(f.code + ' ' + f.name)}")
    return f"::{level} {props}::{_escape_data(f.code + ' ' + f.message)}"


def render(report: Report) -> str:
    out = [annotation(f) for f in report.findings]
    for e in report.errors:
        props = f"file={_escape_prop(e.path)}" + (f",line={e.line}" if e.line else "")
        out.append(f"::error {props},title=flowgate-lint::{_escape_data(e.message)}")
    errors = sum(1 for f in report.findings if f.severity == "error")
    warnings = len(report.findings) - errors
    over = max(0, errors - ANNOTATION_LIMIT) + max(0, warnings - ANNOTATION_LIMIT)
    if over:
        n = len(report.findings)
        out.append(f"::notice title=flowgate-lint::GitHub shows only the first {ANNOTATION_LIMIT} error and "
                   f"{ANNOTATION_LIMIT} warning annotations per step, so {over} of the {n} findings have no "
                   f"annotation; all {n} findings are in the log below")
    # The plain text after the annotations: no line of it may be read as a workflow command.
    out.append(neutralise(text_report.render(report._replace(color=False)).rstrip("\n")))
    return "\n".join(out) + "\n"
