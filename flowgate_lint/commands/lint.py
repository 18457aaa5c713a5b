"""``flowgate-lint [PATHS]``: check docs, smoke scripts and client configs against the spec."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from flowgate_lint.plumbing.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, FlowgateError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:  # argparse is imported only when the command line needs the parser (see fast_namespace)
    import argparse

HELP = "check Markdown docs, smoke scripts and example client configs against the gateway spec"
EPILOG = """exit codes: 0 no findings, 1 findings, 2 usage/config/spec error or an unreadable file.
Settings come from [tool.flowgate-lint] in pyproject.toml or flowgate-lint.toml (closest above the
first path); the spec from --spec, the 'spec' setting, or a well-known path (see --verbose)."""


def _codes(value: str) -> list[str]:
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flowgate_lint.commands.specargs import add_spec_arguments
    from flowgate_lint.report import FORMATS

    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to check (default: .); "
                        "'-' reads standard input (with --stdin-filename)")
    parser.add_argument("--stdin-filename", metavar="PATH", help="lint standard input as if it were the file PATH "
                        "(its name decides the kind, settings and per-file ignores); with --fix the fixed text goes "
                        "to stdout and the report to stderr")
    sel = parser.add_argument_group("rule selection")
    sel.add_argument("--select", type=_codes, metavar="CODES", help="comma-separated codes or prefixes to enable (FG1, FG203, ALL)")
    sel.add_argument("--extend-select", type=_codes, default=[], metavar="CODES", help="codes added to the selection")
    sel.add_argument("--preview", action="store_true", default=None,
                     help="also run the preview rules (first-contact precision below 0.95; see 'flowgate-lint rule --all')")
    sel.add_argument("--no-preview", dest="preview", action="store_false", help="run the stable rules only (overrides the setting)")
    sel.add_argument("--ignore", type=_codes, default=[], metavar="CODES", help="codes or prefixes to disable")
    sel.add_argument("--per-file-ignores", action="append", default=[], metavar="GLOB:CODES",
                     help="ignore CODES in files matching GLOB (repeatable)")
    files = parser.add_argument_group("file selection")
    files.add_argument("--exclude", action="append", metavar="GLOB", help="globs never checked (replaces the defaults and settings)")
    files.add_argument("--extend-exclude", action="append", default=[], metavar="GLOB", help="globs added to exclude")
    files.add_argument("--force-exclude", action="store_true", help="apply excludes to files passed explicitly (pre-commit)")
    out = parser.add_argument_group("output")
    out.add_argument("--output-format", choices=sorted(FORMATS), default=None,
                     help="full: each finding with its source line, a caret underline and the fix as a diff; concise: "
                     "one line per finding (text is its former name); json, github, sarif. Default: "
                     "$FLOWGATE_LINT_OUTPUT_FORMAT, else full on a terminal and concise otherwise")
    out.add_argument("--output-file", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                     help="colour full and concise output (auto: on a TTY, unless NO_COLOR is set)")
    out.add_argument("-q", "--quiet", action="store_true", help="full/concise output: print findings only, no summary")
    out.add_argument("--statistics", action="store_true", help="print the number of findings per code instead of "
                     "the findings ([*] fixable, [-] partly, [ ] not)")
    out.add_argument("--show-fixes", action="store_true", help="with --fix: list the findings fixed, per file and "
                     "code; without: show each fix as a diff under its finding")
    out.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings (also with --fix, "
                     "--diff, --check and --exit-non-zero-on-fix; 2 still means an error)")
    out.add_argument("--show-settings", action="store_true", help="print the settings and spec used for the first "
                     "path, each value with where it came from, and exit")
    fix = parser.add_argument_group("fixing")
    fix.add_argument("--fix", action="store_true", help="apply safe fixes (regenerate values and managed snippets from the spec)")
    fix.add_argument("--fix-only", action="store_true", help="like --fix, but report only what was fixed, not the "
                     "findings left; exit 0 unless a file could not be checked (or --exit-non-zero-on-fix)")
    fix.add_argument("--unsafe-fixes", action="store_true", help="with --fix/--diff/--check: also apply fixes that need a human look")
    fix.add_argument("--diff", action="store_true", help="print a unified diff of what --fix would change; write nothing "
                     "(exit 1 when the diff is not empty)")
    fix.add_argument("--check", action="store_true", help="lint, and exit 1 when any fixable drift exists (for CI)")
    fix.add_argument("--fixable", type=_codes, metavar="CODES", help="codes whose fixes may be applied (default: ALL)")
    fix.add_argument("--unfixable", type=_codes, default=[], metavar="CODES", help="codes whose fixes are never applied")
    fix.add_argument("--exit-non-zero-on-fix", action="store_true", help="with --fix: exit 1 when anything was fixed")
    base = parser.add_argument_group("adoption")
    base.add_argument("--write-baseline", metavar="FILE", help="record today's findings in FILE (and exit 0)")
    base.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE; list stale entries")
    add_spec_arguments(parser, lint=True)


# What the parser gives with no arguments (tests/test_fastpath.py checks it against the parser).
DEFAULTS = {
    "paths": [], "stdin_filename": None, "select": None, "extend_select": [], "preview": None, "ignore": [], "per_file_ignores": [],
    "exclude": None, "extend_exclude": [], "force_exclude": False, "output_format": None, "output_file": None,
    "color": "auto", "quiet": False, "statistics": False, "show_fixes": False, "exit_zero": False, "fix": False,
    "fix_only": False, "show_settings": False,
    "unsafe_fixes": False, "diff": False, "check": False, "fixable": None, "unfixable": [],
    "exit_non_zero_on_fix": False, "write_baseline": None, "baseline": None, "spec": None, "config": None,
    "isolated": False, "no_cache": False, "verbose": False,
}
# The flags of the usual pre-commit and editor runs, and their destinations.
_FAST_FLAGS = {"--force-exclude": "force_exclude", "--no-cache": "no_cache", "--fix": "fix", "-q": "quiet",
               "--quiet": "quiet", "--exit-zero": "exit_zero", "--unsafe-fixes": "unsafe_fixes",
               "--show-fixes": "show_fixes", "--diff": "diff", "--check": "check", "-v": "verbose",
               "--verbose": "verbose", "--isolated": "isolated", "--statistics": "statistics"}


def fast_namespace(argv: list[str]):
    """The namespace the parser would give for ``argv`` when it is flags of ``_FAST_FLAGS`` (or
    ``--output-format FORMAT``) followed by paths; None for anything else, which the parser handles
    (building it costs ~4 ms of a pre-commit run)."""
    from types import SimpleNamespace

    from flowgate_lint.report import FORMATS

    values = {k: list(v) if isinstance(v, list) else v for k, v in DEFAULTS.items()}
    args = iter(argv)
    for arg in args:
        if values["paths"] and arg.startswith("-"):
            return None  # an option after a path: the parser decides
        if arg in _FAST_FLAGS:
            values[_FAST_FLAGS[arg]] = True
        elif arg == "--output-format" or arg.startswith("--output-format="):
            value = arg.partition("=")[2] if "=" in arg else next(args, None)
            if value not in FORMATS:
                return None
            values["output_format"] = value
        elif arg.startswith("-"):
            return None
        else:
            values["paths"].append(arg)
    return SimpleNamespace(**values)


def _use_color(choice: str, stream) -> bool:
    if choice == "always" or os.environ.get("FORCE_COLOR"):
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def build_context(args: argparse.Namespace):
    """Settings, spec, root and the engine context for a lint/fix run."""
    from flowgate_lint.commands.specargs import load_spec_for
    from flowgate_lint.lint.discover import find_root
    from flowgate_lint.lint.engine import Context
    from flowgate_lint.rules import check_selectors, select_codes

    paths = args.paths or ["."]
    first = Path(paths[0])
    cwd = Path.cwd()
    root = find_root(cwd)
    try:  # lexically: a symlinked directory on the path must not move the root (and the writes) out
        Path(os.path.abspath(first)).relative_to(root)
    except ValueError:
        root = find_root(first if first.is_dir() else first.parent)
    settings, spec = load_spec_for(args, first if first.exists() else cwd)

    where_cli = "command line"
    where_settings = settings.display_path() or "settings"
    for key, where in (("select", where_settings), ("extend-select", where_settings), ("ignore", where_settings)):
        check_selectors(settings.get(key, []) or [], where)
    for values in (args.select or [], args.extend_select, args.ignore):
        check_selectors(values, where_cli)
    from flowgate_lint.commands.specargs import preview_enabled

    preview = preview_enabled(args, settings)
    selected = select_codes(
        args.select if args.select is not None else settings.get("select"),
        list(settings.get("extend-select", [])) + args.extend_select,
        list(settings.get("ignore", [])) + args.ignore,
        preview=preview,
    )
    per_file = {g: list(c) for g, c in (settings.get("per-file-ignores") or {}).items()}
    for item in args.per_file_ignores:
        glob, sep, codes = item.rpartition(":")
        if not sep or not glob:
            raise UsageError(f"--per-file-ignores expects GLOB:CODES, got '{item}'")
        per_file.setdefault(glob, []).extend(_codes(codes))
    ctx = Context(spec, None, root, per_file, settings, selected, preview)
    return ctx, settings, paths


def excludes(args: argparse.Namespace, settings, root: Path | None = None) -> list[str]:
    """The exclude globs; with ``root``, also the cache directory when it lies inside it (its files are ours,
    never source, whatever --exclude says)."""
    from flowgate_lint.lint.discover import DEFAULT_EXCLUDE

    base = args.exclude if args.exclude is not None else settings.get("exclude", list(DEFAULT_EXCLUDE))
    return list(base) + list(settings.get("extend-exclude", [])) + list(args.extend_exclude) + \
        (cache_excludes(root) if root is not None else [])


def cache_excludes(root: Path) -> list[str]:
    """An anchored glob for the cache directory when it is inside ``root`` (as written or resolved), else none."""
    import re

    from flowgate_lint.lint.discover import _rel
    from flowgate_lint.spec.cache import cache_location

    directory = cache_location()
    found = set()
    for where in (os.path.abspath(directory), os.path.realpath(directory)):
        for top in (str(root), os.path.realpath(root)):
            rel = _rel(where, top)
            if rel and rel != ".":
                found.add("/" + re.sub(r"([*?\[])", r"[\1]", rel))
    return sorted(found)


def discover_files(args: argparse.Namespace, ctx, settings, paths: list[str]):
    from flowgate_lint.lint.discover import discover
    from flowgate_lint.documents.findings import FileError

    problems: list[tuple[str, str]] = []
    candidates = discover(paths, ctx.root, excludes(args, settings, ctx.root), args.force_exclude, problems, ctx.leftovers,
                          signatures=ctx.results is not None)
    return candidates, [FileError(p, m) for p, m in problems]


def output_format(args: argparse.Namespace) -> str:
    """--output-format, else $FLOWGATE_LINT_OUTPUT_FORMAT, else full on a terminal and concise otherwise
    (pre-commit captures the output: its hook entry asks for full)."""
    from flowgate_lint.report import FORMATS

    if args.output_format:
        return args.output_format
    env = os.environ.get("FLOWGATE_LINT_OUTPUT_FORMAT")
    if env:
        if env not in FORMATS:
            raise UsageError(f"FLOWGATE_LINT_OUTPUT_FORMAT={env!r} is not a format (choose: {', '.join(sorted(FORMATS))})")
        return env
    return "full" if not args.output_file and sys.stdout.isatty() else "concise"


def reader(candidates, ctx):
    """repository-relative path -> the file's decoded text, for the source lines of the full format
    (only files this run checked; read on demand, once)."""
    from flowgate_lint.lint.engine import decode_host, read_raw
    from flowgate_lint.documents.findings import FileError

    paths: dict[str, tuple[str, str]] = {}  # filled on the first call: a clean run never asks
    seen: dict[str, str | None] = {}

    def text_of(rel: str) -> str | None:
        if rel not in seen:
            if not paths:
                paths.update((c.rel, (c.path, c.kind)) for c in candidates)
            where = paths.get(rel)
            host = None
            if where is not None:
                raw = read_raw(where[0], rel)
                host = None if isinstance(raw, FileError) else decode_host(raw, rel, where[1])
            seen[rel] = None if host is None or isinstance(host, FileError) else host.text
        return seen[rel]

    return text_of


def human_report(args: argparse.Namespace, report, ctx, candidates):
    """The report with what the human formats need: paths relative to the current directory, the
    checked files' text, and --show-fixes."""
    from flowgate_lint.report import cwd_relative

    return report._replace(display=cwd_relative(str(ctx.root)), text_of=reader(candidates, ctx),
                           show_fixes=("summary" if args.fix else "diff") if args.show_fixes else "")


def emit(args: argparse.Namespace, report, stream=None) -> None:
    from flowgate_lint.report import HUMAN, MACHINE, render, sanitize

    stream = sys.stdout if stream is None else stream
    fmt = output_format(args) if stream is sys.stdout or args.output_format else "concise"
    human = fmt in HUMAN
    color = human and not args.output_file and _use_color(args.color, stream)
    report = report._replace(color=color)
    if args.statistics:
        from flowgate_lint.report.statistics import render as statistics

        text = statistics(sanitize(report, fmt not in MACHINE), fmt, args.quiet)
    else:
        text = render(fmt, report._replace(quiet=args.quiet))
    escape = "json" if fmt in MACHINE and not args.statistics else "text"
    if args.output_file:
        write_file(args.output_file, text, "report", escape)
    else:
        text = escape_undecodable(text, escape)  # a file name's stray byte would make the output invalid UTF-8
        # Rendered from a sanitized report; the github format's annotations are workflow commands on purpose.
        if hasattr(stream, "write_report"):
            stream.write_report(text, commands=fmt == "github")
        else:
            stream.write(text)
        stream.flush()
    for error in sanitize(report._replace(findings=[])).errors:
        print(f"{error._replace(path=report.shown(error.path)) if human else error}", file=sys.stderr)


def escape_undecodable(text: str, escape: str) -> str:
    """``text`` with the bytes of a file name that were not valid UTF-8 (lone surrogates, which UTF-8 cannot
    encode) made printable: each written ``\\xff`` (``escape="text"``), the same inside a JSON string
    (``"json"``: the backslash escaped, so the JSON stays valid UTF-8), or as the JSON escape ``\\udcff``
    (``"exact"``: it reads back as the same name, for files flowgate-lint reads itself)."""
    import re

    def escaped(m: re.Match) -> str:
        code = ord(m.group(0))
        if escape == "exact":
            return f"\\u{code:04x}"
        slash = "\\\\" if escape == "json" else "\\"
        return f"{slash}x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"{slash}u{code:04x}"

    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub("[\ud800-\udfff]", escaped, text)
    return text


def write_file(path: str, text: str, what: str, escape: str) -> None:
    """Write ``text`` (made encodable by ``escape_undecodable``) to ``path``, or raise a one-line FlowgateError.

    A regular file is replaced atomically; a FIFO, a terminal, ``/dev/stdout`` and the like are written in
    place (see ``_in_place_flags``)."""
    from flowgate_lint.plumbing.fsutil import atomic_write, write_all

    data = escape_undecodable(text, escape).encode("utf-8")
    try:
        flags = _in_place_flags(path)
        if flags is None:
            atomic_write(path, data)
        else:
            fd = os.open(path, flags)
            try:
                write_all(fd, data)
            finally:
                os.close(fd)
    except OSError as exc:
        raise FlowgateError(f"cannot write the {what}: {exc.strerror or exc}", path) from None


def _in_place_flags(path: str) -> int | None:
    """How to open ``path`` to write into it in place, or None for an atomic replace (a new or regular file).

    Replacing a FIFO or a device would put a regular file in its place, and a file named through a
    descriptor (``/dev/stdout``, ``/dev/fd/1``, ``/proc/self/fd/1``) is where a shell redirection points:
    it is appended to, as ``>`` or ``>>`` left it."""
    import stat

    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return os.O_WRONLY
    return os.O_WRONLY | os.O_APPEND if _via_descriptor(path) else None


def _via_descriptor(path: str) -> bool:
    """Whether ``path`` or a symlink it goes through is under /dev or /proc (``/dev/stdout`` ->
    ``/proc/self/fd/1`` -> the file the descriptor has open)."""
    where = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on a chain of symlinks
        if where.startswith(("/dev/", "/proc/")):
            return True
        if not os.path.islink(where):
            return False
        where = os.path.normpath(os.path.join(os.path.dirname(where), os.readlink(where)))
    return False


def exit_code(args: argparse.Namespace, report) -> int:
    if report.errors:
        return EXIT_ERROR
    if report.findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_OK


def widen_for_spec(paths: list[str], ctx) -> list[str]:
    """When a file the spec derives from is among the paths (pre-commit passes only changed files),
    check the whole project too: a port changed in the gateway config breaks docs nobody touched."""
    inputs = {p.resolve() for p in getattr(ctx.spec, "inputs", ())}
    for raw in paths:
        p = Path(raw)
        if p.is_file() and p.resolve() in inputs:
            print(f"flowgate-lint: {raw} defines the gateway spec; checking every file that depends on it",
                  file=sys.stderr)
            return [*paths, str(ctx.root)]
    return paths


def apply_baseline(args: argparse.Namespace, findings: list, candidates: list) -> list:
    """--write-baseline records the findings; --baseline drops recorded ones and reports stale entries."""
    if getattr(args, "write_baseline", None):
        from flowgate_lint.lint import baseline

        write_file(args.write_baseline, baseline.dumps(baseline.build(findings)), "baseline", "exact")
        print(f"flowgate-lint: wrote {len(findings)} finding(s) to baseline {args.write_baseline}", file=sys.stderr)
        return []
    if getattr(args, "baseline", None):
        from flowgate_lint.lint import baseline

        recorded = baseline.load(args.baseline)
        findings, stale = baseline.apply(findings, recorded, {c.rel for c in candidates})
        for entry, count, message in stale:
            print(f"{entry.path}: baseline entry {entry.code} no longer matches{f' ({count}x)' if count > 1 else ''}: "
                  f"{message} (stale; refresh with --write-baseline)", file=sys.stderr)
    return findings


class quiet_gc:
    """The cyclic garbage collector paused while a run loads its cache and lists its files; what they built
    is then frozen (``gc.freeze``), so later collections do not traverse it again."""

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:  # on an error the run ends here: nothing to keep frozen for a caller that lives on
            gc.freeze()
        if self.enabled:
            gc.enable()


def run(args: argparse.Namespace) -> int:
    from flowgate_lint.lint.engine import run as run_engine
    from flowgate_lint.report import Report
    from flowgate_lint.lint.resultcache import open_cache

    args.fix = args.fix or args.fix_only
    if "-" in args.paths or (args.stdin_filename and not args.paths):
        if args.paths not in ([], ["-"]):
            raise UsageError("'-' (standard input) cannot be combined with other paths")
        if not args.stdin_filename:
            raise UsageError("reading standard input needs --stdin-filename PATH (its name decides how it is checked)")
        return run_stdin(args)
    if args.stdin_filename:
        raise UsageError("--stdin-filename names standard input: pass '-' instead of paths")
    if args.show_settings:
        from flowgate_lint.commands.show_settings import show_settings

        return show_settings(args)
    ctx, settings, paths = build_context(args)
    paths = widen_for_spec(paths, ctx)
    with quiet_gc():  # tens of thousands of acyclic lists and tuples: no collection can free any
        ctx.results = open_cache(ctx, not args.no_cache)
        candidates, problems = discover_files(args, ctx, settings, paths)  # with signatures only for the cache
    try:
        if args.fix or args.diff:
            return run_fix(args, ctx, settings, candidates, problems)
        result = run_engine(candidates, ctx)
    finally:
        if ctx.results is not None:
            ctx.results.save()
        gc.unfreeze()  # collectable again, for a caller that lives on (tests, an editor integration)
    findings = apply_baseline(args, result.findings, candidates)
    report = human_report(args, Report(findings, problems + result.errors, result.files, ctx.spec), ctx, candidates)
    fixable = 0
    if findings:  # (importing the fixer costs a clean run ~1 ms)
        eligible = _eligible(args, settings)
        fixable = sum(1 for f in findings if eligible(f))
    if args.check and fixable:
        report = report._replace(fix_hint=f"{fixable} finding(s) can be repaired from the spec: run "
                                          f"`flowgate-lint --fix{' --unsafe-fixes' if args.unsafe_fixes else ''}` locally.")
    emit(args, report)
    if report.fix_hint and output_format(args) not in ("full", "text", "concise", "github"):
        print(f"flowgate-lint: {report.fix_hint}", file=sys.stderr)  # machine formats keep stdout clean
    code = exit_code(args, report)
    return EXIT_FINDINGS if args.check and fixable and code == EXIT_OK and not args.exit_zero else code


def _eligible(args: argparse.Namespace, settings):
    from flowgate_lint.lint.fixes import eligible_filter

    fixable = args.fixable if args.fixable is not None else settings.get("fixable")
    return eligible_filter(args.unsafe_fixes, fixable, list(settings.get("unfixable", [])) + args.unfixable)


def run_fix(args: argparse.Namespace, ctx, settings, candidates, problems) -> int:
    """--fix (write) or --diff (print, write nothing)."""
    from flowgate_lint.lint.fixes import fix_candidates
    from flowgate_lint.report import Report

    result = fix_candidates(candidates, ctx, _eligible(args, settings), write=args.fix and not args.diff)
    if args.diff:
        diff = print_patch([(host, new) for _, _, new, host in result.changed])
        for error in problems + result.errors:
            print(f"{error}", file=sys.stderr)
        if problems or result.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if diff and not args.exit_zero else EXIT_OK
    findings = apply_baseline(args, result.findings, candidates)
    report = Report(findings, problems + result.errors, result.files, ctx.spec, fixed=result.fixed,
                    resolved=result.resolved)
    from flowgate_lint.commands.fix_only import fixed_exit

    return fixed_exit(args, report, human_report(args, report, ctx, candidates), emit, output_format)


def print_patch(changes: list) -> bool:
    """Print the --diff patch of ``changes`` ((host, new text) pairs) to stdout; whether anything changes.

    The patch applies with ``git apply`` as printed unless a line on stderr says why it may not (a
    credential redacted, a workflow command neutralised, control characters escaped on a terminal); a
    UTF-16 file cannot be shown as a text patch: a line on stderr says so."""
    from flowgate_lint.lint.fixes import file_patch
    from flowgate_lint.plumbing.redact import clean_patch

    parts = []
    for host, new in changes:
        patch = file_patch(host, new)
        if patch is None:
            print(f"{host.path}: {host.encoding.upper()} text cannot be shown as a patch (git treats it as binary); "
                  "use --fix to apply the changes", file=sys.stderr)
        else:
            parts.append(patch)
    shown, why = clean_patch("".join(parts), sys.stdout.isatty())
    getattr(sys.stdout, "write_exact", sys.stdout.write)(shown)
    sys.stdout.flush()
    if why:
        print(f"flowgate-lint: the diff may not apply as is ({'; '.join(why)}); use --fix to apply the changes",
              file=sys.stderr)
    return bool(changes)


def _read_stdin(name: str, echo: bool) -> bytes:
    """Standard input, at most the size cap of a file plus one byte; over the cap a one-line error (with
    ``echo``, for --fix, the input is first copied to stdout unchanged, a chunk at a time: an editor never
    loses the buffer)."""
    from flowgate_lint.lint.engine import MAX_FILE_BYTES

    raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(raw) <= MAX_FILE_BYTES:
        return raw
    if echo:
        out = sys.stdout.buffer
        while raw:
            out.write(raw)
            raw = sys.stdin.buffer.read(1 << 20)
        out.flush()
    raise FlowgateError(f"standard input too large (over {MAX_FILE_BYTES // (1024 * 1024)} MiB, the cap for a file), "
                        "not checked", name)


def run_stdin(args: argparse.Namespace) -> int:
    """``--stdin-filename PATH -``: lint the text on standard input as the file PATH (editors, formatter
    plugins). With --fix the fixed text (or the input unchanged) goes to stdout and the report to stderr;
    with --diff the diff goes to stdout. Nothing is read from or written to PATH itself."""
    from flowgate_lint.lint.discover import Candidate, Excluder, _rel, kind_of
    from flowgate_lint.lint.engine import decode_host, lint_checked
    from flowgate_lint.documents.findings import FileError
    from flowgate_lint.lint.fixes import FixError, fix_host
    from flowgate_lint.report import Report

    name = args.stdin_filename
    raw = _read_stdin(name, args.fix)
    args.paths = [name]
    ctx, settings, _ = build_context(args)
    abspath = os.path.abspath(name)
    rel = _rel(abspath, str(ctx.root.resolve())) or name.replace(os.sep, "/")
    kind = kind_of(abspath, raw[:128])
    excluded = args.force_exclude and Excluder(excludes(args, settings, ctx.root))(rel)
    host = None if kind is None or excluded else decode_host(raw, rel, kind, abspath, rel == ctx.spec_rel)
    errors, findings, new = [], [], raw
    if isinstance(host, FileError):
        errors, host = [host], None
    if host is not None:
        if args.fix or args.diff:
            try:
                outcome = fix_host(host, ctx, _eligible(args, settings))
            except FixError as exc:
                findings, error = lint_checked(host, ctx)
                errors = [error or FileError(rel, exc.message)]
            else:
                findings, new = outcome.findings, host.encode(outcome.text)
                resolved = outcome.resolved
        else:
            findings, error = lint_checked(host, ctx)
            errors = [error] if error is not None else []
    if args.diff:
        diff = print_patch([(host, outcome.text)] if host is not None and new != raw else [])
        for error in errors:
            print(f"{error}", file=sys.stderr)
        return EXIT_ERROR if errors else (EXIT_FINDINGS if diff and not args.exit_zero else EXIT_OK)
    findings = apply_baseline(args, findings, [Candidate(abspath, rel, kind or "", True)])
    report = Report(findings, errors, 1, ctx.spec)
    texts = {rel: outcome.text if args.fix and host is not None and new != raw else host.text} if host is not None else {}
    report = report._replace(display=lambda path: name if path == rel else path, text_of=texts.get,
                             show_fixes=("summary" if args.fix else "diff") if args.show_fixes else "")
    if args.fix:
        sys.stdout.buffer.write(new)  # the fixed text, or the input unchanged
        sys.stdout.flush()
        if new != raw:
            report = report._replace(fixed=len(resolved), resolved=resolved)
        from flowgate_lint.commands.fix_only import fixed_exit

        return fixed_exit(args, report, report, emit, output_format, sys.stderr)
    emit(args, report)
    return exit_code(args, report)


