"""The GitHub Action: valid YAML with the expected inputs; the command it runs gives valid annotations and SARIF."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent


def load(path: Path):
    return YAML(typ="safe", pure=True).load(path.read_text())


def test_action_is_a_composite_with_the_expected_inputs():
    action = load(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "args", "sarif-file", "python-version", "verify-url"}
    assert set(action["outputs"]) == {"sarif-file"}
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    run = "\n".join(s.get("run", "") for s in steps)
    assert 'pip install' in run and "$GITHUB_ACTION_PATH" in run
    assert "--output-format github" in run and "--output-format sarif" in run
    assert "${{" not in run  # inputs reach the script through env, never by template expansion
    assert all(s.get("shell") == "bash" for s in steps if "run" in s)


def test_the_action_leaves_the_callers_python_alone_and_caches_its_install():
    steps = load(ROOT / "action.yml")["runs"]["steps"]
    setup = steps[0]
    # setup-python without update-environment puts its python first on PATH for every later step of the job
    assert setup["with"]["update-environment"] is False and setup["id"] == "python"
    run = "\n".join(s.get("run", "") for s in steps)
    assert not re.search(r"(?m)^\s*python3? ", run) and "GITHUB_PATH" not in run and "GITHUB_ENV" not in run
    install = _step("Install flowgate-lint")
    assert install["env"]["FLOWGATE_PYTHON"] == "${{ steps.python.outputs.python-path }}"
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert cache["uses"] == "actions/cache@v4" and cache["with"]["path"] == install["env"]["FLOWGATE_VENV"]
    assert steps.index(cache) < steps.index(install)


def _step(name: str) -> dict:
    return next(s for s in load(ROOT / "action.yml")["runs"]["steps"] if s.get("name") == name)


def _run_step(name: str, tmp_path: Path, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    """Run one of the action's shell steps here as the runner would (bash -e -o pipefail, the step's env with the
    inputs filled in), against this checkout as the action's path and this interpreter's environment as its venv."""
    step = _step(name)
    script = tmp_path / f"{name.replace(' ', '-')}.sh"
    script.write_text(step["run"])
    full = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWGATE_", "GITHUB_"))}
    full.update(GITHUB_ACTION_PATH=str(ROOT), RUNNER_TEMP=str(tmp_path), GITHUB_OUTPUT=str(tmp_path / "output"),
                RUNNER_OS="Linux", RUNNER_ARCH="X64", FLOWGATE_VENV=sys.prefix, FLOWGATE_PYTHON=sys.executable,
                FLOWGATE_PATHS=".", FLOWGATE_ARGS="", FLOWGATE_SARIF="", FLOWGATE_PYTHON_VERSION="3.12.0")
    full.update(env)
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture()
def repo(tmp_path):
    import shutil

    dest = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "demo", dest)
    (dest / "docs" / "my notes.md").write_text("Point Claude Code at `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1`.\n")
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    return dest


def _annotated(res: subprocess.CompletedProcess) -> set[str]:
    return {m.group(1) for m in re.finditer(r"(?m)^::\w+ file=([^,]+),", res.stdout)}


def test_the_install_step_reuses_a_working_environment(tmp_path):
    res = _run_step("Install flowgate-lint", tmp_path)
    assert res.returncode == 0 and "installed from the cache" in res.stdout, res.stdout + res.stderr


def test_the_key_step_names_the_runner_the_python_and_the_sources(tmp_path):
    res = _run_step("Key the install", tmp_path)
    assert res.returncode == 0, res.stderr
    out = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    assert re.fullmatch(r"flowgate-lint-venv-Linux-X64-py3\.12\.0-\d+", out["key"]) and out["venv"].startswith(str(tmp_path))


def test_quoted_args_reach_flowgate_lint_as_a_shell_would_split_them(repo, tmp_path):
    plain = _run_step("Run flowgate-lint", tmp_path, cwd=repo)
    assert plain.returncode == 1 and any(p.startswith("docs/") for p in _annotated(plain)), plain.stdout + plain.stderr
    # read -a kept the quotes: --extend-exclude '"docs/*"' matched nothing and docs/ was still linted
    for args in ('--extend-exclude "docs/*"', "--extend-exclude 'docs/*'", "--extend-exclude=docs/\\*"):
        res = _run_step("Run flowgate-lint", tmp_path, cwd=repo, FLOWGATE_ARGS=args)
        files = _annotated(res)
        assert res.returncode == 1 and files and not any(p.startswith("docs/") for p in files), (args, res.stdout, res.stderr)


def test_a_quoted_path_with_a_space_is_one_path(repo, tmp_path):
    res = _run_step("Run flowgate-lint", tmp_path, cwd=repo, FLOWGATE_PATHS='"docs/my notes.md" README.md')
    assert res.returncode == 1 and _annotated(res) == {"docs/my notes.md", "README.md"}, res.stdout + res.stderr


def test_unbalanced_quotes_are_a_clear_error(repo, tmp_path):
    res = _run_step("Run flowgate-lint", tmp_path, cwd=repo, FLOWGATE_ARGS='--extend-exclude "docs/*')
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stdout.startswith("::error title=flowgate-lint::input 'args': No closing quotation"), res.stdout


def test_the_sarif_file_is_written_and_the_annotated_run_decides(repo, tmp_path):
    res = _run_step("Run flowgate-lint", tmp_path, cwd=repo, FLOWGATE_SARIF="out dir.sarif", FLOWGATE_ARGS="--select FG3")
    assert res.returncode == 1 and (repo / "out dir.sarif").exists(), res.stdout + res.stderr
    assert json.loads((repo / "out dir.sarif").read_text())["runs"][0]["results"]


def test_verify_runs_only_when_a_url_is_given_and_reports_a_silent_gateway(repo, tmp_path):
    step = _step("Verify the docs against the gateway")
    assert "inputs.verify-url != ''" in step["if"] and "!cancelled()" in step["if"]
    from gateway import free_port

    res = _run_step("Verify the docs against the gateway", tmp_path, cwd=repo,
                    FLOWGATE_VERIFY_URL=f"http://127.0.0.1:{free_port()}")
    assert res.returncode == 2 and "did not answer as expected" in res.stderr, res.stdout + res.stderr


def test_the_documented_workflow_is_valid_yaml_using_the_action():
    text = (ROOT / "docs" / "github-actions.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    workflow = YAML(typ="safe", pure=True).load(block)
    steps = workflow["jobs"]["flowgate-lint"]["steps"]
    action = next(s for s in steps if s.get("uses", "").startswith("flowgate/flowgate-lint@"))
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"  # v3 is deprecated
    assert upload["with"]["sarif_file"] == f"${{{{ steps.{action['id']}.outputs.sarif-file }}}}"  # the action's output
    assert action["with"]["sarif-file"]
    # a private repository's upload needs actions: read; a fork's pull request has no security-events: write
    assert workflow["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    assert "always()" in upload["if"] and "github.event.pull_request.head.repo.full_name == github.repository" in upload["if"]
    assert "Pull requests from forks" in text and "annotations" in text.split("Pull requests from forks")[1]
    outputs = load(ROOT / "action.yml")["outputs"]
    assert all(f"| `{name}` |" in text for name in outputs)  # every output is documented
    assert all(f"| `{name}` |" in text for name in load(ROOT / "action.yml")["inputs"])


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
