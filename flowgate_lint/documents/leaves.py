"""Leaf values (a scalar of a structured file with its exact span) and the errors of parsing one."""

from typing import Any, NamedTuple


class ParseError(Exception):
    """A structured source that its parser rejects."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class SourceTooLarge(Exception):
    """A source too large for its parser to check in bounded time (the file is skipped with this message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Leaf(NamedTuple):
    """A scalar in a structured source, with the span of its token (quotes included) in ``Source.text``."""

    path: tuple  # keys (str) and list indexes (int)
    value: Any
    start: int
    end: int
    key_start: int = -1
    key_end: int = -1

    @property
    def key(self) -> Any:
        return self.path[-1] if self.path else None


def _catch(fn: Any) -> Any:
    try:
        return fn()
    except ParseError as exc:
        return exc
    except RecursionError:
        return ParseError("nesting too deep to parse", 0)


def _reraise(value: Any) -> Any:
    if isinstance(value, ParseError):
        raise value
    return value
