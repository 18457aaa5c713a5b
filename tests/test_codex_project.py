"""FG511 on a repository's own .codex/config.toml: found in a project, left alone in a dotfiles repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rulekit import SPEC_PATH

PROJECT = 'model = "router-default"\nmodel_provider = "flowgate"\n\n[model_providers.flowgate]\nname = "F"\n' \
          'base_url = "http://127.0.0.1:4000/v1"\n'


def lint(root: Path) -> list[dict]:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--preview", "--select", "FG511", "--output-format",
                          "json", "--no-cache", "--spec", str(SPEC_PATH), "."], cwd=root, capture_output=True, text=True)
    assert res.returncode in (0, 1), res.stderr
    return json.loads(res.stdout)


@pytest.mark.parametrize("where", [".codex/config.toml", "services/api/.codex/config.toml"])
def test_a_projects_codex_config_with_provider_keys_is_reported(tmp_path, where):
    path = tmp_path / where
    path.parent.mkdir(parents=True)
    path.write_text(PROJECT)
    found = lint(tmp_path)
    assert [(f["path"].replace("\\", "/"), f["line"]) for f in found] == [(where, 2), (where, 4)]
    assert "model_provider" in found[0]["message"]


def test_a_dotfiles_repositorys_codex_config_is_a_home_config(tmp_path):
    (tmp_path / ".codex").mkdir()
    (tmp_path / ".codex" / "config.toml").write_text(PROJECT)
    (tmp_path / ".zshrc").write_text("export EDITOR=vim\n")
    assert lint(tmp_path) == []


def test_a_project_config_that_only_picks_the_model_is_fine(tmp_path):
    (tmp_path / ".codex").mkdir()
    (tmp_path / ".codex" / "config.toml").write_text('model = "router-default"\n')
    assert lint(tmp_path) == []
