"""Illustrative blocks (pattern 7): a Markdown fence is not a config file. Only a block the doc presents as a
complete file to copy gets a parse warning; JSON comments are read past so the values are still checked; files
in the repository keep the FG001 error."""

from __future__ import annotations

import pytest

from rulekit import lint_text

SILENT = {
    "jsonc comments": "```jsonc\n{\n  // the proxy root\n  \"env\": {\"ANTHROPIC_MODEL\": \"router-default\"} // ok\n}\n```\n",
    "json comments and a trailing comma": "```json\n{\n  \"env\": {\"ANTHROPIC_MODEL\": \"router-default\",},\n}\n```\n",
    "json5": "```json5\n{env: {ANTHROPIC_MODEL: 'router-default'}}\n```\n",
    "request and response": "```json\nPOST /v1/messages\n{\"model\": \"router-default\"}\n\n200 OK\n{\"id\": \"msg_1\"}\n```\n",
    "fragment": "The model is one line inside `env`:\n\n```json\n\"ANTHROPIC_MODEL\": \"router-default\"\n```\n",
    "fragment of a named file": "Add this to `~/.claude/settings.json`:\n\n```json\n\"ANTHROPIC_MODEL\": \"router-default\"\n```\n",
    "before and after": "```toml\n# before\nbase_url = \"http://127.0.0.1:4000\"\n# after\nbase_url = \"http://127.0.0.1:4000/v1\"\n```\n",
    "ellipsis": "Save this file as `~/.codex/config.toml`:\n\n```toml\n[model_providers.flowgate]\n...\n```\n",
    "edit part of a named file": "编辑 `.github/workflows/auto-release.yml` 中的版本计算逻辑：\n\n```yaml\n# bump\nNEW_PATCH=$((PATCH + 1))\nx: [\n```\n",
    "another tool's complete file": "Save this as `.github/workflows/lint.yml`:\n\n```yaml\non: [push]\njobs:\n  lint: [\n```\n",
    "pasted file with a comment line": "```json\n// ~/.claude/settings.json\n{\"env\": {\"ANTHROPIC_MODEL\": \"router-default\"}}\n```\n",
}


@pytest.mark.parametrize("name", SILENT)
def test_illustrative_block_gets_no_parse_finding(name):
    assert [f for f in lint_text("# Doc\n\n" + SILENT[name], "doc.md") if f.code == "FG001"] == []


def test_complete_file_to_copy_gets_a_parse_warning():
    text = "# Doc\n\nSave this file as `~/.codex/config.toml`:\n\n```toml\n[model_providers.flowgate]\nname = \"x\n```\n"
    found = [f for f in lint_text(text, "doc.md") if f.code == "FG001"]
    assert [(f.line, f.severity) for f in found] == [(7, "warning")]


def test_values_inside_commented_json_are_still_checked():
    text = "# Doc\n\n```jsonc\n{\n  // the proxy root\n  \"env\": {\"ANTHROPIC_BASE_URL\": \"http://127.0.0.1:4000/v1\"}\n}\n```\n"
    assert [f.line for f in lint_text(text, "doc.md", ["FG302"])] == [6]


def test_repository_files_keep_the_error():
    found = [f for f in lint_text('{"env": {"ANTHROPIC_MODEL": "router-default"}, // no\n}\n', "settings.json") if f.code == "FG001"]
    assert [(f.line, f.severity) for f in found] == [(1, "error")]
    assert [f for f in lint_text('{\n  // ok in jsonc\n  "a": 1\n}\n', "settings.jsonc") if f.code == "FG001"] == []


@pytest.mark.parametrize("name,reported", [
    (".devcontainer/devcontainer.json", False),
    (".vscode/settings.json", False),
    ("tsconfig.base.json", False),
    ("examples/claude/settings.json", True),
])
def test_json_with_comments_by_definition_is_read_as_such(name, reported):
    text = '{\n  // the dev container\n  "name": "claude",\n  "containerEnv": {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000"},\n}\n'
    codes = [f.code for f in lint_text(text, name)]
    assert ("FG001" in codes) == reported, codes
