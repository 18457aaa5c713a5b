"""Findings and fixes: immutable value objects shared by rules, reporters and the fixer."""

from typing import NamedTuple

SAFE = "safe"
UNSAFE = "unsafe"


class Edit(NamedTuple):
    """Replace ``host_text[start:end]`` with ``content`` (character offsets into the decoded file, BOM excluded)."""

    start: int
    end: int
    content: str
    # 1-based positions of start/end in the host (filled by ``Source.edit``; 0 = unknown)
    row: int = 0
    column: int = 0
    end_row: int = 0
    end_column: int = 0


class Fix(NamedTuple):
    edits: tuple[Edit, ...]
    applicability: str  # SAFE or UNSAFE
    message: str


class Finding(NamedTuple):
    code: str
    name: str
    path: str  # repository-relative, "/" separators
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int
    end_column: int  # 1-based, exclusive
    message: str
    severity: str = "error"  # or "warning"
    fix: Fix | None = None
    # Engine bookkeeping, not part of the JSON contract:
    start: int = 0  # character offset of the finding in the host text
    end: int = 0
    fingerprint: str = ""  # stable id of the offending text (for baselines and SARIF)

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.message)


class FileError(NamedTuple):
    """A file that could not be linted (unreadable, not UTF-8, binary...)."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"
