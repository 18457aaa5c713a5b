"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit framework in temporary git repositories.

The hook repository is a snapshot of this working tree (committed into a temp repo), so the
tests exercise exactly what a user's ``.pre-commit-config.yaml`` would install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import unavailable

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
SKIP = {".venv", ".venv-litellm", ".git", ".tools", "node_modules", ".flowgate-bench", ".pytest_cache", ".hypothesis",
        "__pycache__", "build", "dist"}

SPEC = """config_version: 2
services:
  litellm:
    host: 127.0.0.1
    port: {port}
integration:
  default_model: router-default
  fast_model: router-cheap
litellm_base:
  model_list:
    - model_name: router-default
    - model_name: router-cheap
"""

DOC = """# Claude Code

Point Claude Code at the gateway root:

```sh
export ANTHROPIC_BASE_URL={url}
```
"""



@pytest.fixture(autouse=True, scope="module")
def _git_required():
    """Without git none of this can run: a skip locally, a failure in CI (CI=true)."""
    if shutil.which("git") is None:
        unavailable("git", "git is required for the pre-commit tests")


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "-c", "commit.gpgsign=false",
                           *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """A git repository holding a snapshot of this working tree; returns (path, commit sha)."""
    dest = tmp_path_factory.mktemp("hookrepo") / "flowgate-lint"
    shutil.copytree(ROOT, dest, ignore=lambda d, names: [n for n in names if n in SKIP or n.endswith(".egg-info")])
    assert git(dest, "init", "-q").returncode == 0
    git(dest, "add", "-A")
    res = git(dest, "commit", "-qm", "snapshot")
    assert res.returncode == 0, res.stderr
    sha = git(dest, "rev-parse", "HEAD").stdout.strip()
    return dest, sha


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def make_project(tmp_path: Path, hook_repo: tuple[Path, str], hook_id: str, port: int = 4000,
                 url: str = "http://127.0.0.1:4000") -> Path:
    repo_path, sha = hook_repo
    project = tmp_path / "project"
    (project / "config").mkdir(parents=True)
    (project / "docs").mkdir()
    (project / "config" / "flowgate.yaml").write_text(SPEC.format(port=port))
    (project / "docs" / "claude.md").write_text(DOC.format(url=url))
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo_path}\n    rev: {sha}\n    hooks:\n      - id: {hook_id}\n")
    assert git(project, "init", "-q").returncode == 0
    return project


def run_commit(project: Path, home: Path, message: str = "change") -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    install = subprocess.run(PRE_COMMIT + ["install"], cwd=project, env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    git(project, "add", "-A")
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-m", message],
                          cwd=project, env=env, capture_output=True, text=True)


def test_commit_with_drift_is_blocked_and_findings_are_shown(tmp_path, hook_repo, pre_commit_home):
    project = make_project(tmp_path, hook_repo, "flowgate-lint", url="http://127.0.0.1:4000/v1")
    res = run_commit(project, pre_commit_home)
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    assert "docs/claude.md:6:" in out and "FG302" in out, out
    # pre-commit is not a terminal; the hook asks for the full format: the line, carets, the fix.
    assert "6 | export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n" in out and "^^^^ FG302" in out, out
    assert "  = fix: Set ANTHROPIC_BASE_URL to http://127.0.0.1:4000" in out, out
    assert git(project, "rev-parse", "HEAD").returncode != 0  # nothing was committed


def test_clean_commit_passes(tmp_path, hook_repo, pre_commit_home):
    project = make_project(tmp_path, hook_repo, "flowgate-lint")
    res = run_commit(project, pre_commit_home)
    assert res.returncode == 0, res.stdout + res.stderr
    assert git(project, "rev-parse", "HEAD").returncode == 0


def test_the_checked_repository_cannot_shadow_a_module_the_hook_imports(tmp_path, hook_repo, pre_commit_home):
    """The hook runs in the project's directory: none of the project's files may be imported in its place.
    (pre-commit's console script runs it: its own ``-m pre_commit`` git hook would import them itself.)"""
    project = make_project(tmp_path, hook_repo, "flowgate-lint", url="http://127.0.0.1:4000/v1")
    marker = tmp_path / "executed"
    for name in ("json", "re", "os", "pathlib", "flowgate_lint"):
        (project / f"{name}.py").write_text(f"open({str(marker)!r}, 'w').write({name!r})\n")
    git(project, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    script = Path(sys.executable).with_name("pre-commit")
    res = subprocess.run([str(script), "run", "--all-files"], cwd=project, env=env, capture_output=True, text=True)
    out = res.stdout + res.stderr
    assert not marker.exists(), f"the hook imported the project's {marker.read_text()}.py"
    assert res.returncode != 0 and "FG302" in out, out


def test_fix_hook_repairs_and_reports_modified_files(tmp_path, hook_repo, pre_commit_home):
    project = make_project(tmp_path, hook_repo, "flowgate-lint-fix", url="http://127.0.0.1:4000/v1")
    res = run_commit(project, pre_commit_home)
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    assert "files were modified by this hook" in out, out
    assert "export ANTHROPIC_BASE_URL=http://127.0.0.1:4000\n" in (project / "docs" / "claude.md").read_text()
    # The repaired files commit cleanly on the second try.
    res = run_commit(project, pre_commit_home)
    assert res.returncode == 0, res.stdout + res.stderr


def test_commit_that_changes_only_the_spec_is_blocked_by_the_docs_it_broke(tmp_path, hook_repo, pre_commit_home):
    project = make_project(tmp_path, hook_repo, "flowgate-lint")
    assert run_commit(project, pre_commit_home, "clean").returncode == 0
    spec = project / "config" / "flowgate.yaml"
    spec.write_text(SPEC.format(port=4100))
    res = run_commit(project, pre_commit_home, "move the gateway")
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    # Only the spec was passed to the hook; the finding is in a doc nobody touched.
    assert "docs/claude.md" in out and "FG302" in out and "4100" in out, out


def test_readme_snippet_is_pinned_to_a_commit_by_autoupdate_freeze(tmp_path, hook_repo, pre_commit_home):
    """The README's .pre-commit-config.yaml snippet and its pin command, run as written (the repository
    URL pointed at a local snapshot): rev becomes the newest commit's SHA, and the hook then runs."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from readme_command import command

    repo_path, sha = hook_repo
    url = "https://github.com/flowgate/flowgate-lint"
    config = command("pre-commit-config")
    pin = command("pre-commit-pin").strip()
    assert url in config and url in pin and "rev: COMMIT_SHA" in config
    project = make_project(tmp_path, hook_repo, "flowgate-lint", url="http://127.0.0.1:4000/v1")
    (project / ".pre-commit-config.yaml").write_text(config.replace(url, str(repo_path)))
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    argv = pin.replace(url, str(repo_path)).split()
    assert argv[0] == "pre-commit"
    res = subprocess.run(PRE_COMMIT + argv[1:], cwd=project, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    pinned = (project / ".pre-commit-config.yaml").read_text()
    assert f"    rev: {sha}  # a commit, pinned by `pre-commit autoupdate --freeze`\n" in pinned, pinned
    res = run_commit(project, pre_commit_home)
    assert res.returncode != 0 and "FG302" in res.stdout + res.stderr, res.stdout + res.stderr


def _readme_hook_project(tmp_path: Path, hook_repo) -> tuple[Path, dict]:
    project = make_project(tmp_path, hook_repo, "flowgate-lint", url="http://127.0.0.1:4000/v1")
    (project / ".pre-commit-config.yaml").unlink()
    git(project, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return project, env


def test_readme_try_repo_command_runs_the_hook_from_a_local_clone(tmp_path, hook_repo):
    """The README's `pre-commit try-repo` line, run as written with the clone's path filled in."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from readme_command import command

    argv = command("pre-commit-try-repo").strip().split()
    assert argv[:2] == ["pre-commit", "try-repo"] and "/path/to/flowgate-lint" in argv
    project, env = _readme_hook_project(tmp_path, hook_repo)
    argv = [str(hook_repo[0]) if a == "/path/to/flowgate-lint" else a for a in argv]
    res = subprocess.run(PRE_COMMIT + argv[1:], cwd=project, env=env, capture_output=True, text=True, timeout=900)
    out = res.stdout + res.stderr
    assert res.returncode == 1 and "docs/claude.md" in out and "FG302" in out, out


def test_readme_local_hook_runs_the_installed_flowgate_lint_without_network(tmp_path, hook_repo):
    """The README's `repo: local` config: the installed console script, no environment to build, so no pip and no
    network (a dead proxy would fail any download); its file filter and options are the published hook's."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from readme_command import command
    from ruamel.yaml import YAML

    config = command("pre-commit-local")
    [hook] = YAML(typ="safe", pure=True).load(config)["repos"][0]["hooks"]
    [published] = [h for h in YAML(typ="safe", pure=True).load((ROOT / ".pre-commit-hooks.yaml").read_text())
                   if h["id"] == "flowgate-lint"]
    for key in ("id", "name", "types", "files", "require_serial"):
        assert hook[key] == published[key], key
    assert hook["entry"].split()[1:] == published["entry"].split()[4:]  # the same options after the program
    project, env = _readme_hook_project(tmp_path, hook_repo)
    (project / ".pre-commit-config.yaml").write_text(config)
    git(project, "add", "-A")
    scripts = Path(sys.executable).parent
    assert (scripts / "flowgate-lint").exists()
    env.update(PATH=f"{scripts}{os.pathsep}{env['PATH']}", https_proxy="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9",
               HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9", PIP_NO_INDEX="1")
    res = subprocess.run(PRE_COMMIT + ["run", "--all-files"], cwd=project, env=env, capture_output=True, text=True,
                         timeout=300)
    out = res.stdout + res.stderr
    assert res.returncode == 1 and "docs/claude.md" in out and "FG302" in out, out
