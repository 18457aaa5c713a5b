"""Output formats. Each module exposes ``render(report: Report) -> str``."""

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


def render(fmt: str, report: Report) -> str:
    module = import_module(f"flowgate_lint.report.{FORMATS[fmt]}")
    return module.render(report)

