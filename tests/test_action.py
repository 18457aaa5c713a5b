"""The GitHub Action: valid YAML with the expected inputs; the command it runs gives valid annotations and SARIF."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent


def load(path: Path):
    return YAML(typ="safe", pure=True).load(path.read_text())


def test_action_is_a_composite_with_the_expected_inputs():
    action = load(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "args", "sarif-file", "python-version"}
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    run = "\n".join(s.get("run", "") for s in steps)
    assert 'pip install' in run and "$GITHUB_ACTION_PATH" in run
    assert "--output-format github" in run and "--output-format sarif" in run
    assert "${{" not in run  # inputs reach the script through env, never by template expansion
    assert all(s.get("shell") == "bash" for s in steps if "run" in s)


def test_the_documented_workflow_is_valid_yaml_using_the_action():
    text = (ROOT / "docs" / "github-actions.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    workflow = YAML(typ="safe", pure=True).load(block)
    steps = workflow["jobs"]["flowgate-lint"]["steps"]
    assert any(s.get("uses", "").startswith("flowgate/flowgate-lint@") for s in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == next(s for s in steps if "with" in s and "sarif-file" in s["with"])["with"]["sarif-file"]


def test_the_action_command_gives_well_formed_annotations():
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "examples/demo", "--output-format", "github"], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 1
    annotations = [line for line in res.stdout.splitlines() if line.startswith("::")]
    pattern = re.compile(r"^::(error|warning|notice) (file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^:]+|title=flowgate-lint)::.+$")
    assert annotations and all(pattern.match(a) for a in annotations), [a for a in annotations if not pattern.match(a)]
    assert "::notice title=flowgate-lint::" in res.stdout  # more than 10 errors: the overflow is stated
    assert "Found " in res.stdout  # the full text report follows the annotations


def test_the_action_sarif_run_writes_a_report_and_exits_zero(tmp_path):
    out = tmp_path / "report.sarif"
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "examples/demo", "--output-format", "sarif",
                          "--output-file", str(out), "--exit-zero"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout == ""
    log = json.loads(out.read_text())
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]
