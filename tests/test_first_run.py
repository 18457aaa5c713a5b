"""What a newcomer meets first: help that lists only what applies, and a clear word when dependencies are missing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from flowgate_lint import DEPENDENCIES
from flowgate_lint import needed_dependencies
from flowgate_lint.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent


def flowgate(*args: str, python: str = sys.executable, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-m", "flowgate_lint", *args], capture_output=True, text=True, **kw)


def _options(help_text: str) -> set[str]:
    return set(re.findall(r"(?m)^\s+(?:-\w, )?(--[\w-]+)", help_text))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_subcommand_help_lists_only_options_that_apply(command):
    res = flowgate(command, "--help", env={**os.environ, "COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    assert "lint every file" not in res.stdout and "result cache" not in res.stdout  # lint-only caches
    assert "above the paths" not in res.stdout  # subcommands take no paths
    assert "--version" not in res.stdout and "--fix" not in res.stdout
    if command == "doctor":
        assert "never writes it" in res.stdout  # doctor is read-only, and says so


def test_lint_help_keeps_the_lint_options():
    res = flowgate("--help", env={**os.environ, "COLUMNS": "200"})
    assert {"--fix", "--no-cache", "--version", "--output-format", "--statistics", "--show-fixes",
            "--stdin-filename"} <= _options(res.stdout)
    assert "lint every file" in res.stdout and "above the paths" in res.stdout


def test_dependency_list_matches_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [re.split(r"[<>=;! ]", d, maxsplit=1)[0] for d in declared]
    assert names == [dist for dist, _ in DEPENDENCIES]


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> str:
    """A Python with none of flowgate-lint's dependencies (a venv without site packages or pip)."""
    target = tmp_path_factory.mktemp("bare") / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=False).create(target)
    return str(target / "bin" / "python")


@pytest.mark.parametrize("args", [["examples/demo"], ["README.md"], ["print", "codex"], ["doctor"]])
def test_missing_dependencies_are_named_with_how_to_install_them(bare_python, args):
    # No caches: a warm spec cache would let a command run without the YAML parser.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FLOWGATE_LINT_NO_CACHE": "1"}
    res = flowgate(*args, python=bare_python, cwd=ROOT, env=env)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr
    [line] = res.stderr.splitlines()  # one line
    assert line.startswith("flowgate-lint: its dependencies are not installed for " + bare_python)
    for dist in needed_dependencies():
        assert dist in line
    assert "python3 -m venv .venv && .venv/bin/python -m pip install " + str(ROOT) in line
