"""The test suite's own rule: a missing tool is a skip locally and a failure in CI (CI=true)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import unavailable

ROOT = Path(__file__).resolve().parent.parent


def test_unavailable_fails_in_ci_and_skips_locally(monkeypatch):
    monkeypatch.delenv("FLOWGATE_REQUIRE_GIT", raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="git is required"):
        unavailable("git", "git is required")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        unavailable("git", "git is required")


def _pytest_without_git(*args: str, ci: bool) -> subprocess.CompletedProcess:
    """Run part of the suite with a PATH that has no git on it."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FLOWGATE_REQUIRE_GIT")}
    env["PATH"] = str(Path(sys.executable).parent)  # python, pytest, pre-commit; no git
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.skipif(any((Path(d) / "git").exists() for d in [str(Path(sys.executable).parent)]),
                    reason="git sits beside the interpreter")
def test_the_pre_commit_tests_fail_without_git_in_ci():
    target = "tests/test_precommit.py::test_clean_commit_passes"
    local = _pytest_without_git(target, ci=False)
    assert "1 skipped" in local.stdout, local.stdout + local.stderr
    ci = _pytest_without_git(target, ci=True)
    assert ci.returncode != 0 and "git is required" in ci.stdout, ci.stdout + ci.stderr
    assert "skipped" not in ci.stdout.splitlines()[-1]


def test_the_prefilter_tests_fail_without_ahocorasick_in_ci(tmp_path):
    """A runtime dependency missing: blocked with a sitecustomize that makes its import fail."""
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['ahocorasick_rs'] = None\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(tmp_path) + os.pathsep + env.get("PYTHONPATH", "")
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/test_prefilter.py::test_each_fragment_alone_on_both_engines", "-k", "automaton"]
    local = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert "skipped" in local.stdout.splitlines()[-1] and "failed" not in local.stdout, local.stdout
    ci = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**env, "CI": "true"}, timeout=300)
    assert ci.returncode != 0 and "ahocorasick_rs is not installed" in ci.stdout, ci.stdout[-3000:]
