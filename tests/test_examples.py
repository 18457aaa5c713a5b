"""The bundled examples: the demo shows every kind of drift, the clean copy none; --fix on the demo is exact."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import tomlkit

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# One code per kind of drift the linter must cover (issue: stale claims, smoke scripts, gateway URLs,
# Claude base URL, Codex base URL and OPENAI_BASE_URL, model slots, Codex coherence, excerpts, secrets).
EXPECTED = {"FG101", "FG201", "FG202", "FG301", "FG302", "FG303", "FG304", "FG401", "FG402", "FG403", "FG502",
            "FG503", "FG505", "FG506", "FG508", "FG601", "FG701", "FG702", "FG010"}


def flowgate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=cwd, capture_output=True, text=True)


def test_demo_shows_every_kind_of_drift():
    res = flowgate("examples/demo", "--output-format", "json")
    assert res.returncode == 1, res.stderr
    codes = {f["code"] for f in json.loads(res.stdout)}
    assert EXPECTED <= codes, f"missing: {sorted(EXPECTED - codes)}"


def test_clean_copy_reports_nothing():
    res = flowgate("examples/clean")
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout == "No findings.\n"


def test_v3_example_derives_the_cliproxyapi_gateway():
    res = flowgate("print", "codex", cwd=EXAMPLES / "demo-v3")
    assert res.returncode == 0, res.stderr
    doc = tomlkit.parse(res.stdout)
    assert doc["model_providers"]["flowgate"]["base_url"] == "http://127.0.0.1:8317/v1"
    assert doc["model"] == "gpt-5-codex"


def _changed_old_lines(diff: str) -> dict[str, list[set[int]]]:
    """Per file, the old-side lines each change touches, from a ``-U0`` unified diff: a removed or
    replaced line is itself; a pure insertion after old line N touches N or N+1 (the edit ends line N
    or starts line N+1), so it counts as the set {N, N+1}."""
    out: dict[str, list[set[int]]] = {}
    path, line = None, 0
    for row in diff.splitlines():
        if row.startswith("--- "):
            path = row[6:] if row.startswith("--- a/") else None
        elif row.startswith("+++ "):
            path = path or (row[6:] if row.startswith("+++ b/") else None)
        elif row.startswith("@@"):
            m = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", row)
            line, count = int(m.group(1)), int(m.group(2) if m.group(2) is not None else 1)
            if count == 0:  # a pure insertion after old line `line`
                out.setdefault(path, []).append({line, line + 1})
        elif row.startswith("-"):
            out.setdefault(path, []).append({line})
            line += 1
        elif row.startswith(" "):
            line += 1
    return out


def test_changed_lines_counts_replacements_removals_and_pure_insertions():
    diff = """diff --git a/x.md b/x.md
--- a/x.md
+++ b/x.md
@@ -3 +3 @@
-old
+new
@@ -7,0 +8,2 @@
+inserted
+lines
@@ -10,2 +11,0 @@
-gone
-too
diff --git a/new.md b/new.md
--- /dev/null
+++ b/new.md
@@ -0,0 +1 @@
+created
"""
    assert _changed_old_lines(diff) == {"x.md": [{3}, {7, 8}, {10}, {11}], "new.md": [{0, 1}]}


def test_fix_on_the_demo_changes_only_the_intended_lines(tmp_path):
    repo = tmp_path / "demo"
    shutil.copytree(EXAMPLES / "demo", repo)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@localhost"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "demo"], check=True)

    before = json.loads(flowgate(".", "--output-format", "json", cwd=repo).stdout)
    allowed: dict[str, set[int]] = {}
    for f in before:
        if f["fix"] and f["fix"]["applicability"] == "safe":
            for e in f["fix"]["edits"]:
                allowed.setdefault(f["path"], set()).update(range(e["location"]["row"], e["end_location"]["row"] + 1))

    res = flowgate("--fix", ".", cwd=repo)
    assert res.returncode == 1  # findings without a safe fix remain
    after = json.loads(flowgate(".", "--output-format", "json", cwd=repo).stdout)
    assert not [f for f in after if f["fix"] and f["fix"]["applicability"] == "safe"], "fixable findings remain"

    diff = subprocess.run(git + ["diff", "--no-color", "-U0"], capture_output=True, text=True, check=True).stdout
    changed = _changed_old_lines(diff)
    assert changed, "nothing was fixed"
    for path, changes in changed.items():
        stray = [sorted(c) for c in changes if not c & allowed.get(path, set())]
        assert not stray, f"{path}: lines {stray} changed without a fix"
    fixed = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts}
    second = flowgate("--fix", ".", cwd=repo)
    assert second.returncode == 1
    after_second = {p: p.read_bytes() for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts}
    assert after_second == fixed  # a second --fix changes no byte of any file
    assert "Fixed" not in second.stdout
