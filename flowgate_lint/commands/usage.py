"""Command-line usage errors as ruff gives them: one line naming what was not understood, the closest
subcommand, option or choice ("did you mean"), and a hint to ``--help``; never a screen of usage, and no
option abbreviations (``--statistic`` is not ``--statistics``)."""

from __future__ import annotations

import os
import sys
from typing import Iterable, NoReturn

from flowgate_lint.plumbing.errors import EXIT_ERROR

PROG = "flowgate-lint"


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def _fail(prog: str, message: str) -> NoReturn:
    sys.stderr.write(f"{prog}: error: {message}\nFor more information, try '{prog} --help'.\n")
    sys.stderr.flush()
    raise SystemExit(EXIT_ERROR)


def unknown_subcommand(first: str, commands: Iterable[str]) -> None:
    """Stop with a usage error when ``first`` (a first argument that is no subcommand) is not an existing path
    and is spelt like a subcommand (``prnt`` for ``print``); otherwise it is a path to lint: return."""
    if not first or first.startswith("-") or "/" in first or os.sep in first or os.path.lexists(first):
        return
    match = closest(first, commands, cutoff=0.75)
    if match is not None:
        _fail(PROG, f"unrecognized subcommand '{first}'; did you mean '{match}'?")


def parser_class():
    """argparse's ArgumentParser without abbreviations, whose errors are one line with a suggestion and a hint
    to --help (a function: argparse is imported only when a command line needs the parser)."""
    import argparse
    import re

    class Parser(argparse.ArgumentParser):
        """argparse without abbreviations, whose errors are one line with a suggestion and a hint to --help."""

        def __init__(self, *args, **kwargs) -> None:
            kwargs["allow_abbrev"] = False
            super().__init__(*args, **kwargs)

        def parse_args(self, args=None, namespace=None):  # type: ignore[override]
            parsed, extras = self.parse_known_args(args, namespace)
            if extras:
                self.unrecognized(extras[0])
            return parsed

        def unrecognized(self, arg: str) -> NoReturn:
            message = f"unrecognized argument '{arg}'"
            if arg.startswith("-"):
                name = arg.partition("=")[0]
                options = [o for o in self._option_string_actions if o.startswith("--") or len(name) == 2]
                match = closest(name, options)
                if match is not None:
                    message += f"; did you mean '{match}'?"
            _fail(self.prog, message)

        def error(self, message: str) -> NoReturn:
            m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
            if m:
                choices = re.findall(r"'([^']*)'", m.group(2)) or [c.strip() for c in m.group(2).split(",")]
                match = closest(m.group(1), choices)
                if match is not None:
                    message += f"; did you mean '{match}'?"
            _fail(self.prog, message)

    return Parser
