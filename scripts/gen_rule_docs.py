#!/usr/bin/env python3
"""Write docs/rules/<CODE>.md (one page per rule, from its docstring) and docs/rules/README.md.

``--check`` writes nothing and exits 1 when a page is missing, stale or orphaned.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOCS = ROOT / "docs" / "rules"


_FIX_COLUMN = {"safe": "yes", "unsafe": "unsafe only", "mixed": "yes (some unsafe)"}


def pages() -> dict[str, str]:
    from flowgate_lint.commands.rule_cmd import rule_page
    from flowgate_lint.rules import all_rules

    rules = all_rules()
    out = {f"{r.code}.md": rule_page(r) for r in rules}
    rows = ["# Rules", "", "Generated from the rules' docstrings by `scripts/gen_rule_docs.py`; "
            "`flowgate-lint rule CODE` prints the same text.", "", "| code | name | summary | fix | preview |", "|---|---|---|---|---|"]
    rows += [f"| [{r.code}]({r.code}.md) | {r.name} | {r.summary} | {_FIX_COLUMN[r.fix_safety] if r.fixable else ''} | {'preview' if r.preview else ''} |" for r in rules]
    out["README.md"] = "\n".join(rows) + "\n"
    return out


def main(argv: list[str]) -> int:
    want = pages()
    if "--check" in argv:
        problems = []
        for name, text in want.items():
            path = DOCS / name
            if not path.exists():
                problems.append(f"missing {path.relative_to(ROOT)}")
            elif path.read_text(encoding="utf-8") != text:
                problems.append(f"stale {path.relative_to(ROOT)}")
        for path in DOCS.glob("*.md"):
            if path.name not in want:
                problems.append(f"orphaned {path.relative_to(ROOT)}")
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            print("run: python scripts/gen_rule_docs.py", file=sys.stderr)
        return 1 if problems else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for path in DOCS.glob("*.md"):
        if path.name not in want:
            path.unlink()
    for name, text in want.items():
        (DOCS / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
