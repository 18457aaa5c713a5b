"""``flowgate-lint server``: a Language Server over stdio, for diagnostics and quick fixes in the editor.

Each open Markdown, TOML, JSON, YAML, shell or dotenv document is linted in-process as
``flowgate-lint --force-exclude --stdin-filename PATH -`` would lint it from its repository's root: the
settings found from the file's directory, the spec those settings name (through the spec cache, so an
edit to the gateway config or the settings takes effect on the next lint), per-file ignores, excludes
and suppression comments. A buffer that matches the file on disk is answered from the result cache the
command line shares. Diagnostics are pulled (``textDocument/diagnostic``) by clients that support it
and pushed (``textDocument/publishDiagnostics``) to the others, on open, change and save. Each safe fix
is a preferred quick fix, each unsafe fix a separate "(unsafe) ..." action, and ``source.fixAll`` applies
the safe fixes the settings allow. Needs pygls (``pip install 'flowgate-lint[server]'``); docs/editors.md.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

HELP = "run a Language Server over stdio: findings as editor diagnostics, fixes as code actions (docs/editors.md)"
PROG = "flowgate-lint"
INSTALL_HINT = (f"{PROG} server needs pygls, which is not installed for {{python}}: install the 'server' extra "
                f"(python -m pip install 'flowgate-lint[server]', in a checkout: pip install -e '.[server]')")


# What the spec and settings are read from (a gateway config may have any YAML name, or sit in a JSON or
# TOML file the settings name: a save of an open one re-lints too).
WATCHED = ("pyproject.toml", "flowgate-lint.toml", "*.yaml", "*.yml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stdio", action="store_true", help="talk LSP over standard input and output (the default "
                        "and only transport; accepted because many clients pass it)")
    parser.add_argument("--no-cache", action="store_true", help="derive the spec afresh and check every document "
                        "again instead of reusing cached findings (also: FLOWGATE_LINT_NO_CACHE=1)")


class Linted(NamedTuple):
    """One lint of a buffer: the decoded host (None when it is not a kind flowgate-lint checks, excluded or
    not decodable), its findings, why this document could not be checked as (message, line) pairs, and a
    ``notice`` for a problem outside it (settings, the gateway config): shown once, not per keystroke."""

    host: Any
    findings: list
    problems: list  # [(message, line or None)], shown on this document
    ctx: Any = None
    settings: Any = None
    notice: str | None = None


class Engine:
    """The lint engine for editor buffers, with the caches the command line uses."""

    def __init__(self, use_cache: bool = True) -> None:
        self.use_cache = use_cache
        self._results: dict[str, tuple[str, Any]] = {}  # root -> (fingerprint, ResultCache)
        self._memo: dict[str, tuple[tuple, list]] = {}  # path -> ((fingerprint, text), findings)

    def lint(self, abspath: str, text: str) -> Linted:
        from pathlib import Path
        from types import SimpleNamespace

        from flowgate_lint.commands.lint import DEFAULTS, build_context, excludes
        from flowgate_lint.lint.discover import Excluder, _rel, find_root, kind_of
        from flowgate_lint.lint.engine import MAX_FILE_BYTES, decode_host
        from flowgate_lint.documents.findings import FileError
        from flowgate_lint.plumbing.errors import FlowgateError

        raw = text.encode("utf-8", "surrogatepass")
        kind = kind_of(abspath, raw[:128])
        if kind is None:
            return Linted(None, [], [])
        if len(raw) > MAX_FILE_BYTES:  # the command line's cap for a file
            return Linted(None, [], [(f"too large (over {MAX_FILE_BYTES // (1024 * 1024)} MiB), not checked", None)])
        directory = os.path.dirname(abspath)
        if not os.path.isdir(directory):
            return Linted(None, [], [])
        root = find_root(Path(directory))
        values = {k: list(v) if isinstance(v, list) else v for k, v in DEFAULTS.items()}
        values.update(paths=[abspath], stdin_filename=abspath, force_exclude=True, no_cache=not self.use_cache)
        args = SimpleNamespace(**values)
        try:
            with _working_directory(root):  # as the command line run from the repository's root
                ctx, settings, _ = build_context(args)
                rel = _rel(abspath, str(ctx.root.resolve())) or _rel(os.path.realpath(abspath), str(ctx.root.resolve())) \
                    or os.path.basename(abspath)
                if Excluder(excludes(args, settings, ctx.root))(rel):
                    return Linted(None, [], [])
                host = decode_host(raw, rel, kind, abspath, rel == ctx.spec_rel)
                if isinstance(host, FileError):
                    return Linted(None, [], [(host.message, host.line)])
                findings, error = self._findings(host, ctx, abspath, raw)
        except FlowgateError as exc:
            here = exc.path is not None and os.path.realpath(os.path.join(root, exc.path)) == os.path.realpath(abspath)
            return Linted(None, [], [(exc.message, exc.line)] if here else [], notice=str(exc))
        return Linted(host, findings, [] if error is None else [(error.message, error.line)], ctx, settings)

    def _findings(self, host: Any, ctx: Any, abspath: str, raw: bytes) -> tuple[list, Any]:
        from flowgate_lint.lint.engine import lint_checked

        cache, fp = self._result_cache(ctx)
        key = (fp, host.text)
        memo = self._memo.get(abspath)
        if memo is not None and memo[0] == key:
            return memo[1], None
        cand = _candidate(abspath, host, raw) if cache is not None else None
        if cand is not None:
            cached = cache.get(cand)
            if cached is not None:
                self._memo[abspath] = (key, cached)
                return cached, None
        findings, error = lint_checked(host, ctx)
        if error is None:
            self._memo[abspath] = (key, findings)
            if cand is not None:
                cache.put(cand, findings)
                cache.save()
        return findings, error

    def _result_cache(self, ctx: Any) -> tuple[Any, str]:
        """The result cache of ``ctx``'s repository (reopened when what findings depend on changed) and that
        fingerprint."""
        from flowgate_lint.lint.resultcache import fingerprint, open_cache

        fp = fingerprint(ctx)
        root = str(ctx.root)
        known = self._results.get(root)
        if known is None or known[0] != fp:
            known = self._results[root] = (fp, open_cache(ctx, self.use_cache))
        return known[1], fp

    def forget(self, abspath: str) -> None:
        self._memo.pop(abspath, None)


def _candidate(abspath: str, host: Any, raw: bytes) -> Any:
    """The file on disk as the result cache knows it, when the buffer is exactly its content (else None)."""
    from flowgate_lint.lint.discover import Candidate, stat_signature
    from flowgate_lint.lint.engine import read_stat

    from flowgate_lint.documents.findings import FileError

    got = read_stat(abspath, host.path)
    if isinstance(got, FileError):  # not on disk (a new buffer), unreadable, too large
        return None
    data, st = got
    if data != raw and data != host.encode():
        return None
    return Candidate(abspath, host.path, host.kind, True, stat_signature(st))


class _working_directory:
    def __init__(self, path: Any) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.saved = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        os.chdir(self.saved)


def run(args: argparse.Namespace) -> int:
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ModuleNotFoundError:
        print(INSTALL_HINT.format(python=sys.executable), file=sys.stderr)
        return 2
    stdin, stdout = sys.stdin.buffer, sys.__stdout__.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the protocol stream
    server = build_server(Engine(use_cache=not args.no_cache and not os.environ.get("FLOWGATE_LINT_NO_CACHE")))
    server.start_io(stdin, stdout)
    return 0


def build_server(engine: Engine) -> Any:
    """The pygls LanguageServer with flowgate-lint's features."""
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    from flowgate_lint import __version__
    from flowgate_lint.commands import lsp_convert as convert

    server = LanguageServer(PROG, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    state: dict[str, Any] = {"linted": {}, "shown": set()}  # linted: uri -> (version, text, Linted)

    def pull_mode() -> bool:
        caps = server.client_capabilities.text_document
        return caps is not None and caps.diagnostic is not None

    def encoding() -> str:
        chosen = server.workspace.position_encoding
        chosen = str(getattr(chosen, "value", chosen) or convert.UTF16)
        return chosen if chosen in convert.ENCODINGS else convert.UTF16

    def document_changes() -> bool:
        ws = server.client_capabilities.workspace
        edit = ws.workspace_edit if ws is not None else None
        return bool(edit is not None and edit.document_changes)

    def lint(uri: str) -> tuple[Any, Linted]:
        doc = server.workspace.get_text_document(uri)
        known = state["linted"].get(uri)
        if known is not None and known[0] == doc.version and known[1] == doc.source:
            return doc, known[2]
        path = to_fs_path(uri) if uri.startswith("file:") else None
        linted = engine.lint(os.path.abspath(path), doc.source) if path else Linted(None, [], [])
        state["linted"][uri] = (doc.version, doc.source, linted)
        if linted.notice is not None and linted.notice not in state["shown"]:
            state["shown"].add(linted.notice)
            server.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                               message=convert._text(f"{PROG}: {linted.notice}")))
        return doc, linted

    def diagnostics_for(uri: str) -> list[types.Diagnostic]:
        _, linted = lint(uri)
        out = convert.diagnostics(linted.host, linted.findings, encoding()) if linted.host is not None else []
        for message, line in linted.problems:
            out.append(convert.error_diagnostic(linted.host, message, line, encoding()))
        return out

    def publish(uri: str) -> None:
        if pull_mode():
            return
        doc = server.workspace.get_text_document(uri)
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=doc.version, diagnostics=diagnostics_for(uri)))

    def refresh_all() -> None:
        """Settings or the gateway config may have changed: every open document again."""
        engine._memo.clear()
        state["linted"].clear()
        if pull_mode():
            ws = server.client_capabilities.workspace
            if ws is not None and ws.diagnostics is not None and ws.diagnostics.refresh_support:
                server.workspace_diagnostic_refresh(None)
            return
        for uri in list(server.workspace.text_documents):
            publish(uri)

    @server.feature(types.INITIALIZED)
    def initialized(ls: Any, params: types.InitializedParams) -> None:
        """Ask the client to report changes to settings files and YAML (gateway configs) on disk."""
        ws = server.client_capabilities.workspace
        watched = ws.did_change_watched_files if ws is not None else None
        if watched is None or not watched.dynamic_registration:
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=[
            types.FileSystemWatcher(glob_pattern=f"**/{pattern}") for pattern in WATCHED])
        server.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
            id=f"{PROG}-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Any, params: types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Any, params: types.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: Any, params: types.DidSaveTextDocumentParams) -> None:
        refresh_all()  # a saved gateway config or settings file changes what every document is checked against

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: Any, params: types.DidChangeWatchedFilesParams) -> None:
        refresh_all()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Any, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        state["linted"].pop(uri, None)
        if uri.startswith("file:"):
            engine.forget(os.path.abspath(to_fs_path(uri)))
        if not pull_mode():
            server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
                    types.DiagnosticOptions(identifier=PROG, inter_file_dependencies=False, workspace_diagnostics=False))
    def pull(ls: Any, params: types.DocumentDiagnosticParams) -> types.FullDocumentDiagnosticReport:
        return types.RelatedFullDocumentDiagnosticReport(items=diagnostics_for(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix,
                                                               types.CodeActionKind.SourceFixAll],
                                            resolve_provider=False))
    def code_action(ls: Any, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        doc, linted = lint(uri)
        if linted.host is None:
            return []
        only = [str(getattr(k, "value", k)) for k in params.context.only or ()]
        fix_all = f"{types.CodeActionKind.SourceFixAll.value}.{PROG}"
        actions: list[types.CodeAction] = []
        if not only or any(k.startswith(types.CodeActionKind.QuickFix.value) for k in only):
            actions.extend(convert.code_actions(uri, doc.version, linted.host, linted.findings, params.range,
                                                document_changes(), encoding()))
        if only and any(fix_all == k or fix_all.startswith(k + ".") for k in only):  # asked for (on save, say)
            fixed = _fix_all(linted)
            if fixed is not None and fixed != linted.host.text:
                edit = convert.whole_document_edit(linted.host, linted.host.text, fixed, encoding())
                actions.append(types.CodeAction(
                    title=f"{PROG}: fix all safe fixes", kind=fix_all,
                    edit=convert.workspace_edit(uri, doc.version, [edit], document_changes())))
        return actions

    return server


def _fix_all(linted: Linted) -> str | None:
    """The buffer with every safe fix the settings allow applied (as ``--fix``), or None when no fix applies."""
    from flowgate_lint.commands.lsp_convert import offerable
    from flowgate_lint.lint.fixes import FixError, eligible_filter, fix_host

    if not any(f.fix is not None for f in linted.findings):
        return None
    settings = linted.settings
    allowed = eligible_filter(False, settings.get("fixable"), list(settings.get("unfixable", [])))
    try:
        outcome = fix_host(linted.host, linted.ctx, lambda f: allowed(f) and offerable(f.fix))
    except FixError:
        return None
    return outcome.text
