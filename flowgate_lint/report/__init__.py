"""Output formats. Each module exposes ``render(report: Report) -> str``."""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable, NamedTuple

FORMATS = {
    "full": "full",  # each finding with its source line, a caret underline and the fix as a diff
    "concise": "text",  # one line per finding
    "text": "text",  # the former name of concise, kept for existing scripts
    "json": "json_format",
    "github": "github",
    "sarif": "sarif",
}
HUMAN = frozenset({"full", "concise", "text"})  # formats for people: paths relative to the current directory


class Report(NamedTuple):
    findings: list  # list[Finding], sorted
    errors: list  # list[FileError]
    files: int
    spec: Any  # Spec or None
    color: bool = False
    fix_hint: str = ""  # extra line for text output (e.g. how to apply fixes)
    fixed: int = 0  # findings resolved by --fix
    # Human formats show paths through ``display`` (repository-relative -> relative to the current
    # directory); machine formats (json, sarif, github annotations) keep the repository-relative path.
    display: Callable[[str], str] | None = None
    text_of: Callable[[str], str | None] | None = None  # repository-relative path -> decoded text (full format)
    resolved: list = []  # the findings --fix resolved (for --show-fixes)
    show_fixes: str = ""  # --show-fixes: "summary" (after --fix: what was fixed) or "diff" (each fix under its finding)
    quiet: bool = False  # human formats: the findings only, no summary

    def shown(self, path: str) -> str:
        return self.display(path) if self.display is not None else path


def render(fmt: str, report: Report) -> str:
    module = import_module(f"flowgate_lint.report.{FORMATS[fmt]}")
    return module.render(report)


def cwd_relative(root: str) -> Callable[[str], str]:
    """repository-relative path -> the same file relative to the current directory (``/`` separators), as
    ruff and flake8 print them; ``../`` when the file is outside it."""
    import os

    cwd = os.getcwd()
    if os.path.realpath(root) == os.path.realpath(cwd):
        return lambda rel: rel
    memo: dict[str, str] = {}

    def shown(rel: str) -> str:
        if rel not in memo:
            memo[rel] = os.path.relpath(os.path.join(root, rel), cwd).replace(os.sep, "/")
        return memo[rel]

    return shown
