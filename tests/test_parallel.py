"""Large trees are linted over the cores; the result is the same as a serial run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from flowgate_lint.engine import PARALLEL_MIN_FILES
from rulekit import SPEC_PATH


def test_parallel_run_equals_serial_run(tmp_path):
    (tmp_path / "config").mkdir()
    shutil.copy(SPEC_PATH, tmp_path / "config" / "flowgate.yaml")
    for i in range(PARALLEL_MIN_FILES + 50):
        port = 4000 + (i % 3)  # two thirds drift
        (tmp_path / f"doc{i:04d}.md").write_text(f"# Doc {i}\n\nUse `ANTHROPIC_BASE_URL=http://127.0.0.1:{port}/v1`.\n")
    outputs = {}
    for jobs in ("1", "2"):
        res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--output-format", "json", "."], cwd=tmp_path,
                             capture_output=True, text=True, env={**os.environ, "FLOWGATE_LINT_JOBS": jobs})
        assert res.returncode == 1, res.stderr
        outputs[jobs] = res.stdout
    assert outputs["1"] == outputs["2"]
    assert outputs["1"].count('"code": "FG302"') == PARALLEL_MIN_FILES + 50
