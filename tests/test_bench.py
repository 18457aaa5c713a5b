"""The benchmark script runs (on a tiny corpus). Figures belong in bench/, not in timed tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_runs_on_a_tiny_corpus(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--corpora", str(tmp_path)], capture_output=True, text=True,
                         timeout=600, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    for case in ("python -c pass (baseline)", "flowgate-lint irrelevant.md", "flowgate-lint relevant.md (cold, --no-cache)",
                 "flowgate-lint relevant.md (warm cache)", "flowgate-lint relevant.md (just edited)",
                 "flowgate-lint relevant.md (edited earlier, first lint)",
                 "flowgate-lint tree (5% relevant, cold)", "flowgate-lint tree (5% relevant, warm cache)",
                 "flowgate-lint tree (all relevant, cold)", "flowgate-lint tree (all relevant, warm cache)",
                 "flowgate-lint harness cases", "flowgate-lint --fix (5% drift, cold)",
                 "flowgate-lint 2000 fences (--no-cache)", "flowgate-lint one fence of 2500 URL lines (--no-cache)",
                 "flowgate-lint 2500 prose lines with a client URL (--no-cache)",
                 "flowgate-lint server didOpen to diagnostics (cold)", "flowgate-lint server didOpen to diagnostics (warm)"):
        assert case in res.stdout, res.stdout
    assert "MiB" in res.stdout and "x pass" in res.stdout and "x floor5" in res.stdout and "ms cpu" in res.stdout
    targets = res.stdout.split("targets (medians")[1]
    for row in ("one relevant md, just edited", "one irrelevant file", "10k tree 5 %, --no-cache", "peak RSS, any case",
                "16k fences, one file", "one fence of 20k URL lines", "20k prose lines with a client URL",
                "server: didOpen to diagnostics, warm", "server: didOpen to diagnostics, cold"):
        assert row in targets, targets
