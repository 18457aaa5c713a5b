"""apply / restore / doctor on hostile or broken surroundings: FIFOs, symlinks, torn backups, a full disk.

Each case ends in one line naming the file, a non-zero exit, no traceback, the user's file intact,
and nothing left behind that restore could mistake for a backup."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from flowgate_lint.cli import main
from rulekit import SPEC_PATH

SETTINGS = '{\n  "permissions": {"allow": ["Bash(ls)"]},\n  "env": {"KEEP": 1}\n}\n'
CODEX = '# mine\nmodel = "gpt-5"\n\n[mcp_servers.docs]\ncommand = "npx"\n'
TOKEN = "sk-PLANTEDapplySafety0123456789abcdefXYZ"


def cli(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command in a subprocess; ``timeout`` is a hang guard (a FIFO that blocks fails the test, not the run)."""
    spec = [] if args[0] == "restore" else ["--spec", str(SPEC_PATH)]
    full = {k: v for k, v in os.environ.items() if k not in ("CODEX_HOME", "CLAUDE_CONFIG_DIR", "ANTHROPIC_AUTH_TOKEN")}
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args, *spec], capture_output=True, text=True,
                          env={**full, **(env or {})}, timeout=timeout, stdin=subprocess.DEVNULL)


def one_line(res: subprocess.CompletedProcess, *needles: str) -> str:
    """The single stderr line of a refused command, checked for the usual promises."""
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    lines = [line for line in res.stderr.splitlines() if line]
    assert len(lines) == 1, res.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def backups_of(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".flowgate-backup.*"))


def leftovers(directory: Path, *keep: str) -> list[str]:
    """Files in ``directory`` other than ``keep``: backups, markers and temp files."""
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


# ----------------------------------------------------------------------------- FIFOs and other non-files


@pytest.mark.parametrize("client,name", [("claude-code", "settings.json"), ("codex", "config.toml")])
def test_a_fifo_in_place_of_the_config_is_refused_without_blocking(tmp_path, client, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    for args in (["apply", client, "--target", str(fifo)], ["apply", client, "--target", str(fifo), "--dry-run"],
                 ["restore", client, "--target", str(fifo)]):
        if args[0] == "restore":
            (tmp_path / f"{name}.flowgate-backup.20260101T000000.000000Z").write_text(SETTINGS if client != "codex" else CODEX)
        res = cli(*args, timeout=20)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        one_line(res, str(fifo), "not a regular file")
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    target = "--claude-target" if client == "claude-code" else "--codex-target"
    res = cli("doctor", target, str(fifo), timeout=20)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert f"{fifo}: not a regular file" in res.stdout


def test_a_fifo_reached_through_a_symlink_is_refused_too(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "settings.json"
    link.symlink_to(fifo)
    res = cli("apply", "claude-code", "--target", str(link), timeout=20)
    assert res.returncode == 2
    one_line(res, str(link), "not a regular file")
    assert backups_of(link) == []
