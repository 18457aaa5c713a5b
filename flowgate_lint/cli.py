"""Command-line entry point: ``flowgate-lint [PATHS]`` lints; ``flowgate-lint COMMAND ...`` runs a subcommand.

A first argument that names a subcommand selects it; anything else is the lint
command (so ``flowgate-lint --fix`` works without a subcommand). To lint a file
literally called ``print``, write ``./print``.
"""

from __future__ import annotations

import os
import sys
TYPE_CHECKING = False  # typing costs ~7 ms of start-up; type checkers special-case this name

from flowgate_lint import __version__
from flowgate_lint.plumbing.errors import EXIT_ERROR, FlowgateError

if TYPE_CHECKING:  # argparse and pathlib are imported lazily: the fast path needs neither
    import argparse
    from typing import Sequence

# subcommand -> module under flowgate_lint.commands
COMMANDS: dict[str, str] = {
    "print": "print_cmd",
    "apply": "apply_cmd",
    "restore": "restore_cmd",
    "doctor": "doctor_cmd",
    "probe": "probe_cmd",
    "verify": "verify_cmd",
    "rule": "rule_cmd",
    "server": "server_cmd",
}
LINT_MODULE = "lint"

PROG = "flowgate-lint"


def _parser_for(name: str, module) -> argparse.ArgumentParser:
    from flowgate_lint.commands.usage import parser_class  # no abbreviations; one-line errors that suggest

    prog = PROG if name == LINT_MODULE else f"{PROG} {name}"
    parser = parser_class()(prog=prog, description=module.HELP, formatter_class=_formatter_class(),
                    epilog=getattr(module, "EPILOG", None))
    if name == LINT_MODULE:
        parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    module.add_arguments(parser)
    return parser


def _formatter_class():
    """argparse's raw-description formatter, sized without importing shutil (argparse builds one per argument)."""
    import argparse

    class Formatter(argparse.RawDescriptionHelpFormatter):
        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                     width: int | None = None) -> None:
            if width is None:
                width = _columns() - 2
            super().__init__(prog, indent_increment, max_help_position, width)

    return Formatter


def _columns() -> int:
    """Terminal width as ``shutil.get_terminal_size`` reports it: $COLUMNS, else the terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _top_epilog() -> str:
    from importlib import import_module

    lines = ["commands:"]
    for name, mod in COMMANDS.items():
        try:
            help_text = import_module(f"flowgate_lint.commands.{mod}").HELP.splitlines()[0]
        except Exception:  # pragma: no cover - a broken command module must not break --help
            help_text = ""
        lines.append(f"  {name:<10} {help_text}")
    lines.append(f"\nrun '{PROG} COMMAND --help' for a command's options.")
    return "\n".join(lines)


def missing_dependency(exc: ModuleNotFoundError) -> str | None:
    """The one-line message for a runtime dependency that is not installed (None: not one of ours)."""
    from flowgate_lint import DEPENDENCIES
    from flowgate_lint import needed_dependencies

    top = (exc.name or "").partition(".")[0]
    if top not in {module for _, module in DEPENDENCIES}:
        return None
    names = ", ".join(needed_dependencies())
    checkout = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    source = checkout if os.path.isfile(os.path.join(checkout, "pyproject.toml")) else PROG
    return (f"{PROG}: its dependencies are not installed for {sys.executable} (no module named '{exc.name}'); "
            f"it needs {names}. Install it with them in a virtual environment: python3 -m venv .venv && "
            f".venv/bin/python -m pip install {source} (then run .venv/bin/{PROG})")


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(args_list, program=argv is None)
    except ModuleNotFoundError as exc:
        message = missing_dependency(exc)
        if message is None:
            return _internal_error(exc)
        print(message, file=sys.stderr)
        return EXIT_ERROR


def _internal_error(exc: BaseException) -> int:
    if os.environ.get("FLOWGATE_LINT_DEBUG"):
        raise exc
    detail = str(exc).splitlines()[0] if str(exc) else ""
    print(f"{PROG}: internal error: {type(exc).__name__}{': ' + detail if detail else ''} "
          f"(set FLOWGATE_LINT_DEBUG=1 for details)", file=sys.stderr)
    return EXIT_ERROR


GC_THRESHOLD = 20_000  # allocations between young collections in a program run (CPython's default: 700)


def _main(args_list: list[str], program: bool = False) -> int:
    if not args_list or args_list[0] not in COMMANDS:
        from flowgate_lint.fastpath import try_fast_exit

        fast = try_fast_exit(args_list)
        if fast is not None:
            return fast
    if program:  # a short-lived process whose imports and parses make few cycles: collect less often
        import gc

        gc.set_threshold(GC_THRESHOLD)
    from flowgate_lint.plumbing.redact import SafeStream

    # Every line any command prints goes through the one redaction and escaping path.
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
    try:
        return _run(args_list)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdout, sys.stderr = saved


def _run(args_list: list[str]) -> int:
    from importlib import import_module  # (importlib imports warnings: not on the fast path)

    try:
        if args_list and args_list[0] in COMMANDS:
            name = args_list.pop(0)
            module = import_module(f"flowgate_lint.commands.{COMMANDS[name]}")
        else:
            if args_list:  # `prnt codex` is a mistyped subcommand, not two missing paths
                from flowgate_lint.commands.usage import unknown_subcommand

                unknown_subcommand(args_list[0], COMMANDS)
            name = LINT_MODULE
            module = import_module(f"flowgate_lint.commands.{LINT_MODULE}")
        args = module.fast_namespace(args_list) if name == LINT_MODULE else None
        if args is None:
            parser = _parser_for(name, module)
            if name == LINT_MODULE and ("-h" in args_list or "--help" in args_list):  # imports every command module
                parser.epilog = ((parser.epilog + "\n\n") if parser.epilog else "") + _top_epilog()
            args = parser.parse_args(args_list)
        return int(module.run(args))
    except FlowgateError as exc:
        print(f"{PROG}: {exc}" if not exc.path else str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output consumer went away (e.g. `| head`); silence the interpreter's flush error.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_ERROR
    except ModuleNotFoundError:
        raise  # main() names a missing dependency
    except Exception as exc:  # never a traceback for users; FLOWGATE_LINT_DEBUG=1 shows it
        return _internal_error(exc)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
