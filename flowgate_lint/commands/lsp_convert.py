"""Findings as the Language Server Protocol shows them (``flowgate-lint server``): diagnostics, quick fixes
and workspace edits, built with lsprotocol's types.

Positions: a finding's line and column are 1-based and count characters (code points) of the decoded
file; LSP positions are 0-based and count UTF-16 code units (an emoji is two, a CJK character one) unless
the client and server agreed on UTF-8 (bytes) or UTF-32 (code points) at initialisation, so every column
is converted through the line's text in the negotiated ``encoding``. A UTF-8 BOM the editor kept as
U+FEFF is one character before line 1 (the engine reads the text without it).

Nothing here shows a credential: messages and titles go through ``redact`` (the findings are already
redacted; this keeps it so), and a fix whose replacement holds a credential is not offered (it would
have to be written out verbatim, which no output of flowgate-lint does).
"""

from __future__ import annotations

from typing import Any, Iterable

from lsprotocol import types

from flowgate_lint import DOCS_URL
from flowgate_lint.documents.findings import SAFE
from flowgate_lint.plumbing import redact

SOURCE = "flowgate-lint"


UTF16, UTF8, UTF32 = "utf-16", "utf-8", "utf-32"
ENCODINGS = (UTF16, UTF8, UTF32)  # the position encodings the server supports


def code_units(text: str, encoding: str = UTF16) -> int:
    """The length of ``text`` in ``encoding``'s code units: UTF-16 (a character beyond U+FFFF is two), UTF-8
    bytes, or UTF-32 (characters)."""
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == UTF32:
        return len(text)
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def position(host: Any, line: int, column: int, encoding: str = UTF16) -> types.Position:
    """The LSP position of a 1-based (line, column in characters) of ``host`` (a HostFile)."""
    line = max(1, line)
    chars = max(0, column - 1)
    text = host.line_text(line)
    inside = text[:chars]
    units = code_units(inside, encoding) + (chars - len(inside))  # a column past the line's end stays past it
    if line == 1 and host.bom:
        units += code_units("\ufeff", encoding)
    return types.Position(line=line - 1, character=units)


def offset_position(host: Any, offset: int, encoding: str = UTF16) -> types.Position:
    """The LSP position of a character offset into ``host``'s text."""
    return position(host, *host.position(offset), encoding)


def finding_range(host: Any, f: Any, encoding: str = UTF16) -> types.Range:
    start = position(host, f.line, f.column, encoding)
    end = position(host, f.end_line or f.line, f.end_column or f.column, encoding)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start=start, end=end)


def _text(s: str) -> str:
    return redact.redact(s)[0]


def rule_href(code: str) -> str:
    return f"{DOCS_URL}/rules/{code}.md"


def diagnostic(host: Any, f: Any, encoding: str = UTF16) -> types.Diagnostic:
    severity = types.DiagnosticSeverity.Error if f.severity == "error" else types.DiagnosticSeverity.Warning
    return types.Diagnostic(
        range=finding_range(host, f, encoding),
        message=_text(f.message),
        severity=severity,
        code=f.code,
        code_description=types.CodeDescription(href=rule_href(f.code)),
        source=SOURCE,
        data={"fingerprint": f.fingerprint, "name": f.name},
    )


def error_diagnostic(host: Any, message: str, line: int | None, encoding: str = UTF16) -> types.Diagnostic:
    """A file (or the settings or spec it is checked with) that could not be checked, as one diagnostic."""
    if host is not None:
        where = position(host, line or 1, 1, encoding)
    else:
        where = types.Position(line=max(0, (line or 1) - 1), character=0)
    return types.Diagnostic(range=types.Range(start=where, end=where), message=_text(message),
                            severity=types.DiagnosticSeverity.Error, source=SOURCE)


def diagnostics(host: Any, findings: Iterable[Any], encoding: str = UTF16) -> list[types.Diagnostic]:
    return [diagnostic(host, f, encoding) for f in findings]


def offerable(fix: Any) -> bool:
    """Whether a fix can be offered: it has edits and none writes a credential."""
    return fix is not None and bool(fix.edits) and not any(redact.has_secret(e.content) for e in fix.edits)


def text_edits(host: Any, edits: Iterable[Any], encoding: str = UTF16) -> list[types.TextEdit]:
    return [types.TextEdit(range=types.Range(start=offset_position(host, e.start, encoding),
                                             end=offset_position(host, e.end, encoding)),
                           new_text=e.content) for e in edits]


def workspace_edit(uri: str, version: int | None, edits: list[types.TextEdit], document_changes: bool) -> types.WorkspaceEdit:
    """``edits`` to the open document ``uri``; with ``document_changes`` (the client supports them) tied to its
    ``version``, so a client applies it only to the text it was made for."""
    if document_changes:
        ident = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=ident, edits=edits)])
    return types.WorkspaceEdit(changes={uri: edits})


def overlaps(a: types.Range, b: types.Range) -> bool:
    """Whether two ranges touch (an empty range at a finding's edge counts: the cursor on it)."""
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and \
        (b.start.line, b.start.character) <= (a.end.line, a.end.character)


def code_actions(uri: str, version: int | None, host: Any, findings: Iterable[Any], wanted: types.Range | None,
                 document_changes: bool, encoding: str = UTF16) -> list[types.CodeAction]:
    """A quick fix for each safe fix of a finding in ``wanted`` (preferred), a separate "(unsafe) ..." action
    for each unsafe one."""
    actions = []
    for f in findings:
        if not offerable(f.fix):
            continue
        diag = diagnostic(host, f, encoding)
        if wanted is not None and not overlaps(diag.range, wanted):
            continue
        safe = f.fix.applicability == SAFE
        title = f"{_text(f.fix.message)} ({f.code})"
        actions.append(types.CodeAction(
            title=title if safe else f"(unsafe) {title}",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diag],
            is_preferred=safe or None,
            edit=workspace_edit(uri, version, text_edits(host, f.fix.edits, encoding), document_changes),
        ))
    return actions


def whole_document_edit(host: Any, old: str, new: str, encoding: str = UTF16) -> types.TextEdit:
    """One edit replacing the changed middle of ``old`` (the buffer) with ``new``'s."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return types.TextEdit(range=types.Range(start=offset_position(host, start, encoding),
                                            end=offset_position(host, end_old, encoding)),
                          new_text=new[start:end_new])
