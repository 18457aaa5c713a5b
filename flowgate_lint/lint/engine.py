"""The lint engine: read files, build sources, run rules, apply suppressions and ignores.

``lint_host`` is pure (text in, findings out) so the fixer can re-lint edited
text without touching the disk; ``lint_candidate`` is the I/O edge for one file.
"""

import os
import re
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple

from flowgate_lint.documents.findings import FileError, Finding
from flowgate_lint.plumbing.fsutil import MAX_FILE_BYTES, read_all
from flowgate_lint.rules import Rule

if TYPE_CHECKING:  # imported where a file is decoded: a run answered from the result cache needs none
    from flowgate_lint.documents.source import HostFile, Source


class Context:
    """Everything a run shares: the spec, the selected rules, settings-derived filters."""

    def __init__(self, spec: Any, rules: Iterable[type[Rule]] | None, root: Path,
                 per_file_ignores: dict[str, list[str]] | None = None, settings: Any = None,
                 codes: Iterable[str] = (), preview: bool = False) -> None:
        """``rules``: the rule classes; or None and their ``codes``, imported when a file is first linted
        (a run answered from the result cache imports no rule module). ``preview``: the run asked for preview
        rules, and for the preview branches of stable rules (``Rule.preview_branch``)."""
        from flowgate_lint.plumbing.globs import glob_regex

        self.spec = spec
        self.root = root
        self.settings = settings
        self.preview = preview
        self._codes = list(codes)
        self._rules: list[Rule] | None = None
        if rules is not None:
            self._set_rules(rules)
        self.codes = frozenset(self._codes)
        self.per_file_ignores = [(glob_regex(g), tuple(c.upper() for c in codes)) for g, codes in (per_file_ignores or {}).items()]
        self.spec_rel = _spec_rel(spec, root)
        self.prefilter_scan = False  # few files to check: substring scans instead of an automaton
        self._prefilter: Any = False  # built on first use
        self.results: Any = None  # a resultcache.ResultCache when the run uses one
        self.leftovers: list[str] = []  # temp files of interrupted writes that discovery saw

    @property
    def prefilter(self) -> Any:
        """bytes -> bool, or None when every file must be linted."""
        if self._prefilter is False:
            self._prefilter = self._build_prefilter()
        return self._prefilter

    def _set_rules(self, classes: Iterable[type[Rule]]) -> None:
        self._rules = [cls() for cls in classes]
        self._codes = [r.code for r in self._rules]
        self._by_kind: dict[str, list[Rule]] = {}
        for rule in self._rules:
            for kind in rule.kinds:
                self._by_kind.setdefault(kind, []).append(rule)

    @property
    def rules(self) -> list[Rule]:
        return self._loaded_rules()

    def _loaded_rules(self) -> list[Rule]:
        if self._rules is None:
            from flowgate_lint.rules import rule_classes

            self._set_rules(rule_classes(self._codes))
        assert self._rules is not None
        return self._rules

    def rules_for(self, kind: str) -> list[Rule]:
        if self._rules is None:
            self._loaded_rules()
        return self._by_kind.get(kind, [])

    def enabled(self, code: str) -> bool:
        return code in self.codes

    def _build_prefilter(self):
        """bytes -> bool: a file that matches none of the enabled rules' triggers cannot hold a finding."""
        fragments: list[str] = []
        for rule in self.rules:
            if not rule.kinds:
                continue  # emitted by the engine for files that pass the prefilter (FG001, FG002)
            if not rule.triggers:
                return None  # a rule that must see every file
            fragments.extend(rule.triggers)
        if self.spec is not None:
            fragments.append(re.escape(self.spec.gateway.host))
        fragments.append(r"flowgate-lint")
        from flowgate_lint.plumbing.prefilter import compile_prefilter

        return compile_prefilter(fragments, scan=self.prefilter_scan)

    def ignored_by_path(self, finding: Finding) -> bool:
        return any(rx.match(finding.path) and any(finding.code.startswith(c) for c in codes)
                   for rx, codes in self.per_file_ignores)


def _spec_rel(spec: Any, root: Path) -> str | None:
    path = getattr(spec, "source_path", None)
    if path is None:
        return None
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


class Result(NamedTuple):
    findings: list[Finding]
    errors: list[FileError]
    files: int  # files read


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block


def read_raw(path: str | Path, rel: str) -> bytes | FileError:
    """The bytes of one file; a FileError (one line) instead of an exception."""
    got = read_stat(path, rel)
    return got if isinstance(got, FileError) else got[0]


def read_stat(path: str | Path, rel: str) -> tuple[bytes, os.stat_result] | FileError:
    """The bytes of one file and its stat when they were read; a FileError (one line) instead of an exception."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except PermissionError:
        return FileError(rel, "permission denied")
    except OSError as exc:
        return FileError(rel, f"cannot read: {exc.strerror or exc}")
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return FileError(rel, "is a directory, expected a file")
        if not stat.S_ISREG(st.st_mode):
            return FileError(rel, "not a regular file, skipped")
        if st.st_size > MAX_FILE_BYTES:
            return FileError(rel, f"file too large ({st.st_size // (1024 * 1024)} MiB > {MAX_FILE_BYTES // (1024 * 1024)} MiB), skipped")
        data = read_all(fd, st.st_size)
        return data, st
    except OSError as exc:
        return FileError(rel, f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)


def read_host(path: str | Path, rel: str, kind: str, is_spec: bool = False) -> "HostFile | FileError":
    """Read and decode one file; a FileError (one line) instead of an exception."""
    raw = read_raw(path, rel)
    return raw if isinstance(raw, FileError) else decode_host(raw, rel, kind, str(path), is_spec)


def decode_host(raw: bytes, rel: str, kind: str, abspath: str = "", is_spec: bool = False) -> "HostFile | FileError":
    """Decode one file: UTF-8 (a BOM is kept aside), or UTF-16 when it starts with a BOM; else a FileError."""
    from flowgate_lint.documents.source import HostFile

    wide = _utf16_bom(raw)
    if wide is not None:
        return _decode_wide(raw, rel, kind, abspath, is_spec, wide)
    if raw.find(b"\0", 0, 8192) >= 0:
        return FileError(rel, _nul_message(raw))
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw[3:].decode("utf-8") if bom else raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if bom else 0)
        return FileError(rel, "not valid UTF-8, skipped", raw.count(b"\n", 0, offset) + 1)
    return HostFile(rel, text, kind, abspath, bom, is_spec)


def _utf16_bom(raw: bytes) -> str | None:
    """The UTF-16/32 encoding a BOM at the start of ``raw`` names ("utf-32" for either UTF-32 one), else None."""
    if raw.startswith((b"\xff\xfe\0\0", b"\0\0\xfe\xff")):
        return "utf-32"
    if raw.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if raw.startswith(b"\xfe\xff"):
        return "utf-16-be"
    return None


def _decode_wide(raw: bytes, rel: str, kind: str, abspath: str, is_spec: bool, encoding: str) -> "HostFile | FileError":
    from flowgate_lint.documents.source import HostFile

    if encoding == "utf-32":
        return FileError(rel, "UTF-32 text is not supported (not UTF-8 or UTF-16), skipped")
    try:
        text = raw[2:].decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[2:2 + exc.start].decode(encoding, "replace").count("\n") + 1
        return FileError(rel, "not valid UTF-16 (despite its byte order mark), skipped", line)
    return HostFile(rel, text, kind, abspath, True, is_spec, encoding)


def _nul_message(raw: bytes) -> str:
    """Why a file with NUL bytes is skipped: UTF-16 without a BOM (NULs in every other byte) or binary."""
    head = raw[:8192]
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if len(head) >= 4 and (odd >= 4 * max(even, 1) or even >= 4 * max(odd, 1)):
        return "looks like UTF-16 without a byte order mark (not UTF-8), skipped"
    return "binary file (NUL bytes), skipped"


def needs_decoding(raw: bytes) -> bool:
    """Whether the prefilter cannot judge ``raw`` as it is: UTF-16/32 text (its ASCII is not ASCII bytes)
    or NUL bytes (binary or UTF-16 without a BOM: reported, never passed over silently)."""
    return raw[:2] in (b"\xff\xfe", b"\xfe\xff") or raw.startswith(b"\0\0\xfe\xff") or raw.find(b"\0", 0, 8192) >= 0


def sources_of(host: "HostFile") -> "list[Source]":
    """The file itself, plus the fenced blocks of a Markdown file in languages we check, plus the here-documents
    of shell code (a script, a shell block) that write a config file."""
    main = host.whole()
    out = [main]
    untagged: list = []
    if host.kind == "markdown":
        from flowgate_lint.documents.markdown import markdown_doc

        fences = markdown_doc(main).fences
        out.extend(f.source for f in fences if f.source is not None)
        if "<<" in host.text:  # an untagged block may hold a setup command too (cat > ~/.codex/config.toml <<EOF)
            from flowgate_lint.documents.source import Source

            untagged = [Source(host, "shell", host.text[f.content_start:f.content_end], [(0, f.content_start)])
                        for f in fences if f.source is None and f.lang in UNTAGGED_FENCES and not f.quoted
                        and "<<" in host.text[f.content_start:f.content_end]]
    if "<<" in host.text:
        from flowgate_lint.documents.heredocs import heredoc_sources

        out.extend(doc for src in (*out, *untagged) if src.kind == "shell" for doc in heredoc_sources(src))
    return out


# Fences with no language, or a plain-text one: read only for the here-documents a setup command in them writes.
UNTAGGED_FENCES = frozenset({"", "text", "txt", "plain", "plaintext", "terminal", "shell-script"})


def lint_host(host: "HostFile", ctx: Context) -> list[Finding]:
    """All findings for one decoded file (pure: no I/O)."""
    from flowgate_lint.rules.engine_rules import InvalidSyntax, UnusedSuppression

    from flowgate_lint.judgement.frames import counter_example
    from flowgate_lint.judgement.sections import is_history, section_at
    from flowgate_lint.documents.leaves import ParseError

    sources = sources_of(host)
    findings: list[Finding] = []
    history = is_history(host.path, ctx)
    # A here-document's body is checked as the file it writes, not again as shell text around it.
    bodies = sorted((s.to_host(0), s.to_host(len(s.text))) for s in sources if s.target is not None)
    body_starts = [a for a, _ in bodies]
    for src in sources:
        error = src.parse_error()
        if error is not None and ctx.enabled(InvalidSyntax.code) and InvalidSyntax.reportable(src, ctx):
            findings.append(InvalidSyntax.finding_for(src, error))
        # A block the text presents as old or wrong ("Older posts do this:") quotes its values on purpose.
        quoted = None
        for rule in ctx.rules_for(src.kind):
            if host.is_spec and not rule.check_spec_file or history and rule.skip_history:
                continue
            if rule.skip_history and src.embedded:
                if quoted is None:
                    quoted = counter_example(src, ctx, 0)
                if quoted:
                    continue
            try:
                found = list(rule.check(src, ctx))
            except ParseError:
                continue  # reported once as invalid-syntax
            if error is not None:  # a source that does not parse is reported, never edited
                found = [f._replace(fix=None) for f in found]
            if bodies and src.target is None and src.kind in ("shell", "markdown") and not rule.reads_heredocs:
                found = [f for f in found if not _in_body(f.start, bodies, body_starts)]
            if found and rule.skip_history and host.kind == "markdown":
                # A "## Changelog" or "Release notes" section of a README describes the past, as a history file does.
                found = [f for f in found if not section_at(sources[0], ctx, f.start).history]
            findings.extend(found)
    findings, sup = suppressed(host, sources[0], findings)
    if sup is not None and ctx.enabled(UnusedSuppression.code):
        findings.extend(UnusedSuppression.findings_for(host, sup.unused(), ctx))
    findings = [f for f in findings if not ctx.ignored_by_path(f)]
    return sorted(set(findings), key=Finding.sort_key)


def _in_body(at: int, bodies: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether host offset ``at`` is inside one of the (sorted, disjoint) here-document ``bodies``."""
    from bisect import bisect_right

    i = bisect_right(starts, at) - 1
    return i >= 0 and at < bodies[i][1]


def suppressed(host: Any, first: Any, findings: list[Finding]) -> tuple[list[Finding], Any]:
    """``findings`` without those the host's suppression comments silence, and the suppressions (None when the
    host has none). ``first`` is the host's first source (a Markdown file's, for its comments and blocks)."""
    from flowgate_lint.lint.suppress import Suppressions, parse_directives

    comments = spans = None
    if host.kind == "markdown":
        from flowgate_lint.documents.markdown import markdown_doc

        doc = markdown_doc(first)
        comments = doc.comments
        spans = [(f.content_start, f.content_end) for f in doc.fences if f.source is not None and f.source.kind != "json"]
    directives = parse_directives(host, comments, spans)
    if not directives:
        return findings, None
    sup = Suppressions(directives, host)
    return [f for f in findings if not sup.suppresses(f)], sup


def lint_candidate(cand: Any, ctx: Context) -> tuple[list[Finding], FileError | None]:
    """Read, prefilter and lint one discovered file."""
    is_spec = ctx.spec_rel is not None and cand.rel == ctx.spec_rel
    raw = read_raw(cand.path, cand.rel)
    if isinstance(raw, FileError):
        return [], raw
    if ctx.prefilter is not None and not is_spec and not needs_decoding(raw) and not ctx.prefilter(raw):
        return [], None
    host = decode_host(raw, cand.rel, cand.kind, str(cand.path), is_spec)
    if isinstance(host, FileError):
        return [], host
    return lint_checked(host, ctx)


def lint_checked(host: "HostFile", ctx: Context) -> tuple[list[Finding], FileError | None]:
    """``lint_host``, with a file too large or too deeply nested to check as a FileError."""
    from flowgate_lint.documents.leaves import SourceTooLarge

    try:
        return lint_host(host, ctx), None
    except RecursionError:
        return [], FileError(host.path, "too deeply nested to lint")
    except SourceTooLarge as exc:
        return [], FileError(host.path, exc.message)


SCAN_MAX_FILES = 8  # up to this many files to read, the prefilter scans substrings (no automaton to build)
PARALLEL_MIN_FILES = 400  # below this, a process pool costs more than it saves
_WORKER_STATE: tuple[list[Any], Any] | None = None
_PARENT_PID: int | None = None  # in a pool worker: the pid of the run that started it


def _worker_init(parent: int) -> None:
    """A pool worker dies with its run: the kernel kills it when the parent dies (Linux), and it checks
    its parent before each file and each write (``exit_if_orphaned``), so a killed ``--fix`` writes nothing more."""
    global _PARENT_PID
    _PARENT_PID = parent
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


class Orphaned(BaseException):
    """Raised in a pool worker whose run is gone: unwinds (removing a temp file being written), then the worker exits."""


def exit_if_orphaned() -> None:
    """In a pool worker whose run is gone (killed): stop."""
    if _PARENT_PID is not None and os.getppid() != _PARENT_PID:
        raise Orphaned()


def _map_chunk(bounds: tuple[int, int]) -> list[tuple[int, Any]]:
    """Apply the mapped function to items[start:stop] in a forked worker; only non-None results come back."""
    assert _WORKER_STATE is not None
    items, fn = _WORKER_STATE
    out = []
    try:
        for i in range(*bounds):
            exit_if_orphaned()
            result = fn(items[i])
            if result is not None:
                out.append((i, result))
    except Orphaned:
        os._exit(1)
    return out


def _jobs(n_files: int) -> int:
    wanted = os.environ.get("FLOWGATE_LINT_JOBS")
    jobs = int(wanted) if wanted and wanted.isdigit() else (os.cpu_count() or 1)
    return jobs if n_files >= PARALLEL_MIN_FILES else 1


def map_files(fn: Any, items: list[Any]) -> list[Any]:
    """``[fn(item) for item in items]``, over the cores (fork) for large runs. ``fn`` returns None when
    it has nothing to say about an item, so workers send back only what matters."""
    global _WORKER_STATE
    jobs = _jobs(len(items))
    if jobs > 1:
        import multiprocessing

        try:
            mp = multiprocessing.get_context("fork")  # workers inherit items and fn: nothing to pickle
        except ValueError:
            mp = None
        if mp is not None:
            step = max(1, -(-len(items) // (jobs * 8)))
            chunks = [(i, min(i + step, len(items))) for i in range(0, len(items), step)]
            _WORKER_STATE = (items, fn)
            try:
                with mp.Pool(jobs, initializer=_worker_init, initargs=(os.getpid(),)) as pool:
                    said = dict(pair for part in pool.imap(_map_chunk, chunks) for pair in part)
            finally:
                _WORKER_STATE = None
            return [said.get(i) for i in range(len(items))]
    return [fn(item) for item in items]


def cached_split(candidates: list[Any], ctx: Context) -> tuple[list[Any], list[tuple[Any, list[Finding]]]]:
    """(files to lint, [(file, cached findings)] for the unchanged ones)."""
    cache = ctx.results
    if cache is None:
        return candidates, []
    return cache.split(candidates)


def _lint_quiet(ctx: Context) -> Any:
    def lint(cand: Any) -> tuple[list[Finding], FileError | None] | None:
        found, error = lint_candidate(cand, ctx)
        return (found, error) if found or error is not None else None

    return lint


def run(candidates: list[Any], ctx: Context) -> Result:
    """Lint every candidate: unchanged files from the result cache, the rest serially for small runs,
    over the cores for large ones."""
    findings: list[Finding] = []
    errors: list[FileError] = []
    todo, hits = cached_split(candidates, ctx)
    for _, found in hits:
        findings.extend(found)
    if len(todo) <= SCAN_MAX_FILES:
        ctx.prefilter_scan = True
    for cand, result in zip(todo, map_files(_lint_quiet(ctx), todo)):
        found, error = result or ([], None)
        findings.extend(found)
        if error is not None:
            errors.append(error)
        elif ctx.results is not None:
            ctx.results.put(cand, found)
    findings.sort(key=Finding.sort_key)
    return Result(findings, errors, len(candidates))
