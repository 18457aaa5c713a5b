"""Large trees are linted over the cores; the result is the same as a serial run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from flowgate_lint.lint.engine import PARALLEL_MIN_FILES
from rulekit import SPEC_PATH


def test_parallel_run_equals_serial_run(tmp_path):
    (tmp_path / "config").mkdir()
    shutil.copy(SPEC_PATH, tmp_path / "config" / "flowgate.yaml")
    for i in range(PARALLEL_MIN_FILES + 50):
        port = 4000 + (i % 3)  # two thirds drift
        (tmp_path / f"doc{i:04d}.md").write_text(f"# Doc {i}\n\nUse `ANTHROPIC_BASE_URL=http://127.0.0.1:{port}/v1`.\n")
    outputs = {}
    for jobs in ("1", "2"):
        res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "--output-format", "json", "."], cwd=tmp_path,
                             capture_output=True, text=True, env={**os.environ, "FLOWGATE_LINT_JOBS": jobs})
        assert res.returncode == 1, res.stderr
        outputs[jobs] = res.stdout
    assert outputs["1"] == outputs["2"]
    assert outputs["1"].count('"code": "FG302"') == PARALLEL_MIN_FILES + 50


def test_parallel_fix_equals_serial_fix(tmp_path):
    trees = {}
    for jobs in ("1", "2"):
        root = tmp_path / jobs
        (root / "config").mkdir(parents=True)
        shutil.copy(SPEC_PATH, root / "config" / "flowgate.yaml")
        for i in range(PARALLEL_MIN_FILES + 20):
            port = 4000  # a structural fix (/v1 dropped): a port change is never a safe fix
            text = f"# Doc {i}\r\n\r\nUse `ANTHROPIC_BASE_URL=http://127.0.0.1:{port}/v1`.\r\n" if i % 2 else f"# Doc {i}\n\nNo URL.\n"
            if i % 7 == 0:  # a finding no fix can repair: it must come back from the workers
                text += "\nClaude Code cannot connect to the gateway directly.\n"
            (root / f"doc{i:04d}.md").write_bytes(text.encode())
        res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "--fix", "--output-format", "json", "."],
                             cwd=root, capture_output=True, text=True, env={**os.environ, "FLOWGATE_LINT_JOBS": jobs})
        assert res.returncode in (0, 1), res.stderr
        trees[jobs] = (res.stdout, {p.name: p.read_bytes() for p in sorted(root.glob("*.md"))})
        again = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "--fix", "."], cwd=root,
                               capture_output=True, text=True, env={**os.environ, "FLOWGATE_LINT_JOBS": jobs})
        assert {p.name: p.read_bytes() for p in sorted(root.glob("*.md"))} == trees[jobs][1], "second --fix changed files"
        assert again.returncode == res.returncode
    assert trees["1"] == trees["2"]
    assert trees["2"][0].count('"code": "FG101"') == len(range(0, PARALLEL_MIN_FILES + 20, 7))
    fixed = trees["2"][1]["doc0001.md"]
    assert fixed == b"# Doc 1\r\n\r\nUse `ANTHROPIC_BASE_URL=http://127.0.0.1:4000`.\r\n"  # CRLF kept, /v1 and port repaired
    assert trees["2"][1]["doc0002.md"] == b"# Doc 2\n\nNo URL.\n"
