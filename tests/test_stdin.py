"""``--stdin-filename PATH -``: lint standard input as that file; ``--fix`` writes the fixed text to stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rulekit import SPEC_PATH

DOC = "# Claude Code\n\n```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\nexport ANTHROPIC_API_KEY=x\nexport ANTHROPIC_AUTH_TOKEN=y\n```\n"


def flowgate(*args: str, cwd: Path, stdin: bytes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "FLOWGATE_LINT_OUTPUT_FORMAT")}
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=cwd, capture_output=True, input=stdin,
                          env=env)


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    (root / "config").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "config" / "flowgate.yaml").write_text(SPEC_PATH.read_text())
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_stdin_is_linted_as_the_named_file(repo):
    res = flowgate("--output-format", "concise", "--stdin-filename", "docs/setup.md", "-", cwd=repo, stdin=DOC.encode())
    assert res.returncode == 1, res.stderr
    lines = res.stdout.decode().splitlines()
    assert lines[0].startswith("docs/setup.md:4:27: FG302 ") and lines[1].startswith("docs/setup.md:6:8: FG702 ")
    assert not (repo / "docs" / "setup.md").exists()  # nothing is read from or written to the named path
    (repo / "docs" / "setup.md").write_text(DOC)
    on_disk = flowgate("--output-format", "json", "docs/setup.md", cwd=repo, stdin=b"")
    from_stdin = flowgate("--output-format", "json", "--stdin-filename", "docs/setup.md", "-", cwd=repo,
                          stdin=DOC.encode())
    assert json.loads(from_stdin.stdout) == json.loads(on_disk.stdout)
    full = flowgate("--output-format", "full", "--stdin-filename", "docs/setup.md", "-", cwd=repo, stdin=DOC.encode())
    assert b"4 | export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n" in full.stdout  # the source lines are stdin's


def test_the_name_decides_the_kind_and_the_per_file_ignores(repo):
    script = b"#!/bin/sh\ncurl -sf http://127.0.0.1:4001/v1/models\n"
    sh = flowgate("--output-format", "concise", "--stdin-filename", "scripts/up.sh", "-", cwd=repo, stdin=script)
    assert b"scripts/up.sh:2:10: FG301 " in sh.stdout
    ignored = flowgate("--per-file-ignores", "scripts/*:FG301", "--stdin-filename", "scripts/up.sh", "-", cwd=repo,
                       stdin=script)
    assert ignored.returncode == 0 and ignored.stdout == b"No findings.\n"
    other = flowgate("--stdin-filename", "notes.txt", "-", cwd=repo, stdin=script)  # not a kind flowgate-lint checks
    assert other.returncode == 0 and other.stdout == b"No findings.\n"


def test_fix_writes_the_fixed_text_to_stdout_and_the_report_to_stderr(repo):
    crlf = ("\ufeff" + DOC.replace("\n", "\r\n")).encode()
    res = flowgate("--fix", "--stdin-filename", "docs/setup.md", "-", cwd=repo, stdin=crlf)
    assert res.returncode == 1  # FG702 has no fix and remains
    expected = crlf.replace(b"4000/v1", b"4000")
    assert res.stdout == expected  # BOM, CRLF and every other byte kept
    assert b"Fixed 1 finding. 1 finding remains in 1 file." in res.stderr
    assert b"docs/setup.md:6:8: FG702 " in res.stderr
    # the same result as --fix on the file itself
    target = repo / "docs" / "setup.md"
    target.write_bytes(crlf)
    flowgate("--fix", "docs/setup.md", cwd=repo, stdin=b"")
    assert target.read_bytes() == expected
    again = flowgate("--fix", "--stdin-filename", "docs/setup.md", "-", cwd=repo, stdin=expected)
    assert again.stdout == expected and b"Fixed" not in again.stderr
    diff = flowgate("--diff", "--stdin-filename", "docs/other.md", "-", cwd=repo, stdin=DOC.encode())
    assert diff.returncode == 1 and b"-export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n" in diff.stdout
    assert b"+++ b/docs/other.md" in diff.stdout


def test_fix_echoes_input_it_cannot_or_must_not_check(repo):
    bad = b"# \xff ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n"
    res = flowgate("--fix", "--stdin-filename", "docs/bad.md", "-", cwd=repo, stdin=bad)
    assert res.returncode == 2 and res.stdout == bad  # an editor never loses the buffer
    assert b"docs/bad.md:1: not valid UTF-8" in res.stderr
    excluded = flowgate("--fix", "--force-exclude", "--extend-exclude", "docs/*", "--stdin-filename", "docs/setup.md",
                        "-", cwd=repo, stdin=DOC.encode())
    assert excluded.returncode == 0 and excluded.stdout == DOC.encode()


@pytest.mark.parametrize("args, message", [
    (["-"], b"reading standard input needs --stdin-filename PATH"),
    (["--stdin-filename", "a.md", "-", "docs"], b"cannot be combined with other paths"),
    (["--stdin-filename", "a.md", "docs"], b"pass '-' instead of paths"),
])
def test_stdin_usage_errors(repo, args, message):
    res = flowgate(*args, cwd=repo, stdin=DOC.encode())
    assert res.returncode == 2 and message in res.stderr and b"Traceback" not in res.stderr


def test_stdin_filename_alone_reads_stdin(repo, tmp_path):
    res = flowgate("--stdin-filename", "docs/setup.md", cwd=repo, stdin=DOC.encode())
    assert res.returncode == 1 and res.stdout.startswith(b"docs/setup.md:4:27: FG302 ")
