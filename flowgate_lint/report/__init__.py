"""Output formats. Each module exposes ``render(report: Report) -> str``.

``render`` hands every format a ``sanitize``d report: credentials redacted in every string a finding
or error carries (messages, paths, fix text), and for formats read by people (all but ``MACHINE``)
every control character made visible, so a file name or value cannot add lines, colours or
terminal commands. A new format gets this by being rendered through ``render``.
"""

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


MACHINE = frozenset({"json", "sarif"})  # JSON escapes control characters itself; values stay exact


def sanitize(report: Report, human: bool = True) -> Report:
    """``report`` with every string redacted (and, for people, control characters escaped).

    The findings' paths are cleaned too; ``text_of`` still finds a file by its cleaned path."""
    from flowgate_lint.plumbing import redact

    def plain(s):
        return redact.redact(s)[0] if isinstance(s, str) else s

    field = redact.clean if human else plain  # one-line strings
    block = redact.clean_block if human else plain  # replacement text: may span lines
    raw_path: dict[str, str] = {}

    def path(p: str) -> str:
        shown = field(p)
        raw_path.setdefault(shown, p)
        return shown

    def fix(f):
        if f is None:
            return None
        return f._replace(message=field(f.message), edits=tuple(e._replace(content=block(e.content)) for e in f.edits))

    def finding(f):
        return f._replace(path=path(f.path), message=field(f.message), fix=fix(f.fix))

    text_of = report.text_of
    return report._replace(findings=[finding(f) for f in report.findings],
                           errors=[e._replace(path=path(e.path), message=field(e.message)) for e in report.errors],
                           resolved=[finding(f) for f in report.resolved], fix_hint=field(report.fix_hint),
                           text_of=None if text_of is None else (lambda p: text_of(raw_path.get(p, p))))


def render(fmt: str, report: Report) -> str:
    module = import_module(f"flowgate_lint.report.{FORMATS[fmt]}")
    return module.render(sanitize(report, fmt not in MACHINE))


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
