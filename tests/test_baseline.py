"""Baselines: keyed by fingerprint, not line; new findings reported; stale entries listed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from rulekit import SPEC_PATH

DOC = "# Setup\n\nUse `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1`.\n\nAnd `ANTHROPIC_DEFAULT_HAIKU_MODEL=gpt-4o`.\n"


def run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=repo, capture_output=True, text=True)


def make(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "config").mkdir(parents=True)
    shutil.copy(SPEC_PATH, repo / "config" / "flowgate.yaml")
    (repo / "doc.md").write_text(DOC)
    # The config pins the slots, so every copy in the docs must match it (FG401 fires in docs).
    (repo / "flowgate-lint.toml").write_text('claude-model = "router-default"\nhaiku-model = "router-cheap"\n')
    return repo


def test_baseline_survives_inserted_lines_reports_new_and_stale(tmp_path):
    repo = make(tmp_path)
    res = run(repo, "--write-baseline", "baseline.json", ".")
    assert res.returncode == 0 and "wrote 2 finding(s)" in res.stderr
    entries = json.loads((repo / "baseline.json").read_text())["entries"]
    assert {e["code"] for e in entries} == {"FG302", "FG401"} and all("line" not in e for e in entries)

    (repo / "doc.md").write_text("# Intro\n\nMore text above.\n\n" + DOC)  # lines move down
    res = run(repo, "--baseline", "baseline.json", ".")
    assert res.returncode == 0 and res.stdout == "No findings.\n", res.stdout

    (repo / "doc.md").write_text((repo / "doc.md").read_text() + "\nAlso `ANTHROPIC_MODEL=router-cheap`.\n")
    res = run(repo, "--baseline", "baseline.json", ".")
    assert res.returncode == 1 and "FG401 ANTHROPIC_MODEL is 'router-cheap'" in res.stdout
    assert "FG302" not in res.stdout

    (repo / "doc.md").write_text((repo / "doc.md").read_text().replace("4000/v1", "4000"))  # drift fixed
    res = run(repo, "--baseline", "baseline.json", ".")
    assert "doc.md: baseline entry FG302 no longer matches" in res.stderr and "stale" in res.stderr


def test_a_bad_baseline_file_is_one_line_exit_2(tmp_path):
    repo = make(tmp_path)
    (repo / "baseline.json").write_text("{not json")
    res = run(repo, "--baseline", "baseline.json", ".")
    assert res.returncode == 2 and res.stderr.startswith("baseline.json:1: invalid baseline JSON")
    (repo / "baseline.json").write_text('{"version": 9, "entries": []}')
    res = run(repo, "--baseline", "baseline.json", ".")
    assert res.returncode == 2 and "not a flowgate-lint baseline" in res.stderr
