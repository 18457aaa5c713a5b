"""The end of a ``--fix`` run: its report and exit code, as ruff gives them.

``--fix``: the findings left are reported; exit 1 when any remain (``--exit-non-zero-on-fix``: also when
anything was fixed). ``--fix-only``: only what was fixed is reported (``Fixed 3 findings.``; the human
formats say nothing of the findings left, the machine formats list none); exit 0 (``--exit-non-zero-on-fix``:
1 when anything was fixed). ``--exit-zero`` makes every such 1 a 0. A file that could not be checked or
fixed is always 2."""

from __future__ import annotations

import argparse
import sys

from flowgate_lint.plumbing.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK


def fixed_exit(args: argparse.Namespace, report, shown, emit, output_format, stream=None) -> int:
    """Emit ``shown`` (``report`` made ready for the human formats) with the lint command's ``emit`` and give
    the run's exit code."""
    if args.fix_only:
        emit_fixed_only(args, shown._replace(findings=[]), emit, output_format, stream)
    else:
        emit(args, shown, stream)
    if report.errors:
        return EXIT_ERROR
    if report.findings and not args.fix_only and not args.exit_zero:
        return EXIT_FINDINGS
    if args.exit_non_zero_on_fix and report.fixed and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def emit_fixed_only(args: argparse.Namespace, report, emit, output_format, stream=None) -> None:
    """``--fix-only``'s report: the machine formats as usual with no findings; the human ones print the
    ``--show-fixes`` list when asked and one line, ``Fixed N findings.`` (nothing when nothing was fixed)."""
    out = sys.stdout if stream is None else stream
    fmt = output_format(args) if out is sys.stdout or args.output_format else "concise"
    if fmt not in ("full", "concise", "text") or args.statistics:
        emit(args, report, stream)
        return
    emit(argparse.Namespace(**{**vars(args), "quiet": True}), report, stream)
    if report.fixed and not args.quiet:
        out.write(f"Fixed {report.fixed} finding{'s' if report.fixed != 1 else ''}.\n")
        out.flush()
