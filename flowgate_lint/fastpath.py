"""Start-up fast path: decide from raw bytes that a run over explicit files cannot find anything.

pre-commit passes the changed files; most of them never mention the gateway. Before argparse,
settings, the spec or any parser is imported, the bytes of each file are matched against a
static prefilter: the union of every rule's triggers (``_triggers.py``, generated from the
rules), anything URL- or host:port-shaped (the spec's host may be any name), and the markers
of a gateway config or settings file (which widen the run). No match in any file means no
finding is possible, whatever the settings and spec say: print the clean summary and exit 0.
"""

from __future__ import annotations

import os
import sys

# Flags that do not change what a clean run prints (beyond quiet) or its exit code.
_NEUTRAL = {"--force-exclude", "--no-cache", "--fix", "--unsafe-fixes", "--exit-zero", "--check", "--diff",
            "--exit-non-zero-on-fix", "-q", "--quiet", "--show-fixes"}
_HUMAN_FORMATS = {"full", "concise", "text"}  # a clean run prints the same summary in each
GENERIC = (
    r"://",  # any URL: its host may be the spec's
    r":\d\d",  # host:port (a superset: expands into 100 literal needles, no regex at start-up)
    r"flowgate-lint",  # directives, markers, settings tables
    r"model_list|integration|config_version|litellm_base|services",  # a gateway config (widens the run)
)


SCAN_MAX_FILES = 8  # up to this many files, substring scans beat importing and building the automaton


def _pattern(n_files: int = SCAN_MAX_FILES + 1):
    from flowgate_lint.plumbing._triggers import TRIGGERS
    from flowgate_lint.plumbing.prefilter import compile_prefilter

    return compile_prefilter((*TRIGGERS, *GENERIC), scan=n_files <= SCAN_MAX_FILES)


def try_fast_exit(argv: list[str]) -> int | None:
    """Exit code when the run can be answered from bytes alone, else None (take the full path)."""
    if not argv or os.environ.get("FLOWGATE_LINT_NO_FASTPATH") \
            or os.environ.get("FLOWGATE_LINT_OUTPUT_FORMAT", "full") not in _HUMAN_FORMATS:
        return None
    files = []
    args = iter(argv)
    for arg in args:
        if arg in _NEUTRAL:
            continue
        if arg == "--output-format":
            arg = "--output-format=" + next(args, "")
        if arg.startswith("--output-format="):
            if arg.partition("=")[2] not in _HUMAN_FORMATS:
                return None
            continue
        if arg.startswith("-") or not os.path.isfile(arg) or os.path.realpath(arg) != os.path.abspath(arg):
            return None  # a symlink anywhere on the path: discovery decides whether to follow it
        files.append(arg)
    if not files:
        return None
    pattern = _pattern(len(files))
    for path in files:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            return None  # let the full path report it
        if pattern(data) or data[:2] in (b"\xff\xfe", b"\xfe\xff") or data.startswith(b"\0\0\xfe\xff") \
                or data.find(b"\0", 0, 8192) >= 0:
            return None  # UTF-16/32 text (its ASCII is not ASCII bytes) or NUL bytes: decoded or reported
    if "-q" not in argv and "--quiet" not in argv:
        sys.stdout.write("No findings.\n")
    return 0
