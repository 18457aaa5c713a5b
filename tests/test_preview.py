"""Preview rules (first-contact precision below 0.95) run only when asked for: --preview, the setting, or
FLOWGATE_LINT_PREVIEW=1; never by default, and not by naming their code alone (as in ruff)."""

import os
import subprocess
import sys

import pytest

from flowgate_lint.plumbing import _triggers
from flowgate_lint.rules import all_rules, select_codes

CONFIG = """config_version: 2
services:
  litellm:
    host: 127.0.0.1
    port: 4000
litellm:
  model_list:
    - model_name: router-default
"""
DOC = "Start the gateway, then run `curl http://127.0.0.1:4001/v1/models`.\n"


def _repo(tmp_path, settings: str = ""):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flowgate.yaml").write_text(CONFIG)
    (tmp_path / "pyproject.toml").write_text('[tool.flowgate-lint]\nspec = "config/flowgate.yaml"\n' + settings)
    (tmp_path / "README.md").write_text(DOC)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    return tmp_path


def _run(root, *args, env_preview=None):
    env = {k: v for k, v in os.environ.items() if k != "FLOWGATE_LINT_PREVIEW"}
    if env_preview is not None:
        env["FLOWGATE_LINT_PREVIEW"] = env_preview
    return subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "--output-format", "concise", *args],
                          cwd=root, capture_output=True, text=True, env=env)


def test_the_preview_table_matches_the_rules():
    assert set(_triggers.PREVIEW) == {r.code for r in all_rules() if r.preview}
    assert "FG301" in _triggers.PREVIEW


def test_every_preview_rule_states_its_first_contact_figure_on_its_page():
    for rule in all_rules():
        if rule.preview:
            assert "first contact" in rule.first_contact and "## Preview" in rule.doc(), rule.code
        elif rule.preview_branch:  # a stable rule with one branch held back: the page says which, with its figure
            assert "first contact" in rule.preview_branch and "## Preview branch" in rule.doc(), rule.code
        else:
            assert "## Preview" not in rule.doc(), rule.code


def test_selection_holds_preview_rules_back_unless_preview():
    assert "FG301" not in select_codes(None)
    assert "FG301" not in select_codes(["FG301"])  # naming the code is not enough
    assert "FG301" in select_codes(None, preview=True)
    assert "FG503" in select_codes(None)  # a stable rule


@pytest.mark.parametrize("args, settings, env, fires", [
    ((), "", None, False),
    (("--select", "FG301"), "", None, False),
    (("--preview",), "", None, True),
    ((), "preview = true\n", None, True),
    ((), "", "1", True),
    (("--no-preview",), "preview = true\n", "1", False),
    ((), "preview = false\n", "1", False),
])
def test_preview_is_asked_for_by_flag_setting_or_environment(tmp_path, args, settings, env, fires):
    root = _repo(tmp_path, settings)
    res = _run(root, *args, env_preview=env)
    assert res.returncode == (1 if fires else 0), res.stdout + res.stderr
    assert ("FG301" in res.stdout) is fires


SMOKE = """#!/bin/sh
# smoke test
curl -s -X POST http://127.0.0.1:4000/v1/messages -H 'anthropic-version: 2023-06-01' -d @m.json
curl -fsS -X POST http://127.0.0.1:4000/v1/messages/count_tokens -H 'anthropic-version: 2023-06-01' -d @c.json || true
curl -fsS -X POST http://127.0.0.1:4000/v1/messages -H 'anthropic-version: 2023-06-01' -d @m.json || :
"""


def test_a_stable_rules_preview_branch_runs_only_with_preview(tmp_path):
    root = _repo(tmp_path)
    (root / "scripts").mkdir()
    (root / "scripts" / "smoke.sh").write_text(SMOKE)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    stable = _run(root, "--select", "FG204", ".")
    assert [line.split(":")[1] for line in stable.stdout.splitlines() if "FG204" in line] == ["4", "5"], stable.stdout
    preview = _run(root, "--select", "FG204", "--preview", ".")
    assert [line.split(":")[1] for line in preview.stdout.splitlines() if "FG204" in line] == ["3", "4", "5"], preview.stdout
