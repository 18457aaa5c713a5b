"""User-facing errors: one line, a location, an exit code. Never a traceback."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class FlowgateError(Exception):
    """An error in user input (config, spec, CLI usage, unreadable file).

    ``str(err)`` is the one line shown to the user: ``path:line: message`` (``path:line:col: message``) when a
    location is known, else ``path: message`` or just ``message``.
    """

    exit_code = EXIT_ERROR

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.path and self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}: {self.message}"
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.message}"
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


class SpecError(FlowgateError):
    """The gateway config (spec source) is missing, malformed or inconsistent."""


class SettingsError(FlowgateError):
    """``[tool.flowgate-lint]`` / ``flowgate-lint.toml`` is malformed."""


class UsageError(FlowgateError):
    """Bad command-line usage."""
