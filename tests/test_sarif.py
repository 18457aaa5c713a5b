"""SARIF output validated by Microsoft's SARIF multitool (npm @microsoft/sarif-multitool), which checks the
official SARIF 2.1.0 JSON schema plus its SARIF and GitHub (Gh) rule sets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MULTITOOL = ROOT / ".tools" / "node" / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"


def sarif_of(*args: str) -> dict:
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", *args, "--output-format", "sarif"], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode in (0, 1), res.stderr
    return json.loads(res.stdout)


def validate(tmp_path: Path, log: dict) -> list[dict]:
    """Error- and warning-level results of the multitool's validation (schema, SARIF and GitHub rules)."""
    if not MULTITOOL.exists():
        if os.environ.get("CI"):
            pytest.fail(f"SARIF multitool missing at {MULTITOOL}: scripts/test installs it")
        pytest.skip("SARIF multitool not installed (run ./scripts/test)")
    src, out = tmp_path / "in.sarif", tmp_path / "validation.sarif"
    src.write_text(json.dumps(log))
    res = subprocess.run([str(MULTITOOL), "validate", str(src), "--rule-kind", "Gh;Sarif", "--level", "Error;Warning",
                          "--output", str(out)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and out.exists(), res.stdout + res.stderr
    return json.loads(out.read_text())["runs"][0]["results"]


def test_demo_sarif_is_valid_for_the_schema_and_github(tmp_path):
    log = sarif_of("examples/demo")
    assert log["runs"][0]["results"], "the demo must produce results"
    problems = validate(tmp_path, log)
    assert problems == [], json.dumps(problems, indent=1)[:2000]


def test_validator_rejects_what_github_rejects(tmp_path):
    log = sarif_of("examples/demo")
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    ids = {r["ruleId"] for r in validate(tmp_path, log)}
    assert "JSON1008" in ids  # startLine below the schema's minimum of 1


def test_sarif_shape_github_relies_on():
    log = sarif_of("examples/demo")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all(r["helpUri"].endswith(f"/rules/{r['id']}.md") and r["help"]["text"] for r in rules)
    for result in run["results"]:
        loc = result["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"]["startLine"] >= 1
        assert result["partialFingerprints"]
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    fixed = [r for r in run["results"] if "fixes" in r]
    assert fixed and all(f["artifactChanges"] for r in fixed for f in r["fixes"])


def test_clean_run_is_valid_and_empty(tmp_path):
    log = sarif_of("examples/clean")
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []
    assert validate(tmp_path, log) == []
