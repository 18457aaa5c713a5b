"""The README's commands, run exactly as written: the quick start in a fresh clone with the system Python
(Debian's /usr/bin/python3 when it exists: externally managed, PEP 668) and an empty environment, so a
pyenv or virtualenv Python on PATH cannot hide a failure; and .ci/run runs the README's test command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gateway import unavailable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from readme_command import command  # noqa: E402

# What pip needs to reach the package index configured on this machine (a mirror, a proxy, a CA).
PASS_THROUGH = re.compile(r"^(PIP_[A-Z_]+|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY|SSL_CERT_FILE|SSL_CERT_DIR)$")
USER_PIP_CONFIGS = (".config/pip/pip.conf", ".pip/pip.conf")


def system_python() -> Path:
    """Debian's own interpreter when it exists, else the first python3 outside any virtualenv/pyenv shim."""
    debian = Path("/usr/bin/python3")
    if debian.exists():
        return debian
    found = shutil.which("python3", path=os.defpath)
    if found is None:
        unavailable("readme", "no system python3 to run the README quick start with")
    return Path(found)


def minimal_env(home: Path, python: Path) -> list[str]:
    """``env -i`` arguments: HOME, a PATH of system directories only, and pip's index settings."""
    path = "/usr/bin:/bin" if python.parent in (Path("/usr/bin"), Path("/bin")) else f"{python.parent}:/usr/bin:/bin"
    keep = {k: v for k, v in os.environ.items() if PASS_THROUGH.match(k)}
    real_home = Path.home()
    for rel in USER_PIP_CONFIGS:  # the user's pip config (an index mirror), as that user would have it
        if (real_home / rel).is_file():
            (home / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(real_home / rel, home / rel)
    if os.environ.get("PIP_CONFIG_FILE") and Path(os.environ["PIP_CONFIG_FILE"]).is_file():
        shutil.copyfile(os.environ["PIP_CONFIG_FILE"], home / "pip.conf")
        keep["PIP_CONFIG_FILE"] = str(home / "pip.conf")
    return ["env", "-i", f"HOME={home}", f"PATH={path}", *(f"{k}={v}" for k, v in sorted(keep.items()))]


def fresh_clone(tmp_path: Path) -> Path:
    """A clone of this working tree as it is now (tracked and untracked files, not ignored ones)."""
    if shutil.which("git") is None:
        unavailable("readme", "git is required to clone the repository")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    src = tmp_path / "src"
    for rel in filter(None, listed):
        if (ROOT / rel).is_file() and not (ROOT / rel).is_symlink():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, src / rel)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "-c", "commit.gpgsign=false"]
    subprocess.run(git + ["init", "-q"], cwd=src, check=True)
    subprocess.run(git + ["add", "-A"], cwd=src, check=True)
    subprocess.run(git + ["commit", "-qm", "snapshot"], cwd=src, check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(src), str(clone)], check=True)
    return clone


def test_the_readme_quick_start_works_literally_in_a_fresh_clone_with_the_system_python(tmp_path):
    cmd = command("quick-start")
    assert cmd.count("\n") == 1, "the quick start is one command line"
    python = system_python()
    clone = fresh_clone(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    res = subprocess.run([*minimal_env(home, python), "sh", "-c", cmd], cwd=clone, capture_output=True, text=True,
                         timeout=900)
    out = res.stdout + res.stderr
    assert res.returncode == 1, f"exit {res.returncode}:\n{out[-4000:]}"  # the demo has findings: exit 1
    found = re.search(r"^Found (\d+) findings in (\d+) files\.", res.stdout, re.M)
    assert found and 20 <= int(found.group(1)) <= 40, out[-4000:]  # "prints about 30 findings"
    assert "error" not in res.stderr.lower(), res.stderr
    assert (clone / ".venv" / "bin" / "flowgate-lint").exists()


def test_the_old_quick_start_would_fail_on_this_system_python(tmp_path):
    """The environment above is the one the issue hit: plain ``pip install .`` is refused there."""
    python = system_python()
    marker = list(Path(python).resolve().parent.parent.glob("lib/python3*/EXTERNALLY-MANAGED"))
    if not marker:
        pytest.skip(f"{python} is not externally managed (PEP 668)")
    home = tmp_path / "home"
    home.mkdir()
    res = subprocess.run([*minimal_env(home, python), str(python), "-m", "pip", "install", "--dry-run", "--no-deps",
                          str(ROOT)], capture_output=True, text=True, timeout=300)
    assert res.returncode != 0
    assert "externally-managed-environment" in res.stderr or "No module named pip" in res.stderr, res.stderr


def test_ci_runs_the_readme_test_command():
    assert command("tests") == "./scripts/test\n"
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'cmd=$(.venv/bin/python scripts/readme_command.py tests)' in ci and 'exec bash -c "$cmd"' in ci
    assert ci.index("pip install") < ci.index("readme_command.py")  # installs from scratch first
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "readme_command.py"), "tests"], capture_output=True,
                         text=True)
    assert res.returncode == 0 and res.stdout == "./scripts/test\n"


def test_readme_command_blocks_are_found_exactly(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- readme-command: one -->\n```sh\na && b\n```\n\n<!-- readme-command: two -->\n\ntext\n")
    assert command("one", readme) == "a && b\n"
    with pytest.raises(ValueError, match="readme-command two has no fenced block"):
        command("two", readme)
    with pytest.raises(KeyError):
        command("three", readme)
