"""``json``: a JSON array; each object has exactly the keys of the JSON contract.

``code, name, path, line, column, end_line, end_column, message, severity, fix``;
``fix`` is null or ``{"applicability", "message", "edits": [{"content", "location":
{"row", "column"}, "end_location": {"row", "column"}}]}`` (1-based rows and columns).
"""

from __future__ import annotations

import json

from flowgate_lint.report import Report


def finding_dict(f) -> dict:
    return {
        "code": f.code,
        "name": f.name,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "message": f.message,
        "severity": f.severity,
        "fix": fix_dict(f),
    }


def fix_dict(f) -> dict | None:
    if f.fix is None:
        return None
    edits = [
        {"content": e.content, "location": {"row": e.row, "column": e.column},
         "end_location": {"row": e.end_row, "column": e.end_column}}
        for e in f.fix.edits
    ]
    return {"applicability": f.fix.applicability, "message": f.fix.message, "edits": edits}


def render(report: Report) -> str:
    return json.dumps([finding_dict(f) for f in report.findings], indent=2, ensure_ascii=False) + "\n"
