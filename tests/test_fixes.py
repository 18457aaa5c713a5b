"""Fixes: exact expected bytes (LF and CRLF), idempotence, --diff applies with git, bytes outside edits kept."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from flowgate_lint.cli import main
from flowgate_lint.lint.discover import kind_of
from flowgate_lint.lint.engine import decode_host
from flowgate_lint.lint.fixes import apply_fixes, eligible_filter, fix_host
from flowgate_lint.rules import all_rules
from rulekit import RULE_FIXTURES, SPEC_PATH, context, lint_path, variant_spec

FIXABLE = {r.code for r in all_rules() if r.fixable}
CASES = sorted(
    (d.name, p) for d in RULE_FIXTURES.iterdir() if d.name in FIXABLE
    for p in d.iterdir() if p.name.startswith("bad") and not p.name.endswith((".snap", ".fixed"))
)


def fix_text(text: str, name: str, unsafe: bool = True, spec=None) -> str:
    host = decode_host(text.encode("utf-8"), name, kind_of(Path(name), text.encode()[:128]) or "markdown")
    return fix_host(host, context(spec=spec), eligible_filter(unsafe)).text


def test_every_fixable_rule_has_a_fix_case():
    covered = {code for code, _ in CASES}
    assert FIXABLE <= covered, f"fixable rules without a bad fixture: {sorted(FIXABLE - covered)}"


@pytest.mark.parametrize("code,path", CASES, ids=lambda v: getattr(v, "name", v))
@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_fix_gives_the_expected_bytes_and_is_idempotent(code, path, eol):
    before = path.read_text(encoding="utf-8")
    expected_path = path.with_name(path.name + ".fixed")
    spec = variant_spec(path)
    fixed_lf = fix_text(before, path.name, spec=spec)
    if not expected_path.exists() and os.environ.get("CI") and not os.environ.get("FLOWGATE_UPDATE_SNAPSHOTS"):
        pytest.fail(f"{expected_path.name}: expected fix missing (write it with FLOWGATE_UPDATE_SNAPSHOTS=1, review and commit it)")
    if eol == "\n" and (os.environ.get("FLOWGATE_UPDATE_SNAPSHOTS") or not expected_path.exists()):
        expected_path.write_text(fixed_lf, encoding="utf-8")
    expected = expected_path.read_text(encoding="utf-8")
    assert fixed_lf == expected
    has_fix = any(f.fix is not None for f in lint_path(path, [code]) if f.code == code)
    assert (fixed_lf != before) == has_fix, f"{path.name}: fixes of {code} applied: {fixed_lf != before}, offered: {has_fix}"
    crlf_before = before.replace("\n", eol)
    crlf_after = fix_text(crlf_before, path.name, spec=spec)
    assert crlf_after == expected.replace("\n", eol)
    assert fix_text(crlf_after, path.name, spec=spec) == crlf_after  # a second run changes nothing


def test_apply_fixes_keeps_bytes_outside_edits_and_skips_overlaps():
    from flowgate_lint.documents.findings import Edit, Finding, Fix

    def finding(start, end, content):
        return Finding("FG999", "t", "x", 1, 1, 1, 1, "m", fix=Fix((Edit(start, end, content),), "safe", "m"))

    text = "0123456789"
    out, n = apply_fixes(text, [finding(2, 4, "ab"), finding(3, 5, "zz"), finding(8, 8, "!"), finding(2, 4, "ab")])
    assert out == "01ab4567!89"
    assert n == 3  # the overlapping fix was skipped; the duplicate counts as applied


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "config").mkdir(parents=True)
    shutil.copy(SPEC_PATH, repo / "config" / "flowgate.yaml")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def _commit(repo: Path) -> None:
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "x"], check=True)


def test_cli_fix_keeps_bom_final_newline_absence_and_mode(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path)
    doc = repo / "doc.md"
    doc.write_bytes(b"\xef\xbb\xbf# x\r\n\r\nexport `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1` now")
    os.chmod(doc, 0o640)
    monkeypatch.chdir(repo)
    assert main(["--fix", "doc.md"]) == 0
    assert doc.read_bytes() == b"\xef\xbb\xbf# x\r\n\r\nexport `ANTHROPIC_BASE_URL=http://127.0.0.1:4000` now"
    assert stat.S_IMODE(doc.stat().st_mode) == 0o640
    mtime = doc.stat().st_mtime_ns
    assert main(["--fix", "doc.md"]) == 0
    assert doc.stat().st_mtime_ns == mtime  # an unchanged file is never rewritten
    assert "Fixed 1 finding" in capsys.readouterr().out


def test_diff_applies_with_git_and_equals_fix(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path)
    for code, path in CASES:
        dest = repo / "cases" / code / path.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(path.read_bytes().replace(b"\n", b"\r\n") if code in ("FG302", "FG401") else path.read_bytes())
    _commit(repo)
    monkeypatch.chdir(repo)
    assert main(["--diff", "--unsafe-fixes", "cases"]) == 1
    diff = capsys.readouterr().out
    assert diff.startswith("--- a/cases/")
    assert subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout == ""  # nothing written
    (tmp_path / "fix.diff").write_text(diff)
    res = subprocess.run(["git", "apply", str(tmp_path / "fix.diff")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    applied = {p: p.read_bytes() for p in sorted((repo / "cases").rglob("*")) if p.is_file()}
    subprocess.run(["git", "checkout", "-q", "--", "."], check=True)
    main(["--fix", "--unsafe-fixes", "cases"])
    capsys.readouterr()
    fixed = {p: p.read_bytes() for p in sorted((repo / "cases").rglob("*")) if p.is_file()}
    assert applied == fixed
    assert main(["--diff", "--unsafe-fixes", "cases"]) == 0  # nothing left to change
    assert capsys.readouterr().out == ""


def test_malformed_block_is_reported_and_left_untouched_while_the_rest_is_fixed(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path)
    broken = ("# x\n\nSave this file as `~/.codex/config.toml`:\n\n"
              "```toml\n[model_providers.flowgate\nbase_url = \"http://127.0.0.1:4001\"\n```\n")
    (repo / "broken.md").write_text(broken)
    (repo / "ok.env").write_text("ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n")
    monkeypatch.chdir(repo)
    code = main(["--fix", "."])
    out = capsys.readouterr().out
    assert code == 1
    assert "broken.md:6:" in out and "FG001" in out
    assert (repo / "broken.md").read_text() == broken  # untouched, though FG301 reports its port
    assert "FG301" in out
    assert (repo / "ok.env").read_text() == "ANTHROPIC_BASE_URL=http://127.0.0.1:4000\n"


def test_check_exits_1_on_fixable_drift_and_says_how_to_repair(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path)
    (repo / "ok.env").write_text("ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n")
    monkeypatch.chdir(repo)
    assert main(["--check", "."]) == 1
    assert "run `flowgate-lint --fix` locally" in capsys.readouterr().out
    assert (repo / "ok.env").read_text().endswith("/v1\n")  # --check writes nothing


def test_fix_loop_cap_is_an_error_naming_the_file(tmp_path, monkeypatch, capsys):
    from flowgate_lint.lint import fixes
    from flowgate_lint.documents.findings import Edit, Finding, Fix

    host = decode_host(b"abc\n", "loop.md", "markdown")

    def flapping(h, ctx):
        content = "x" if h.text.startswith("a") else "a"
        return [Finding("FG302", "t", "loop.md", 1, 1, 1, 2, "m", fix=Fix((Edit(0, 1, content),), "safe", "m"))]

    monkeypatch.setattr("flowgate_lint.lint.engine.lint_host", flapping)
    with pytest.raises(fixes.FixError) as err:
        fixes.fix_host(host, context(), eligible_filter(False))
    assert "loop.md" in str(err.value) and "did not converge" in str(err.value)


# ----------------------------------------------------------------------------- the overlap sweep

def _reference_apply(text, findings):
    """The pairwise definition the sweep must agree with (quadratic; small inputs only)."""
    from flowgate_lint.documents.findings import Edit
    from flowgate_lint.lint.fixes import _overlaps

    accepted, applied = [], 0
    for f in sorted(findings, key=lambda f: (min(e.start for e in f.fix.edits), f.code)):
        edits = [Edit(e.start, e.end, e.content) for e in f.fix.edits]
        if all(e in accepted for e in edits):
            applied += 1
            continue
        if any(_overlaps(e, a) for e in edits for a in accepted) or any(
                _overlaps(x, y) for i, x in enumerate(edits) for y in edits[i + 1:]):
            continue
        if any(e.start < 0 or e.end > len(text) or e.start > e.end for e in edits):
            continue
        accepted.extend(edits)
        applied += 1
    for e in sorted(accepted, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:e.start] + e.content + text[e.end:]
    return text, applied


def _edit_findings(spans):
    from flowgate_lint.documents.findings import Edit, Finding, Fix

    return [Finding(code, "t", "x", 1, 1, 1, 1, "m", fix=Fix(tuple(Edit(s, e, c) for s, e, c in edits), "safe", "m"))
            for code, edits in spans]


from hypothesis import given, strategies as st  # noqa: E402

_EDIT = st.tuples(st.integers(0, 24), st.integers(0, 6), st.sampled_from(["", "x", "yz"])).map(
    lambda t: (t[0], t[0] + t[1], t[2]))


@given(st.lists(st.tuples(st.sampled_from(["FG1", "FG2"]), st.lists(_EDIT, min_size=1, max_size=3)), max_size=12))
def test_apply_fixes_agrees_with_the_pairwise_definition(spans):
    text = "abcdefghijklmnopqrstuvwx"
    findings = _edit_findings(spans)
    assert apply_fixes(text, findings) == _reference_apply(text, findings)


def test_apply_fixes_is_n_log_n_in_the_number_of_findings():
    import time

    n = 20000
    text = "port 4001 here\n" * n
    spans = [("FG2", [(i * 15 + 5, i * 15 + 9, "4000")]) for i in range(n)]
    spans += [("FG2", [(i * 15 + 5, i * 15 + 9, "4000")]) for i in range(0, n, 7)]  # duplicates count as applied
    spans += [("FG3", [(i * 15 + 6, i * 15 + 7, "9")]) for i in range(0, n, 5)]  # overlaps are skipped
    findings = _edit_findings(spans)
    started = time.perf_counter()
    out, applied = apply_fixes(text, findings)
    elapsed = time.perf_counter() - started
    assert out == "port 4000 here\n" * n
    assert applied == n + len(range(0, n, 7))
    assert elapsed < 5.0, f"{n} findings took {elapsed:.1f} s"  # generous: about 0.2 s here; the pairwise check took minutes
