"""flowgate-lint checks this repository's own docs and examples (settings in pyproject.toml) and finds no drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_project_passes_its_own_linter():
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--check", "."], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout == "No findings.\n"


def test_the_managed_snippets_in_the_docs_are_current():
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--diff", "docs", "README.md"], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout == "", res.stdout
