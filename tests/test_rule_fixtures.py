"""Fixture-driven rule tests: every rule has bad and good fixtures; bad ones match their snapshots.

Layout: ``tests/fixtures/rules/<CODE>/bad*.<ext>`` (with ``<file>.snap`` holding the exact
findings of that rule) and ``good*.<ext>`` (no finding of that rule). Regenerate a snapshot
with ``FLOWGATE_UPDATE_SNAPSHOTS=1`` and review the diff.
"""

from __future__ import annotations

import pytest

from flowgate_lint.rules import all_rules
from rulekit import RULE_FIXTURES, check_snapshot, lint_path, lint_text, snapshot_lines

# Rules emitted by the engine itself are covered by their own tests.
ENGINE_ONLY = {"FG001", "FG002"}
# Live rules report what a running gateway answers (flowgate-lint verify): tests/test_verify.py covers them against
# a real LiteLLM; here, that a lint run never selects or fires them.
LIVE = {r.code for r in all_rules() if r.live}


def _fixtures(prefix: str):
    out = []
    for d in sorted(RULE_FIXTURES.iterdir()):
        if d.is_dir():
            out += [(d.name, p) for p in sorted(d.iterdir()) if p.name.startswith(prefix) and not p.name.endswith((".snap", ".fixed"))]
    return out


@pytest.mark.parametrize("rule", [r for r in all_rules() if r.code not in ENGINE_ONLY | LIVE], ids=lambda r: r.code)
def test_every_rule_has_bad_and_good_fixtures(rule):
    d = RULE_FIXTURES / rule.code
    names = [p.name for p in d.iterdir()] if d.is_dir() else []
    assert any(n.startswith("bad") and not n.endswith(".snap") for n in names), f"{rule.code}: no bad fixture in {d}"
    assert any(n.startswith("good") for n in names), f"{rule.code}: no good fixture in {d}"


@pytest.mark.parametrize("code,path", _fixtures("bad"), ids=lambda v: getattr(v, "name", v))
def test_bad_fixture_matches_snapshot(code, path):
    findings = [f for f in lint_path(path, [code]) if f.code == code]
    assert findings, f"{path.name}: expected {code} findings"
    got = snapshot_lines(findings)
    check_snapshot(path.with_name(path.name + ".snap"), got)


@pytest.mark.parametrize("code,path", _fixtures("good"), ids=lambda v: getattr(v, "name", v))
def test_good_fixture_is_clean(code, path):
    findings = [f for f in lint_path(path, [code]) if f.code == code]
    assert findings == []


def test_a_missing_snapshot_fails_in_ci(tmp_path, monkeypatch):
    monkeypatch.delenv("FLOWGATE_UPDATE_SNAPSHOTS", raising=False)
    monkeypatch.setenv("CI", "true")
    snap = tmp_path / "bad.md.snap"
    with pytest.raises(pytest.fail.Exception, match="snapshot missing"):
        check_snapshot(snap, "3:1-3:5 FG101 x\n")
    assert not snap.exists()
    monkeypatch.delenv("CI")
    check_snapshot(snap, "3:1-3:5 FG101 x\n")  # locally: written for review
    assert snap.read_text() == "3:1-3:5 FG101 x\n"
    with pytest.raises(AssertionError):
        check_snapshot(snap, "other\n")


def test_live_rules_never_run_in_lint():
    assert LIVE == {"FG801", "FG802", "FG803", "FG804"}
    from flowgate_lint.rules import select_codes

    assert not LIVE & set(select_codes(None, preview=True))
    assert not LIVE & set(select_codes(["FG8", "FG801"], preview=True))  # naming them does not run them in lint
    assert set(select_codes(None, live=True)) == LIVE
    doc = ("```bash\nexport ANTHROPIC_MODEL=router-missing\n"
           "curl http://127.0.0.1:4000/v1/count_tokens -d '{\"model\": \"ghost\"}'\n```\n")
    for code in LIVE:
        assert [f for f in lint_text(doc, "docs/setup.md", [code]) if f.code in LIVE] == []
