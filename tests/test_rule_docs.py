"""Rule documentation: one generated page per rule, never stale; `flowgate-lint rule` prints the same text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flowgate_lint.cli import main
from flowgate_lint.commands.rule_cmd import rule_page
from flowgate_lint.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent


def test_rule_pages_are_current():
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_rule_docs.py"), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_every_rule_documents_what_why_and_fix():
    for rule in all_rules():
        doc = rule.doc()
        for heading in ("## What it does", "## Why is this bad?", "## Fix"):
            assert heading in doc, f"{rule.code} lacks '{heading}'"
        assert rule.code.startswith("FG") and rule.name == rule.name.lower() and " " not in rule.name


def test_rule_command_prints_the_page(capsys):
    assert main(["rule", "FG302"]) == 0
    assert capsys.readouterr().out == rule_page(next(r for r in all_rules() if r.code == "FG302"))
    assert main(["rule", "claude-base-url-not-gateway-root"]) == 0  # by name too
    capsys.readouterr()


def test_rule_all_lists_every_rule(capsys):
    assert main(["rule", "--all", "--output-format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in listed] == [r.code for r in all_rules()]


def test_unknown_rule_is_a_one_line_error(capsys):
    assert main(["rule", "FG999"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "flowgate-lint: unknown rule 'FG999' (see 'flowgate-lint rule --all')"


def test_every_rule_page_says_when_it_fires_and_when_it_does_not():
    missing = []
    for rule in all_rules():
        page = (ROOT / "docs" / "rules" / f"{rule.code}.md").read_text(encoding="utf-8")
        for heading in ("## What it does", "## When it deliberately does not fire"):
            if f"\n{heading}\n" not in page:
                missing.append(f"{rule.code}: {heading}")
    assert not missing, missing
