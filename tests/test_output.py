"""Terminal output as people read it: the full and concise formats, colour, paths relative to the current
directory, counts of what --fix resolved, --statistics and --show-fixes."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowgate_lint.documents.findings import Finding
from flowgate_lint.lint.fixes import resolved_findings
from rulekit import SPEC_PATH

ROOT = Path(__file__).resolve().parent.parent
SECRET = "sk-" + "Zq7Xv2Lm9Rt4Wp8Kd3Nb6Hs1Jf5Gc0Ya"

DOC = """# Claude Code

Point it at the gateway:

```sh
export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1
\tcurl http://127.0.0.1:4000/health  # ok
```
"""


def flowgate(*args: str, cwd: Path, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "FLOWGATE_LINT_OUTPUT_FORMAT")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=cwd, capture_output=True, text=True,
                          env=full_env, input=stdin)


def on_a_terminal(*args: str, cwd: Path, env: dict | None = None) -> str:
    """stdout of a run whose stdout is a pseudo-terminal."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "FLOWGATE_LINT_OUTPUT_FORMAT")}
    full_env.update(env or {})
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "flowgate_lint", *args], cwd=cwd, stdout=slave,
                            stderr=subprocess.DEVNULL, env=full_env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    proc.wait(timeout=60)
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    (root / "config").mkdir(parents=True)
    (root / "docs" / "guides").mkdir(parents=True)
    (root / "config" / "flowgate.yaml").write_text(SPEC_PATH.read_text())
    (root / "docs" / "guides" / "claude.md").write_text(DOC)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


FULL = """docs/guides/claude.md:6:27: FG302 ANTHROPIC_BASE_URL http://127.0.0.1:4000/v1 ends in /v1 (Claude Code appends /v1/messages itself, so requests go to /v1/v1/messages); use http://127.0.0.1:4000 [*]
  |
6 | export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1
  |                           ^^^^^^^^^^^^^^^^^^^^^^^^ FG302
  |
  = fix: Set ANTHROPIC_BASE_URL to http://127.0.0.1:4000
  6 - export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1
  6 + export ANTHROPIC_BASE_URL=http://127.0.0.1:4000

Found 1 finding in 1 file. 1 fixable with `flowgate-lint --fix`.
"""


def test_full_shows_the_line_carets_under_the_span_and_the_fix_as_a_diff(repo):
    res = flowgate("--output-format", "full", ".", cwd=repo)
    assert res.returncode == 1, res.stderr
    assert res.stdout == FULL


def test_concise_is_one_line_per_finding_and_text_is_its_alias(repo):
    concise = flowgate("--output-format", "concise", ".", cwd=repo)
    assert concise.stdout == FULL.splitlines()[0] + "\n" + FULL.splitlines()[-1] + "\n"
    assert flowgate("--output-format", "text", ".", cwd=repo).stdout == concise.stdout
    assert flowgate(".", cwd=repo).stdout == concise.stdout  # not a terminal: concise by default


def test_full_is_the_default_on_a_terminal_with_colour_unless_no_color(repo):
    coloured = on_a_terminal(".", cwd=repo)
    assert "\x1b[" in coloured
    assert "^^^^" in coloured and "= fix:" in coloured  # the full format
    plain = on_a_terminal(".", cwd=repo, env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain and plain == FULL
    assert "\x1b[" not in flowgate("--output-format", "full", ".", cwd=repo).stdout  # no colour when not a terminal
    assert "\x1b[" not in on_a_terminal("--color", "never", ".", cwd=repo)


def test_full_redacts_credentials_and_escapes_control_characters(repo):
    doc = repo / "docs" / "run.md"
    doc.write_text(f"# Run\n\n```sh\nexport ANTHROPIC_AUTH_TOKEN={SECRET}\n"
                   "echo \x1b[31mred\x1b[0m; export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n```\n")
    res = flowgate("--output-format", "full", "docs/run.md", cwd=repo)
    assert res.returncode == 1, res.stderr
    assert SECRET not in res.stdout and SECRET[3:12] not in res.stdout
    assert "4 | export ANTHROPIC_AUTH_TOKEN=<redacted>" in res.stdout
    assert "\x1b" not in res.stdout and "\\u001b[31mred" in res.stdout
    line = next(r for r in res.stdout.splitlines() if r.startswith("5 | "))
    carets = res.stdout.splitlines()[res.stdout.splitlines().index(line) + 1]
    assert line[carets.index("^"):].startswith("http://127.0.0.1:4000/v1")  # the escapes widen the line, the carets follow


def test_carets_line_up_after_wide_characters_and_tabs(repo):
    doc = repo / "docs" / "zh.md"
    doc.write_text("# 网关\n\n```sh\n\t网关地址=1; export ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n```\n")
    out = flowgate("--output-format", "full", "docs/zh.md", cwd=repo).stdout.splitlines()
    i = next(i for i, r in enumerate(out) if r.startswith("4 | "))
    # Each CJK character takes two columns on a terminal, a tab four.
    prefix = "4 | " + "    " + "网关地址=1; export ANTHROPIC_BASE_URL="
    width = len(prefix) + sum(1 for c in prefix if "\u4e00" <= c <= "\u9fff")
    assert out[i + 1].index("^") == width
    assert out[i + 1].count("^") == len("http://127.0.0.1:4000/v1")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_full_counts_lines_as_the_findings_do(repo, newline):
    doc = repo / "docs" / "guides" / "claude.md"
    doc.write_bytes(DOC.replace("\n", newline).encode())
    res = flowgate("--output-format", "full", ".", cwd=repo)
    assert res.stdout == FULL, res.stdout  # no stray \r, the same line numbers


def test_human_paths_are_relative_to_the_current_directory_machine_paths_to_the_repository(repo):
    sub = repo / "docs"
    concise = flowgate("--output-format", "concise", "guides/claude.md", cwd=sub)
    assert concise.stdout.startswith("guides/claude.md:6:27: FG302 ")
    full = flowgate("--output-format", "full", "guides/claude.md", cwd=sub)
    assert full.stdout.startswith("guides/claude.md:6:27: FG302 ")
    up = flowgate("--output-format", "concise", "../config", "claude.md", cwd=sub / "guides")
    assert up.stdout.startswith("claude.md:6:27: FG302 "), up.stdout
    data = json.loads(flowgate("--output-format", "json", "guides/claude.md", cwd=sub).stdout)
    assert data[0]["path"] == "docs/guides/claude.md"
    sarif = json.loads(flowgate("--output-format", "sarif", "guides/claude.md", cwd=sub).stdout)
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "docs/guides/claude.md", "uriBaseId": "%SRCROOT%"}
    github = flowgate("--output-format", "github", "guides/claude.md", cwd=sub).stdout.splitlines()
    assert github[0].startswith("::error file=docs/guides/claude.md,line=6,")  # annotations: repository-relative
    assert "guides/claude.md:6:27: FG302 " in github[1]  # the log: as in the terminal


def test_paths_outside_a_git_tree_are_relative_to_the_current_directory(tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "examples" / "demo", demo)
    res = flowgate("--output-format", "concise", "../codex", cwd=demo / "clients" / "claude")
    assert res.returncode == 1, res.stderr
    assert [r.split(":")[0] for r in res.stdout.splitlines()[:-1]] == ["../codex/config.toml"] * 2
    res = flowgate("--output-format", "concise", "clients/claude/settings.json", cwd=demo)
    assert res.stdout.startswith("clients/claude/settings.json:2:12: FG402 ")


def test_unreadable_files_are_named_relative_to_the_current_directory(repo):
    (repo / "docs" / "guides" / "bad.md").write_bytes(b"# \xff\xfe not utf-8: ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n")
    res = flowgate("--output-format", "concise", "guides", cwd=repo / "docs")
    assert res.returncode == 2
    assert "guides/bad.md:1: not valid UTF-8, skipped" in res.stderr.splitlines()


def test_fix_reports_findings_resolved_not_edits(tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(ROOT / "examples" / "demo", demo)
    subprocess.run(["git", "init", "-q", str(demo)], check=True)
    before = json.loads(flowgate("--output-format", "json", ".", cwd=demo).stdout)
    fixable = [f for f in before if f["fix"] and f["fix"]["applicability"] == "safe"]
    res = flowgate("--output-format", "concise", "--fix", "--show-fixes", ".", cwd=demo)
    after = json.loads(flowgate("--output-format", "json", ".", cwd=demo).stdout)
    resolved = len(before) - len(after)
    # the demo: every safe fix resolves its finding, and a fix may also resolve another (one edit, two findings)
    key = lambda f: (f["code"], f["path"], f["line"])  # noqa: E731
    assert not {key(f) for f in fixable} & {key(f) for f in after} and resolved >= len(fixable) > 0
    summary = res.stdout.splitlines()[-1]
    assert summary.startswith(f"Fixed {resolved} findings. {len(after)} findings remain in "), summary
    listed = [r for r in res.stdout.splitlines() if " \u00d7 FG" in r]
    assert sum(int(r.split()[0]) for r in listed) == resolved
    assert "- docs/claude-code.md:" in res.stdout and "    2 \u00d7 FG302 (claude-base-url-not-gateway-root)" in res.stdout


def test_resolved_findings_match_by_code_and_offending_text():
    def f(code, line, fp):
        return Finding(code, "n", "a.md", line, 1, line, 2, "m", fingerprint=fp)

    before = [f("FG010", 16, "snippet"), f("FG302", 20, "url"), f("FG702", 8, "auth")]
    after = [f("FG702", 12, "auth"), f("FG402", 3, "new")]  # FG702 moved down; a new finding appeared
    assert resolved_findings(before, after) == before[:2]


def test_statistics_counts_per_code_with_fixable_markers(tmp_path):
    demo = ROOT / "examples" / "demo"
    findings = json.loads(flowgate("--output-format", "json", ".", cwd=demo).stdout)
    res = flowgate("--statistics", ".", cwd=demo)
    assert res.returncode == 1
    rows = [r.split() for r in res.stdout.splitlines()[:-1]]
    counts = {code: int(n) for n, code, *_ in rows}
    assert counts == {c: sum(1 for f in findings if f["code"] == c) for c in {f["code"] for f in findings}}
    assert [int(r[0]) for r in rows] == sorted((int(r[0]) for r in rows), reverse=True)
    markers = {r[1]: r[2] for r in rows}
    assert markers["FG401"] == "[*]" and markers["FG302"] == "[-]" and markers["FG702"] == "[" and markers["FG201"] == "["  # "[ ]" splits in two
    assert res.stdout.splitlines()[-1].startswith(f"Found {len(findings)} findings in ")
    data = json.loads(flowgate("--statistics", "--output-format", "json", ".", cwd=demo).stdout)
    assert {d["code"]: d["count"] for d in data} == counts
    assert next(d for d in data if d["code"] == "FG401")["fixable"] is True
    bad = flowgate("--statistics", "--output-format", "sarif", ".", cwd=demo)
    assert bad.returncode == 2 and "--statistics prints full, concise or json output" in bad.stderr


def test_show_fixes_without_fix_shows_each_fix_under_its_finding(repo):
    res = flowgate("--output-format", "concise", "--show-fixes", ".", cwd=repo)
    assert res.stdout.splitlines()[1:4] == FULL.splitlines()[5:8]


def test_quiet_prints_findings_only(repo):
    res = flowgate("--output-format", "full", "-q", ".", cwd=repo)
    assert res.stdout == FULL.rsplit("\n\n", 1)[0] + "\n\n"
