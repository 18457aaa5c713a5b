"""``flowgate-lint server`` end to end: a real LSP client (pytest-lsp) starts it over stdio, opens drifted
documents of a temporary gateway repository, reads the diagnostics (pulled by a VS Code-like client,
pushed to a Neovim-like one), applies a quick fix through didChange and sees the finding go.

The server runs with its working directory outside the repository (the suite's), so the settings must be
the ones found from each document's directory: the repository's ``preview = true`` is what makes FG302 a
finding in a doc at all, and its per-file ignore silences FG702 in docs/ignored.md.
Without pygls or pytest-lsp these tests skip locally and fail in CI (``CI=true``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import required
from rulekit import SPEC_PATH

try:
    import pytest_lsp
    from lsprotocol import types
    from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
    if required("server"):
        raise  # CI: a collection error, never a silent skip
    pytest.skip(f"pygls/pytest-lsp not installed ({exc.name}): pip install -e '.[test]'", allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent

DOC = """# Claude Code

```sh
export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1
export ANTHROPIC_AUTH_TOKEN="$GATEWAY_KEY"
```
"""
# The finding's line starts with an emoji (two UTF-16 code units, four UTF-8 bytes) and CJK (one unit, three bytes)
WIDE = "# Claude Code\n\nSet 😀 中文 `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1` for Claude Code.\n"
WIDE_COLUMN = WIDE.splitlines()[2].index("http")  # in characters: 27
BOTH_KEYS = "# Claude Code\n\n```sh\nexport ANTHROPIC_AUTH_TOKEN=\"$K\"\nexport ANTHROPIC_API_KEY=\"$K\"\n```\n"

# The server's environment: the suite's throw-away cache, but not its FLOWGATE_LINT_PREVIEW=1 (the repository's
# settings must decide), and a working directory that is not the repository.
SERVER_ENV = {k: v for k, v in os.environ.items() if k != "FLOWGATE_LINT_PREVIEW"}
SERVER = [sys.executable, "-m", "flowgate_lint", "server"]


def make_repo(root: Path) -> Path:
    (root / "config").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "config" / "flowgate.yaml").write_text(SPEC_PATH.read_text())
    (root / "pyproject.toml").write_text('[tool.flowgate-lint]\npreview = true\n'
                                         '[tool.flowgate-lint.per-file-ignores]\n"docs/ignored.md" = ["FG702"]\n')
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path / "repo")


async def start(client: LanguageClient, caps: str, root: Path) -> types.InitializeResult:
    params = types.InitializeParams(capabilities=client_capabilities(caps), root_uri=root.as_uri(),
                                    workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="repo")])
    return await client.initialize_session(params)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=SERVER_ENV))
async def client(lsp_client: LanguageClient):
    registered: list = []
    lsp_client.registered = registered  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:  # as editors do (pytest-lsp's client has none)
        registered.extend(r.method for r in params.registrations)

    yield
    await lsp_client.shutdown_session()


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=version, text=text)))
    return uri


async def pulled(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    report = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert report.kind == "full"
    return list(report.items)


async def pushed(client: LanguageClient, uri: str, expect) -> list[types.Diagnostic]:
    """The diagnostics the server publishes for ``uri``, once ``expect(diagnostics)`` holds (waiting for them)."""
    import asyncio

    for _ in range(20):
        got = client.diagnostics.get(uri)
        if got is not None and expect(list(got)):
            return list(got)
        await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 20)
    raise AssertionError(f"no such diagnostics for {uri}: {client.diagnostics.get(uri)}")


def apply_edit(text: str, edit: types.TextEdit) -> str:
    """Apply a TextEdit whose positions count UTF-16 code units."""
    lines = text.splitlines(keepends=True)

    def offset(pos: types.Position) -> int:
        line = lines[pos.line] if pos.line < len(lines) else ""
        units, chars = 0, 0
        while units < pos.character and chars < len(line):
            units += 2 if ord(line[chars]) > 0xFFFF else 1
            chars += 1
        return sum(len(lines[i]) for i in range(min(pos.line, len(lines)))) + chars

    return text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]


@pytest.mark.asyncio
async def test_a_drifted_doc_gets_diagnostics_and_its_quick_fix_clears_them(client: LanguageClient, repo: Path):
    result = await start(client, "visual-studio-code", repo)
    assert result.capabilities.diagnostic_provider is not None
    path = repo / "docs" / "setup.md"
    uri = open_doc(client, path, DOC)  # never written to disk: the buffer is what is linted
    diags = await pulled(client, uri)
    fg302 = [d for d in diags if d.code == "FG302"]
    assert len(fg302) == 1, diags
    d = fg302[0]
    line = DOC.splitlines()[3]
    assert (d.range.start.line, d.range.start.character) == (3, line.index("http"))
    assert (d.range.end.line, d.range.end.character) == (3, len(line))
    assert d.severity == types.DiagnosticSeverity.Error and d.source == "flowgate-lint"
    assert d.code_description.href.endswith("/rules/FG302.md")
    assert "ends in /v1" in d.message

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=d.range,
        context=types.CodeActionContext(diagnostics=[d])))
    quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix and "FG302" in a.title]
    assert len(quick) == 1 and quick[0].is_preferred and not quick[0].title.startswith("(unsafe)")
    change = quick[0].edit.document_changes[0]
    assert change.text_document.uri == uri and change.text_document.version == 1
    (edit,) = change.edits
    assert edit.new_text == "http://127.0.0.1:4000"

    fixed = apply_edit(DOC, edit)
    assert "ANTHROPIC_BASE_URL=http://127.0.0.1:4000\n" in fixed
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)]))
    assert [x for x in await pulled(client, uri) if x.code == "FG302"] == []


@pytest.mark.asyncio
async def test_columns_count_utf16_code_units(client: LanguageClient, repo: Path):
    await start(client, "visual-studio-code", repo)
    uri = open_doc(client, repo / "docs" / "wide.md", WIDE)
    (d,) = [x for x in await pulled(client, uri) if x.code == "FG302"]
    # 😀 is one character but two UTF-16 code units; 中 and 文 are one each
    assert d.range.start == types.Position(line=2, character=WIDE_COLUMN + 1)
    assert d.range.end.character == WIDE_COLUMN + 1 + len("http://127.0.0.1:4000/v1")
    (action,) = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=d.range,
        context=types.CodeActionContext(diagnostics=[d])))
    (edit,) = action.edit.document_changes[0].edits
    assert apply_edit(WIDE, edit) == WIDE.replace("4000/v1", "4000")


@pytest.mark.asyncio
async def test_push_diagnostics_and_per_file_ignores(client: LanguageClient, repo: Path):
    """Neovim 0.9 does not pull diagnostics: the server publishes them on open and change."""
    result = await start(client, "neovim@v0.9.1", repo)
    assert result.capabilities.position_encoding in (None, types.PositionEncodingKind.Utf16)
    uri = open_doc(client, repo / "docs" / "wide.md", WIDE)
    (d,) = await pushed(client, uri, lambda ds: [x.code for x in ds] == ["FG302"])
    assert d.range.start == types.Position(line=2, character=WIDE_COLUMN + 1)  # no encodings offered: UTF-16
    both = open_doc(client, repo / "docs" / "both.md", BOTH_KEYS)
    await pushed(client, both, lambda ds: [x.code for x in ds] == ["FG702"])
    ignored = open_doc(client, repo / "docs" / "ignored.md", BOTH_KEYS)  # per-file-ignores from pyproject.toml
    assert await pushed(client, ignored, lambda ds: True) == []
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=WIDE.replace("4000/v1", "4000"))]))
    await pushed(client, uri, lambda ds: ds == [])


@pytest.mark.asyncio
async def test_utf8_position_encoding_when_the_client_prefers_it(client: LanguageClient, repo: Path):
    result = await start(client, "neovim@v0.11.0", repo)
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf8
    uri = open_doc(client, repo / "docs" / "wide.md", WIDE)
    (d,) = [x for x in await pulled(client, uri) if x.code == "FG302"]
    prefix = WIDE.splitlines()[2][:WIDE_COLUMN]
    assert d.range.start == types.Position(line=2, character=len(prefix.encode("utf-8")))


@pytest.mark.asyncio
async def test_a_settings_or_spec_change_takes_effect_on_the_next_lint(client: LanguageClient, repo: Path):
    await start(client, "visual-studio-code", repo)
    uri = open_doc(client, repo / "docs" / "setup.md", DOC)
    assert [d.code for d in await pulled(client, uri)] == ["FG302"]
    # The gateway moves to port 4100: the doc's 4000 is now the wrong port as well
    config = repo / "config" / "flowgate.yaml"
    config.write_text(config.read_text().replace("port: 4000", "port: 4100"))
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]))
    (after,) = await pulled(client, uri)
    assert after.code == "FG302" and after.message.endswith("use http://127.0.0.1:4100"), after.message
    assert types.WORKSPACE_DID_CHANGE_WATCHED_FILES in client.registered  # the client is asked to watch them
    # preview off in the settings: FG302 in a doc is a preview finding
    (repo / "pyproject.toml").write_text("[tool.flowgate-lint]\npreview = false\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=(repo / "pyproject.toml").as_uri(), type=types.FileChangeType.Changed)]))
    assert "FG302" not in [d.code for d in await pulled(client, uri)]


@pytest.mark.asyncio
async def test_unsafe_fixes_are_separate_actions_and_fix_all_applies_the_safe_ones(client: LanguageClient, repo: Path):
    await start(client, "visual-studio-code", repo)
    uri = open_doc(client, repo / "docs" / "setup.md", DOC)
    diags = await pulled(client, uri)
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=99, character=0))
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=whole,
        context=types.CodeActionContext(diagnostics=diags)))
    for a in actions:
        assert a.is_preferred != a.title.startswith("(unsafe) "), a.title
    fix_all = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=whole,
        context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll])))
    (action,) = fix_all
    assert action.kind == "source.fixAll.flowgate-lint"
    (edit,) = action.edit.document_changes[0].edits
    assert "http://127.0.0.1:4000/v1" not in apply_edit(DOC, edit)


def test_no_credential_reaches_the_client():
    """A message is redacted (as every output is); a fix that would write a credential is not offered."""
    from flowgate_lint.commands import lsp_convert
    from flowgate_lint.documents.findings import SAFE, Edit, Finding, Fix
    from flowgate_lint.documents.source import HostFile

    key = "sk-ant-" + "a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuV"
    text = f"export ANTHROPIC_API_KEY={key}\n"
    host = HostFile("setup.sh", text, "shell")
    start = text.index(key)
    leaky = Finding("FG999", "test", "setup.sh", 1, start + 1, 1, start + 1 + len(key), f"key {key} is set",
                    fix=Fix((Edit(start, start + len(key), key + "x"),), SAFE, f"use {key}"), start=start)
    (diag,) = lsp_convert.diagnostics(host, [leaky])
    assert key not in diag.message and "<redacted>" in diag.message
    assert lsp_convert.code_actions("file:///setup.sh", 1, host, [leaky], None, True) == []
    clean = leaky._replace(fix=Fix((Edit(start, start + len(key), "$KEY"),), SAFE, f"use {key}"))
    (action,) = lsp_convert.code_actions("file:///setup.sh", 1, host, [clean], None, True)
    assert key not in action.title


def test_without_pygls_the_command_says_how_to_install_it(tmp_path):
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\nclass _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('pygls', 'lsprotocol'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
        "sys.meta_path.insert(0, _Block())\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), str(ROOT)])}
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "server"], capture_output=True, text=True, env=env,
                         stdin=subprocess.DEVNULL, timeout=60)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install" in lines[0] and "[server]" in lines[0] and "Traceback" not in res.stderr


def test_other_commands_do_not_import_pygls():
    code = ("import sys\nfrom flowgate_lint.cli import main\nimport io, contextlib\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['rule', 'FG302'])\n"
            "print(any(m.split('.')[0] in ('pygls', 'lsprotocol') for m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert res.stdout.strip().splitlines()[-1] == "False", res.stdout + res.stderr
