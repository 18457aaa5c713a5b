"""Output formats. Each module exposes ``render(report: Report) -> str``.

``render`` hands every format a ``sanitize``d report: credentials redacted in every string a finding
or error carries (messages, paths, fix text), and for formats read by people (all but ``MACHINE``)
every control character made visible, so a file name or value cannot add lines, colours or
terminal commands. A new format gets this by being rendered through ``render``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, NamedTuple

FORMATS = {
    "text": "text",
    "concise": "text",
    "json": "json_format",
    "github": "github",
    "sarif": "sarif",
}


class Report(NamedTuple):
    findings: list  # list[Finding], sorted
    errors: list  # list[FileError]
    files: int
    spec: Any  # Spec or None
    color: bool = False
    fix_hint: str = ""  # extra line for text output (e.g. how to apply fixes)
    fixed: int = 0


MACHINE = frozenset({"json", "sarif"})  # JSON escapes control characters itself; values stay exact


def sanitize(report: Report, human: bool = True) -> Report:
    """``report`` with every string redacted (and, for people, control characters escaped)."""
    from flowgate_lint import redact

    def plain(s):
        return redact.redact(s)[0] if isinstance(s, str) else s

    field = redact.clean if human else plain  # one-line strings
    block = redact.clean_block if human else plain  # replacement text: may span lines

    def fix(f):
        if f is None:
            return None
        return f._replace(message=field(f.message), edits=tuple(e._replace(content=block(e.content)) for e in f.edits))

    findings = [f._replace(path=field(f.path), message=field(f.message), fix=fix(f.fix)) for f in report.findings]
    errors = [e._replace(path=field(e.path), message=field(e.message)) for e in report.errors]
    return report._replace(findings=findings, errors=errors, fix_hint=field(report.fix_hint))


def render(fmt: str, report: Report) -> str:
    module = import_module(f"flowgate_lint.report.{FORMATS[fmt]}")
    return module.render(sanitize(report, fmt not in MACHINE))

