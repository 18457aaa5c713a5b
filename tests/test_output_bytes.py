"""Output as bytes: ``--diff`` applies with git whatever the file holds (admonitions, form feeds, lone CRs,
a BOM, odd names), says so on stderr when it cannot, and never transcodes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowgate_lint.lint.fixes import split_lines, unified_diff
from flowgate_lint.plumbing.redact import clean_patch, neutralise_patch
from rulekit import SPEC_PATH

SECRET = "sk-" + "Zq7Xv2Lm9Rt4Wp8Kd3Nb6Hs1Jf5Gc0Ya"
FENCE = '```sh\nexport ANTHROPIC_MODEL=router-cheap\nexport ANTHROPIC_DEFAULT_HAIKU_MODEL="claude-3-5-haiku-latest"\n```\n'
# Every byte around the fix is one the old diff broke: admonitions (VitePress, Docusaurus, MkDocs), a ##[ that is
# no workflow command, form feed, VT, U+2028/2029 and a lone CR inside lines, CRLF, no final newline.
AWKWARD = ("# Claude Code\n\n!!! note\n\x0cpage\u2028two\u2029three\x0bvt\n::: tip\n" + FENCE
           + "::: warning ##[ not a command\x0c\u2028\x1c\x85\nlone\rcr\nend ::: here")


def flowgate(*args: str, cwd: Path, stdin: bytes | None = None, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "FLOWGATE_LINT_OUTPUT_FORMAT")}
    return subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", *args], cwd=cwd, input=stdin,
                          stdout=stdout, stderr=subprocess.PIPE, env=env, timeout=120)


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    (root / "config").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "config" / "flowgate.yaml").write_text(SPEC_PATH.read_text())
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def commit(repo: Path) -> None:
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qm", "x"], cwd=repo,
                   check=True)


def git_apply(repo: Path, patch: bytes, *flags: str) -> subprocess.CompletedProcess:
    (repo.parent / "fix.patch").write_bytes(patch)
    return subprocess.run(["git", "apply", *flags, str(repo.parent / "fix.patch")], cwd=repo, capture_output=True,
                          text=True)


def fixed_bytes(repo: Path, rel: str, raw: bytes) -> bytes:
    """What --fix makes of ``raw`` as the file ``rel`` (through stdin: nothing is written)."""
    return flowgate("--fix", "--stdin-filename", rel, "-", cwd=repo, stdin=raw).stdout


def diff_both_ways(repo: Path, rel: str, raw: bytes) -> list[subprocess.CompletedProcess]:
    """--diff of the file ``rel`` holding ``raw``, by path and through stdin."""
    path = repo / os.fsdecode(rel.encode("utf-8", "surrogateescape"))
    path.write_bytes(raw)
    commit(repo)
    return [flowgate("--diff", rel, cwd=repo), flowgate("--diff", "--stdin-filename", rel, "-", cwd=repo, stdin=raw)]


# --------------------------------------------------------------------------- item 15: --diff applies


@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "BOM"])
def test_diff_of_awkward_bytes_applies_with_git_by_path_and_stdin(repo, eol, bom):
    raw = bom + AWKWARD.replace("\n", eol).replace("\r\r\n", "\r\n").encode("utf-8")
    want = fixed_bytes(repo, "docs/guide.md", raw)
    assert want != raw
    for res in diff_both_ways(repo, "docs/guide.md", raw):
        assert res.returncode == 1, res.stderr
        assert res.stderr == b"", res.stderr  # nothing redacted or rewritten: no warning
        assert b"\n ::: tip" in res.stdout and b"\x0c\xe2\x80\xa8\x1c\xc2\x85" in res.stdout and b"lone\rcr" in res.stdout
        check = git_apply(repo, res.stdout, "--check")
        assert check.returncode == 0, check.stderr
        assert git_apply(repo, res.stdout).returncode == 0
        assert (repo / "docs" / "guide.md").read_bytes() == want  # the same bytes --fix writes
        subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)


@pytest.mark.parametrize("name", ["my guide.md", 'say "hi".md', "tab\there.md", "back\\slash.md", "bad\udcff.md"])
def test_diff_of_an_oddly_named_file_applies_with_git_and_patch(repo, name):
    rel = f"docs/{name}"
    raw = ("# Claude Code\n\n" + FENCE).encode()
    for res in diff_both_ways(repo, rel, raw):
        assert res.returncode == 1, res.stderr
        check = git_apply(repo, res.stdout, "--check")
        assert check.returncode == 0, (res.stdout, check.stderr)
        if shutil.which("patch"):
            dry = subprocess.run(["patch", "-p1", "--dry-run", "--batch"], cwd=repo, input=res.stdout,
                                 capture_output=True)
            assert dry.returncode == 0, dry.stdout + dry.stderr


@pytest.mark.parametrize("line,why", [
    ("::warning file=x::planted", "workflow commands"),
    ("  ##[group]planted", "workflow commands"),
    (f"OPENAI_API_KEY={SECRET}", "credential"),
])
def test_a_diff_that_may_not_apply_says_so_in_one_stderr_line_by_path_and_stdin(repo, line, why):
    raw = ("# Claude Code\n\n```sh\n" + line + "\n" + FENCE[6:]).encode()
    for res in diff_both_ways(repo, "docs/guide.md", raw):
        assert res.returncode == 1
        assert SECRET.encode() not in res.stdout + res.stderr
        notes = res.stderr.decode().splitlines()
        assert len(notes) == 1 and "may not apply" in notes[0] and why in notes[0], notes
        assert not any(l.lstrip().startswith(b"::") for l in res.stdout.splitlines())
        assert b"##[group]" not in res.stdout


def test_utf16_file_is_never_shown_as_a_utf8_diff(repo):
    raw = b"\xff\xfe" + ("# Claude Code\n\n" + FENCE).encode("utf-16-le")
    want = fixed_bytes(repo, "docs/wide.md", raw)
    assert want.startswith(b"\xff\xfe") and want != raw
    for res in diff_both_ways(repo, "docs/wide.md", raw):
        assert res.returncode == 1  # there is drift to fix
        assert res.stdout == b""  # no transcoded patch that would turn the file into UTF-8
        assert "UTF-16-LE text cannot be shown as a patch" in res.stderr.decode()


def test_split_lines_cuts_at_lf_only():
    assert split_lines("a\x0cb\x0bc\rd\u2028e\u2029f\x1c\x1d\x1e\x85g\r\nh\n\ni") == [
        "a\x0cb\x0bc\rd\u2028e\u2029f\x1c\x1d\x1e\x85g\r\n", "h\n", "\n", "i"]
    assert split_lines("") == [] and split_lines("a\n") == ["a\n"]
    assert unified_diff("x.md", "a\x0cb\nc\n", "a\x0cb\nd\n").split("\n")[3] == " a\x0cb"


def test_patch_neutralises_only_what_the_runner_executes():
    text = " ::: tip\n :::warning\n+::: danger\n ::warning::x\n  ::error file=a::b\n ##[group]y\n ## [z]\n ##[ x]\n"
    shown, lines = neutralise_patch(text)
    assert lines == 3
    assert shown == (" ::: tip\n :::warning\n+::: danger\n ./::warning::x\n  ./::error file=a::b\n ## [group]y\n"
                     " ## [z]\n ##[ x]\n")


def test_patch_on_a_terminal_escapes_controls_and_says_so():
    assert clean_patch("+a\x0cb\x1b[2J\r\n", terminal=False) == ("+a\x0cb\x1b[2J\r\n", [])
    shown, why = clean_patch("+a\x0cb\x1b[2J\r\n", terminal=True)
    assert shown == "+a\\u000cb\\u001b[2J\r\n" and why == ["control characters shown as \\uXXXX on the terminal"]
