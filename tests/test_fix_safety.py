"""--fix writes only what it may: never over a concurrent edit, never outside the repository, never a file
it would damage (hard links, owner, read-only), never after its run was killed, and leaves no temp files."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from flowgate_lint import fixes
from flowgate_lint.cli import main
from rulekit import SPEC_PATH

DRIFT = "# Doc\n\nUse `ANTHROPIC_BASE_URL=http://127.0.0.1:4001/v1` here.\n"
FIXED = "# Doc\n\nUse `ANTHROPIC_BASE_URL=http://127.0.0.1:4000` here.\n"


def project(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "config").mkdir(parents=True)
    shutil.copy(SPEC_PATH, repo / "config" / "flowgate.yaml")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def fix(repo: Path, monkeypatch, *paths: str) -> int:
    monkeypatch.chdir(repo)
    return main(["--fix", "--no-cache", "--output-format", "concise", *(paths or ["."])])


def edit_while_fixing(monkeypatch, edit) -> None:
    """Run ``edit(path)`` after the fixer has read a file and computed its fix, before it writes."""
    real = fixes.fix_host

    def fix_host(host, ctx, eligible):
        outcome = real(host, ctx, eligible)
        edit(Path(host.abspath))
        return outcome

    monkeypatch.setattr(fixes, "fix_host", fix_host)


# ----------------------------------------------------------------------------- concurrent edits


def test_an_edit_made_while_fixing_is_kept_and_reported(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    doc = repo / "doc.md"
    doc.write_text(DRIFT)
    edited = DRIFT + "\nA line the user added meanwhile.\n"
    edit_while_fixing(monkeypatch, lambda path: path.write_text(edited))
    assert fix(repo, monkeypatch, "doc.md") == 2
    captured = capsys.readouterr()
    assert doc.read_text() == edited, "the concurrent edit was lost"
    assert "doc.md: changed while fixing; left unchanged" in captured.err
    assert "doc.md:3:" in captured.out and "Fixed" not in captured.out  # the finding stands
    assert not list(repo.glob(".*.flowgate-tmp"))


def test_a_same_size_edit_with_the_old_mtime_is_still_caught(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    doc = repo / "doc.md"
    doc.write_text(DRIFT)
    st = doc.stat()
    edited = DRIFT.replace("here", "HERE")

    def sneaky(path: Path) -> None:  # same size, same mtime, same inode: only the bytes tell
        with open(path, "r+") as fh:
            fh.write(edited)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    edit_while_fixing(monkeypatch, sneaky)
    assert fix(repo, monkeypatch, "doc.md") == 2
    assert doc.read_text() == edited
    assert "changed while fixing" in capsys.readouterr().err
