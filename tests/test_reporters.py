"""Reporters, snapshot-style: the exact output of each format for a fixed set of findings."""

from __future__ import annotations

import json

from flowgate_lint.documents.findings import Edit, FileError, Finding, Fix
from flowgate_lint.report import Report, render

FINDINGS = [
    Finding("FG302", "claude-base-url-not-gateway-root", "docs/a.md", 3, 5, 3, 29, "ANTHROPIC_BASE_URL ends in /v1",
            "error", Fix((Edit(0, 1, "http://127.0.0.1:4000", 3, 5, 3, 29),), "safe", "Set it"), 0, 1, "fp1"),
    Finding("FG101", "stale-claude-code-claim", "README.md", 7, 1, 7, 40, "stale claim: 50% off, a:b", "warning"),
]
REPORT = Report(sorted(FINDINGS, key=Finding.sort_key), [], 2, None)

TEXT = """README.md:7:1: FG101 stale claim: 50% off, a:b
docs/a.md:3:5: FG302 ANTHROPIC_BASE_URL ends in /v1 [*]
Found 2 findings in 2 files. 1 fixable with `flowgate-lint --fix`.
"""


def test_text_snapshot():
    assert render("text", REPORT) == TEXT


def test_text_color_only_when_asked():
    colored = render("text", REPORT._replace(color=True))
    assert "\x1b[" in colored and "\x1b[" not in render("text", REPORT)


def test_json_snapshot_and_contract():
    data = json.loads(render("json", REPORT))
    assert [sorted(d) for d in data] == [sorted(["code", "name", "path", "line", "column", "end_line", "end_column",
                                                 "message", "severity", "fix"])] * 2
    assert data[1] == {
        "code": "FG302", "name": "claude-base-url-not-gateway-root", "path": "docs/a.md", "line": 3, "column": 5,
        "end_line": 3, "end_column": 29, "message": "ANTHROPIC_BASE_URL ends in /v1", "severity": "error",
        "fix": {"applicability": "safe", "message": "Set it", "edits": [
            {"content": "http://127.0.0.1:4000", "location": {"row": 3, "column": 5}, "end_location": {"row": 3, "column": 29}}]},
    }
    assert data[0]["fix"] is None


def test_github_snapshot_escapes_and_overflow():
    out = render("github", REPORT)
    assert out.splitlines()[0] == ("::warning file=README.md,line=7,col=1,endLine=7,endColumn=40,"
                                   "title=FG101 stale-claude-code-claim::FG101 stale claim: 50%25 off, a:b")
    assert out.endswith(TEXT)
    many = Report([FINDINGS[0]._replace(line=i) for i in range(1, 14)], [FileError("x.md", "not valid UTF-8", 2)], 1, None)
    out = render("github", many)
    assert "::error file=x.md,line=2,title=flowgate-lint::not valid UTF-8" in out
    notice = [row for row in out.splitlines() if row.startswith("::notice")]
    assert notice == ["::notice title=flowgate-lint::GitHub shows only the first 10 error and 10 warning annotations "
                      "per step, so 3 of the 13 findings have no annotation; all 13 findings are in the log below"]
    assert sum(row.startswith("docs/a.md:") for row in out.splitlines()) == 13  # every finding is in the log
