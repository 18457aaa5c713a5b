"""Output as bytes: ``--diff`` applies with git whatever the file holds (admonitions, form feeds, lone CRs,
a BOM, odd names), says so on stderr when it cannot, and never transcodes; SARIF URIs are percent-encoded;
JSON stays valid UTF-8 for a file name that is not; ``--output-file`` writes FIFOs and /dev/stdout in place."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote_to_bytes

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


# --------------------------------------------------------------------------- item 16: SARIF, JSON, --output-file

ODD_NAMES = ["c#-client.md", "what?.md", "100%.md", "my file.md", "a:b.md", "bad\udcff.md"]


def plant_odd_names(repo: Path) -> dict[str, bytes]:
    """A drifting doc under each odd name; repository-relative name -> its bytes on disk."""
    names = {}
    for name in ODD_NAMES:
        (repo / "docs" / name).write_text("# Claude Code\n\n" + FENCE)
        names[f"docs/{name}"] = f"docs/{name}".encode("utf-8", "surrogateescape")
    return names


def test_sarif_uris_are_percent_encoded_and_valid(repo, tmp_path):
    from test_sarif import validate

    names = plant_odd_names(repo)
    res = flowgate("--output-format", "sarif", "docs", cwd=repo)
    assert res.returncode == 1, res.stderr
    log = json.loads(res.stdout.decode("utf-8"))  # strict: valid UTF-8
    run = log["runs"][0]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"] for loc in r["locations"]}
    uris |= {c["artifactLocation"]["uri"] for r in run["results"] for f in r.get("fixes", []) for c in f["artifactChanges"]}
    assert uris == {"docs/c%23-client.md", "docs/what%3F.md", "docs/100%25.md", "docs/my%20file.md", "docs/a%3Ab.md",
                    "docs/bad%FF.md"}
    assert {unquote_to_bytes(u) for u in uris} == set(names.values())  # each decodes to the file's real name
    problems = validate(tmp_path, log)
    assert problems == [], json.dumps(problems, indent=1)[:2000]


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "concise"])
def test_a_file_name_that_is_not_utf8_keeps_the_output_valid_utf8(repo, fmt):
    plant_odd_names(repo)
    res = flowgate("--output-format", fmt, "docs", cwd=repo)
    assert res.returncode == 1, res.stderr
    text = res.stdout.decode("utf-8")  # strict: no raw 0xff byte
    assert "docs/bad\\xff.md" in (json.dumps(json.loads(text)) if fmt in ("json", "sarif") else text).replace("\\\\", "\\")
    if fmt == "json":
        assert "docs/bad\\xff.md" in {f["path"] for f in json.loads(text)}
        out = repo.parent / "report.json"
        assert flowgate("--output-format", fmt, "--output-file", str(out), "docs", cwd=repo).returncode == 1
        assert out.read_bytes() == res.stdout  # stdout and --output-file agree


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_output_file_writes_into_a_fifo_in_place(repo):
    plant_odd_names(repo)
    fifo = repo.parent / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    res = flowgate("--output-format", "json", "--output-file", str(fifo), "docs/c#-client.md", cwd=repo)
    reader.join(30)
    assert res.returncode == 1, res.stderr
    assert fifo.is_fifo()  # not replaced by a regular file
    assert json.loads(got[0].decode())[0]["path"] == "docs/c#-client.md"


def test_output_file_dev_stdout_writes_to_the_pipe_or_the_redirected_file(repo, tmp_path):
    if not os.path.exists("/dev/stdout"):
        pytest.skip("no /dev/stdout")
    plant_odd_names(repo)
    res = flowgate("--output-format", "json", "--output-file", "/dev/stdout", "docs/100%.md", cwd=repo)
    assert res.returncode == 1, res.stderr
    assert json.loads(res.stdout)[0]["path"] == "docs/100%.md"
    target = tmp_path / "appended.json"
    target.write_bytes(b"")
    inode = target.stat().st_ino
    with open(target, "ab") as out:  # `>> appended.json`
        res = flowgate("--output-format", "json", "--output-file", "/dev/stdout", "docs/100%.md", cwd=repo, stdout=out)
    assert res.returncode == 1, res.stderr
    assert target.stat().st_ino == inode and json.loads(target.read_bytes())[0]["path"] == "docs/100%.md"
