"""The accuracy harness: labelled real-world cases (tests/realworld), the scorer's arithmetic, and the thresholds."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "realworld"))
import score as rw  # noqa: E402

from flowgate_lint.rules import all_rules  # noqa: E402


def _labels(defects=(), cleans=()) -> rw.Labels:
    return rw.Labels("t", tuple(rw.Label("defect", p, n, tuple(c), 0, None, "") for p, n, c in defects),
                     tuple(rw.Label("clean", p, n, (), 0, None, "") for p, n in cleans))


# ------------------------------------------------------------------------------------------ the pure scorer

def test_a_finding_on_a_defect_line_with_an_accepted_code_is_a_true_positive():
    labels = _labels(defects=[("a.md", 3, ["FG301", "FG302"])])
    s = rw.score([rw.Finding("FG302", "a.md", 3)], labels)
    assert (s.findings, s.tp, s.fp, s.defects, s.recalled) == (1, 1, 0, 1, 1)
    assert s.precision == 1.0 and s.recall == 1.0 and s.missed == ()


def test_a_wrong_code_on_a_defect_line_is_a_false_positive_and_recalls_nothing():
    labels = _labels(defects=[("a.md", 3, ["FG301"])])
    s = rw.score([rw.Finding("FG401", "a.md", 3)], labels)
    assert (s.tp, s.fp, s.recalled) == (0, 1, 0)
    assert s.precision == 0.0 and s.recall == 0.0
    assert [m.line for m in s.missed] == [3]


def test_findings_on_clean_or_unlabelled_lines_and_other_files_are_false_positives():
    labels = _labels(defects=[("a.md", 3, ["FG301"])], cleans=[("a.md", 4)])
    findings = [rw.Finding("FG301", "a.md", 4), rw.Finding("FG301", "a.md", 9), rw.Finding("FG301", "b.md", 3),
                rw.Finding("FG301", "a.md", 3)]
    s = rw.score(findings, labels)
    assert (s.findings, s.tp, s.fp, s.recalled) == (4, 1, 3, 1)
    assert [(f.path, f.line) for f in s.false_positives] == [("a.md", 4), ("a.md", 9), ("b.md", 3)]
    assert s.precision == pytest.approx(0.25)


def test_two_findings_on_one_defect_are_two_true_positives_but_one_recalled_defect():
    labels = _labels(defects=[("a.md", 3, ["FG301", "FG302"]), ("a.md", 7, ["FG101"])])
    s = rw.score([rw.Finding("FG301", "a.md", 3), rw.Finding("FG302", "a.md", 3)], labels)
    assert (s.tp, s.fp, s.defects, s.recalled) == (2, 0, 2, 1)
    assert s.recall == 0.5 and [m.line for m in s.missed] == [7]


def test_empty_cases_score_one_and_totals_add_up():
    assert rw.score([], _labels()).precision == 1.0 and rw.score([], _labels()).recall == 1.0
    a = rw.CaseResult("a", rw.score([rw.Finding("FG301", "x", 1)], _labels(defects=[("x", 1, ["FG301"])])), 1, 1, "", ())
    b = rw.CaseResult("b", rw.score([rw.Finding("FG301", "x", 2)], _labels(defects=[("x", 5, ["FG101"])])), 1, 1, "", ())
    t = rw.total([a, b])
    assert (t.findings, t.tp, t.fp, t.defects, t.recalled) == (2, 1, 1, 2, 1)
    table = rw.format_table([a, b])
    assert table.splitlines()[-1].split()[:9] == ["TOTAL", "2", "1", "1", "2", "1", "0.50", "0.50", "1"]


def test_parse_findings_reads_the_cli_json_contract():
    report = [{"code": "FG301", "name": "gateway-url-mismatch", "path": "docs/a.md", "line": 4, "column": 1,
               "end_line": 4, "end_column": 9, "message": "m", "severity": "error",
               "fix": {"applicability": "safe", "message": "x", "edits": []}},
              {"code": "FG101", "name": "stale-claude-code-claim", "path": "b.md", "line": 2, "column": 1,
               "end_line": 2, "end_column": 3, "message": "n", "severity": "warning", "fix": None}]
    got = rw.parse_findings(json.dumps(report))
    assert got == (rw.Finding("FG301", "docs/a.md", 4, "m", "error", "safe"),
                   rw.Finding("FG101", "b.md", 2, "n", "warning", None))
    assert rw.parse_findings("") == ()


def test_changed_lines_and_which_of_them_are_unlabelled():
    before = "a\nb\nc\nd\n"
    after = "a\nB\nc\nnew\nd\n"
    changes = rw.changed_lines("f.md", before, after)
    assert changes == (rw.Change("f.md", 2, "b"), rw.Change("f.md", 3, ""))
    assert rw.unlabelled(changes, _labels(defects=[("f.md", 2, ["FG301"])])) == (rw.Change("f.md", 3, ""),)
    # an insertion counts as fixing the defect line it follows or precedes
    assert rw.unlabelled(changes, _labels(defects=[("f.md", 2, ["FG301"]), ("f.md", 4, ["FG201"])])) == ()
    assert rw.changed_lines("f.md", "x\n", "x\n") == ()


def test_labels_files_are_checked():
    good = 'description = "d"\n[[defect]]\npath = "a.md"\nline = 2\ncodes = ["FG301"]\npattern = 13\nfixable = true\n'
    labels = rw.parse_labels(good)
    assert labels.defects[0] == rw.Label("defect", "a.md", 2, ("FG301",), 13, True, "")
    bad = {
        "duplicate": good + '[[clean]]\npath = "a.md"\nline = 2\n',
        "no codes": 'description = "d"\n[[defect]]\npath = "a.md"\nline = 2\n',
        "bad code": 'description = "d"\n[[defect]]\npath = "a.md"\nline = 2\ncodes = ["E501"]\n',
        "line 0": 'description = "d"\n[[clean]]\npath = "a.md"\nline = 0\n',
        "pattern 16": 'description = "d"\n[[clean]]\npath = "a.md"\nline = 1\npattern = 16\n',
        "unknown key": 'description = "d"\n[[clean]]\npath = "a.md"\nline = 1\ncodes = ["FG301"]\n',
        "absolute path": 'description = "d"\n[[clean]]\npath = "/a.md"\nline = 1\n',
    }
    for name, text in bad.items():
        with pytest.raises(rw.LabelError):
            rw.parse_labels(text, name)


# ------------------------------------------------------------------------------------------ the corpus

def test_every_case_has_labels_that_point_at_real_lines_and_real_codes():
    cases = sorted(p.name for p in rw.CASES.iterdir() if p.is_dir())
    labelled = sorted(p.stem for p in rw.LABELS.glob("*.toml"))
    assert cases == labelled and len(cases) >= 12
    codes = {r.code for r in all_rules()}
    for name in cases:
        labels = rw.load_labels(rw.LABELS / f"{name}.toml")
        assert labels.description and labels.defects and labels.cleans, name
        assert rw.label_problems(rw.CASES / name, labels) == [], name
        unknown = {c for d in labels.defects for c in d.codes} - codes
        assert not unknown, (name, unknown)


def test_every_pattern_of_issue_15_has_a_defect_and_a_clean_label():
    defects: set[int] = set()
    cleans: set[int] = set()
    for name in rw.case_names():
        labels = rw.load_labels(rw.LABELS / f"{name}.toml")
        defects |= {d.pattern for d in labels.defects}
        cleans |= {c.pattern for c in labels.cleans}
    assert [p for p in rw.PATTERNS if p not in defects] == []
    assert [p for p in rw.PATTERNS if p not in cleans] == []


@pytest.fixture(scope="module")
def results() -> list[rw.CaseResult]:
    return rw.run_all()


def test_no_case_makes_the_linter_exit_2(results):
    bad = [(r.name, r.exit_code, r.fix_exit_code, r.stderr) for r in results if 2 in (r.exit_code, r.fix_exit_code)]
    assert bad == []


def test_fix_changes_only_lines_labelled_as_defects(results):
    bad = [(r.name, c.path, c.line, c.text) for r in results for c in r.unlabelled_changes]
    assert bad == [], rw.format_details(results)


def test_precision_meets_the_threshold(results):
    t = rw.total(results)
    assert t.precision >= 0.95, rw.format_table(results) + rw.format_details(results)


def test_recall_meets_the_threshold(results):
    t = rw.total(results)
    assert t.recall >= 0.95, rw.format_table(results) + rw.format_details(results)


def test_run_case_reports_exit_2_and_fixes_outside_the_defect_lines(tmp_path):
    case = tmp_path / "tiny"
    (case / "docs").mkdir(parents=True)
    (case / "pyproject.toml").write_text('[tool.flowgate-lint]\ngateway-port = 4000\n')
    (case / "docs" / "a.md").write_text("# A\n\n```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1\n```\n")
    labelled = _labels(defects=[("docs/a.md", 4, ["FG302"])])
    r = rw.run_case(case, labelled)
    assert r.exit_code == 1 and r.fix_exit_code in (0, 1) and r.stderr == ""
    assert (r.score.tp, r.score.fp, r.score.recalled) == (1, 0, 1)
    assert r.unlabelled_changes == ()
    r = rw.run_case(case, _labels(cleans=[("docs/a.md", 4)]))
    assert r.score.fp == 1 and r.score.recall == 1.0
    assert [(c.path, c.line) for c in r.unlabelled_changes] == [("docs/a.md", 4)]
    (case / "pyproject.toml").write_text('[tool.flowgate-lint]\ngateway-port = "four thousand"\n')
    r = rw.run_case(case, labelled, fix=False)
    assert r.exit_code == 2 and "gateway-port" in r.stderr and r.score.findings == 0


def test_a_file_level_finding_matches_its_code_anywhere_in_the_file_once():
    labels = _labels(defects=[("smoke.sh", 1, ["FG202"]), ("smoke.sh", 9, ["FG204"])])
    s = rw.score([rw.Finding("FG202", "smoke.sh", 12)], labels)
    assert (s.tp, s.fp, s.recalled) == (1, 0, 1)
    # a per-line rule still needs the line; a second file-level finding has no defect left to match
    s = rw.score([rw.Finding("FG204", "smoke.sh", 12), rw.Finding("FG202", "smoke.sh", 3), rw.Finding("FG202", "smoke.sh", 4)], labels)
    assert (s.tp, s.fp) == (1, 2)
    assert rw.score([rw.Finding("FG202", "other.sh", 1)], labels).fp == 1
