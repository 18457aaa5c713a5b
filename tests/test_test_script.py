"""./scripts/test when npm cannot install (offline, a proxy, a registry outage): one line says what failed and
the suite runs anyway; and pip's editable install prints no setuptools banner.

The script runs in a scratch copy of the checkout whose .venv/bin/python is a stand-in: pip calls are recorded
(nothing is installed), anything else runs the real interpreter in this checkout (so pytest really runs)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """scripts/test run once in the scratch copy, npm pointed at a registry that refuses connections."""
    tmp_path = tmp_path_factory.mktemp("script")
    work = tmp_path / "checkout"
    (work / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "test", work / "scripts" / "test")
    _executable(work / ".venv" / "bin" / "python",
                "#!/bin/sh\n"
                'if [ "$1 $2" = "-m pip" ]; then\n'
                f'  echo "pip PYTHONWARNINGS=$PYTHONWARNINGS $*" >> "{tmp_path}/pip.log"; exit 0\n'
                "fi\n"
                f'cd "{ROOT}" && exec "{sys.executable}" "$@"\n')
    _executable(work / ".venv-litellm" / "bin" / "litellm", "#!/bin/sh\nexit 0\n")
    env = {**os.environ, "npm_config_registry": "http://127.0.0.1:9/", "npm_config_fetch_retries": "0",
           "npm_config_cache": str(tmp_path / "npm-cache"), "FLOWGATE_NODE_TOOLS": str(tmp_path / "node")}
    env.pop("PYTHONWARNINGS", None)
    res = subprocess.run([str(work / "scripts" / "test"), "--co", "-q", "-p", "no:cacheprovider",
                          "tests/test_layers.py"], capture_output=True, text=True, env=env, timeout=300)
    return res, tmp_path


def test_npm_failure_is_one_line_and_the_suite_still_runs(run):
    res, tmp_path = run
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed (the script skips the Node tools without it)")
    assert res.returncode == 0, res.stdout + res.stderr
    [line] = [ln for ln in res.stderr.splitlines() if "npm" in ln]  # one line about npm, nothing else from it
    assert line.startswith(f"scripts/test: npm could not install the Node tools into {tmp_path / 'node'} (")
    assert "ECONNREFUSED" in line and "127.0.0.1:9" in line  # what failed
    assert "npm-install.log" in line and "skip" in line and "CI=true" in line
    assert "tests/test_layers.py::" in res.stdout  # pytest was invoked, with the arguments given


def test_the_editable_install_banner_is_silenced(run):
    res, tmp_path = run
    editable = [ln for ln in (tmp_path / "pip.log").read_text().splitlines() if " -e " in ln]
    assert editable and all("PYTHONWARNINGS=ignore:Editable installation" in ln for ln in editable), editable
    assert res.returncode == 0, res.stdout + res.stderr
