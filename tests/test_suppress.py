"""Inline suppressions in every form, anchored to a finding's start line."""

from __future__ import annotations

from rulekit import lint_text

BAD = "ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1"


def codes(text: str, name: str = "doc.md") -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in lint_text(text, name, ["FG302", "FG002", "FG403"])]


def test_markdown_disable_next_line_with_reason():
    text = f"# x\n\n<!-- flowgate-lint: disable-next-line FG302 -- quoting the old doc -->\n`{BAD}`\n\n`{BAD}`\n"
    assert codes(text) == [("FG302", 6)]


def test_markdown_disable_line_and_file():
    assert codes(f"`{BAD}` <!-- flowgate-lint: disable-line FG302 -->\n") == []
    assert codes(f"<!-- flowgate-lint: disable-file FG302 -->\n\n`{BAD}`\n\n`{BAD}`\n") == []


def test_markdown_disable_enable_range_by_code():
    text = (f"<!-- flowgate-lint: disable FG302 -->\n\n`{BAD}` `ANTHROPIC_SMALL_FAST_MODEL=x`\n\n"
            f"<!-- flowgate-lint: enable -->\n\n`{BAD}`\n")
    assert codes(text) == [("FG403", 3), ("FG302", 7)]  # only FG302 is disabled in the range


def test_markdown_directive_inside_a_code_block_is_not_a_directive():
    text = f"```text\n<!-- flowgate-lint: disable-file FG302 -->\n```\n\n`{BAD}`\n"
    assert codes(text) == [("FG302", 5)]


def test_hash_ignore_same_line_own_line_and_file():
    assert codes(f"{BAD}  # flowgate-lint: ignore[FG302] not the gateway\n", "a.env") == []
    assert codes(f"# flowgate-lint: ignore[FG302]\n{BAD}\n{BAD}\n", "a.env") == [("FG302", 3)]
    assert codes(f"# flowgate-lint: ignore-file[FG302]\n{BAD}\n{BAD}\n", "a.env") == []
    assert codes(f"export {BAD}  # flowgate-lint: ignore\n", "a.sh") == []  # no codes: every rule


def test_hash_ignore_inside_a_fenced_block():
    text = f"# x\n\n```sh\nexport {BAD}  # flowgate-lint: ignore[FG302]\nexport {BAD}\n```\n"
    assert codes(text) == [("FG302", 5)]


def test_unused_suppression_is_reported():
    text = "<!-- flowgate-lint: disable-next-line FG302 -->\nNothing wrong here.\n"
    assert codes(text) == [("FG002", 1)]


def test_a_suppression_naming_no_rule_is_reported():
    text = "# T\n\n<!-- flowgate-lint: disable-next-line FG999 -->\nPoint Codex at `http://127.0.0.1:4000/v1`.\n"
    found = [f for f in lint_text(text, "doc.md") if f.code == "FG002"]
    assert len(found) == 1 and "FG999" in found[0].message and found[0].line == 3
