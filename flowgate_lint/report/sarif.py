"""``sarif``: SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif).

Relative, percent-encoded ``artifactLocation.uri`` against ``%SRCROOT%``, ``startLine >= 1``, empty lists
rather than nulls, ``partialFingerprints`` for de-duplication, and ``tool.driver.rules[]``
with help text and a ``helpUri`` for every rule that reported.
"""

from __future__ import annotations

import json

from flowgate_lint import DOCS_URL
from flowgate_lint import __version__
from flowgate_lint.report import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rule(cls) -> dict:
    return {
        "id": cls.code,
        "name": cls.name,
        "shortDescription": {"text": cls.summary},
        "fullDescription": {"text": cls.summary},
        "help": {"text": cls.doc(), "markdown": cls.doc()},
        "helpUri": f"{DOCS_URL}/rules/{cls.code}.md",
        "defaultConfiguration": {"level": "error" if cls.severity == "error" else "warning"},
        "properties": {"fixable": cls.fixable},
    }


def artifact_uri(path: str) -> str:
    """A repository-relative path as the URI reference SARIF requires: percent-encoded (``c%23-client.md``,
    ``what%3F.md``, ``100%25.md``, ``my%20file.md``), a byte that is not UTF-8 as itself (``%FF``)."""
    from urllib.parse import quote

    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def _region(line: int, column: int, end_line: int, end_column: int) -> dict:
    line, column = max(line, 1), max(column, 1)
    end_line = max(end_line, line)
    end_column = max(end_column, column + 1) if end_line == line else max(end_column, 1)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _result(f, index: int) -> dict:
    result = {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": "error" if f.severity == "error" else "warning",
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(f.path), "uriBaseId": "%SRCROOT%"},
                "region": _region(f.line, f.column, f.end_line, f.end_column),
            }
        }],
        "partialFingerprints": {"flowgateLint/v1": f"{f.path}:{f.code}:{f.fingerprint}"},
    }
    if f.fix is not None:
        result["fixes"] = [{
            "description": {"text": f.fix.message},
            "artifactChanges": [{
                "artifactLocation": {"uri": artifact_uri(f.path), "uriBaseId": "%SRCROOT%"},
                "replacements": [{
                    "deletedRegion": _region(e.row, e.column, e.end_row, e.end_column)
                    if (e.row, e.column) != (e.end_row, e.end_column)
                    else {"startLine": max(e.row, 1), "startColumn": max(e.column, 1)},
                    "insertedContent": {"text": e.content},
                } for e in f.fix.edits],
            }],
            "properties": {"applicability": f.fix.applicability},
        }]
    return result


def render(report: Report) -> str:
    from flowgate_lint.rules import get_rule

    codes = sorted({f.code for f in report.findings})
    rules = [get_rule(c) for c in codes]
    index = {c: i for i, c in enumerate(codes)}
    run = {
        "tool": {"driver": {
            "name": "flowgate-lint",
            "version": __version__,
            "informationUri": DOCS_URL,
            "rules": [_rule(r) for r in rules if r is not None],
        }},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root"}}},
        "results": [_result(f, index[f.code]) for f in report.findings],
        "invocations": [{
            "executionSuccessful": not report.errors,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": e.message},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(e.path), "uriBaseId": "%SRCROOT%"},
                                                     **({"region": {"startLine": e.line}} if e.line else {})}}]}
                for e in report.errors
            ],
        }],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False) + "\n"
