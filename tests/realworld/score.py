"""Accuracy harness: run flowgate-lint on labelled repositories and score precision and recall.

A case is a small repository (``cases/<name>/``); its labels live beside, not inside it
(``labels/<name>.toml``, format in ``README.md``). Scoring is a pure function of the findings and
the labels (:func:`score`); copying a case into a temporary git repository and running the real
CLI on it is I/O at the edge (:func:`run_case`).

    python tests/realworld/score.py [--details] [CASE ...]
    python -m tests.realworld.score          (from the project root)

Also used by ``eval/public_eval.py`` (public repositories at pinned commits).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
LABELS = HERE / "labels"
PATTERNS = range(1, 16)  # the patterns of issue 15
_CODE = re.compile(r"^FG\d{3}$")


class LabelError(ValueError):
    """A labels file that does not follow the format (message names file and entry)."""


class Label(NamedTuple):
    kind: str  # "defect" or "clean"
    path: str
    line: int
    codes: tuple[str, ...]  # acceptable codes (defects); () for clean lines
    pattern: int
    fixable: bool | None
    note: str
    cause: int = 0  # the cause of the first-contact issue (1-7), 0 for none
    in_scope: bool = True  # False: a real defect no rule claims (not counted in recall)


class Labels(NamedTuple):
    description: str
    defects: tuple[Label, ...]
    cleans: tuple[Label, ...]
    spec_settings: str | None = None


class Finding(NamedTuple):
    code: str
    path: str
    line: int
    message: str = ""
    severity: str = "error"
    fix: str | None = None  # fix applicability ("safe", "unsafe", ...) or None


class Score(NamedTuple):
    findings: int
    tp: int
    fp: int
    defects: int
    recalled: int
    false_positives: tuple[Finding, ...]
    missed: tuple[Label, ...]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.recalled / self.defects if self.defects else 1.0


class Change(NamedTuple):
    path: str
    line: int  # 1-based line of the original file (for an insertion: the line it follows, 0 = file start)
    text: str  # the original line ("" for an insertion)


class CaseResult(NamedTuple):
    name: str
    score: Score
    exit_code: int
    fix_exit_code: int
    stderr: str  # of the lint run, when it failed
    unlabelled_changes: tuple[Change, ...]  # lines --fix changed that are not labelled defects
    findings: tuple[Finding, ...] = ()


# ---------------------------------------------------------------------------------------------- labels

_DEFECT_KEYS = {"path", "line", "codes", "pattern", "fixable", "note", "cause", "in_scope"}
_CLEAN_KEYS = {"path", "line", "pattern", "note", "cause"}


def parse_labels(text: str, source: str = "<labels>") -> Labels:
    """Labels from the text of a labels file; LabelError on anything outside the format."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LabelError(f"{source}: invalid TOML: {exc}") from None
    unknown = set(data) - {"description", "spec_settings", "defect", "clean"}
    if unknown:
        raise LabelError(f"{source}: unknown keys {sorted(unknown)}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise LabelError(f"{source}: description must be a string")
    spec_settings = data.get("spec_settings")
    if spec_settings is not None and not isinstance(spec_settings, str):
        raise LabelError(f"{source}: spec_settings must be a string")
    defects = tuple(_entry(e, "defect", i, source) for i, e in enumerate(_table_list(data, "defect", source)))
    cleans = tuple(_entry(e, "clean", i, source) for i, e in enumerate(_table_list(data, "clean", source)))
    seen: dict[tuple[str, int], str] = {}
    for label in defects + cleans:
        where = (label.path, label.line)
        if where in seen:
            raise LabelError(f"{source}: {label.path}:{label.line} is labelled twice ({seen[where]} and {label.kind})")
        seen[where] = label.kind
    return Labels(description, defects, cleans, spec_settings)


def load_labels(path: str | os.PathLike) -> Labels:
    """Labels from a labels file."""
    path = Path(path)
    return parse_labels(path.read_text(encoding="utf-8"), str(path))


def _table_list(data: dict, key: str, source: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise LabelError(f"{source}: {key} must be an array of tables ([[{key}]])")
    return value


def _entry(e: dict, kind: str, index: int, source: str) -> Label:
    where = f"{source}: [[{kind}]] #{index + 1}"
    allowed = _DEFECT_KEYS if kind == "defect" else _CLEAN_KEYS
    unknown = set(e) - allowed
    if unknown:
        raise LabelError(f"{where}: unknown keys {sorted(unknown)}")
    path, line = e.get("path"), e.get("line")
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path:
        raise LabelError(f"{where}: path must be a relative path with / separators")
    if not isinstance(line, int) or isinstance(line, bool) or line < 1:
        raise LabelError(f"{where}: line must be a positive integer")
    pattern = e.get("pattern", 0)
    if not isinstance(pattern, int) or isinstance(pattern, bool) or not 0 <= pattern <= 15:
        raise LabelError(f"{where}: pattern must be an integer 0-15")
    note = e.get("note", "")
    if not isinstance(note, str):
        raise LabelError(f"{where}: note must be a string")
    cause = e.get("cause", 0)
    if not isinstance(cause, int) or isinstance(cause, bool) or not 0 <= cause <= 7:
        raise LabelError(f"{where}: cause must be an integer 0-7")
    in_scope = e.get("in_scope", True)
    if not isinstance(in_scope, bool):
        raise LabelError(f"{where}: in_scope must be true or false")
    codes: tuple[str, ...] = ()
    fixable = None
    if kind == "defect":
        raw = e.get("codes")
        # An out-of-scope defect (no rule claims it) may name no code.
        if not isinstance(raw, list) or (not raw and in_scope) or not all(isinstance(c, str) and _CODE.match(c) for c in raw):
            raise LabelError(f"{where}: codes must be a list of rule codes (FG301), non-empty for an in-scope defect")
        codes = tuple(raw)
        fixable = e.get("fixable")
        if fixable is not None and not isinstance(fixable, bool):
            raise LabelError(f"{where}: fixable must be true or false")
    return Label(kind, path, line, codes, pattern, fixable, note, cause, in_scope)


# ---------------------------------------------------------------------------------------------- scoring

# Rules whose finding is about a whole file (a smoke script that never probes a route): matched by file and code.
FILE_LEVEL = frozenset({"FG201", "FG202"})


def score(findings: Iterable[Finding], labels: Labels) -> Score:
    """Score findings against labels (pure).

    A finding on the (path, line) of a defect whose codes include its code is a true positive;
    every other finding is a false positive. An in-scope defect is recalled when a finding matches it;
    out-of-scope defects (no rule claims them) count in neither recall figure.
    """
    findings = tuple(findings)
    by_place: dict[tuple[str, int], Label] = {(d.path, d.line): d for d in labels.defects}
    tp = 0
    false_positives = []
    recalled: set[tuple[str, int]] = set()
    for f in findings:
        defect = by_place.get((f.path, f.line))
        if (defect is None or f.code not in defect.codes) and f.code in FILE_LEVEL:
            # A file-level finding ("this script never probes X") is about the file: its line is an anchor, so
            # it matches a defect of its code anywhere in the file (labellers mark the shebang, a probe, ...).
            defect = next((d for d in labels.defects if d.path == f.path and f.code in d.codes
                           and (d.path, d.line) not in recalled), None)
        if defect is not None and f.code in defect.codes:
            tp += 1
            recalled.add((defect.path, defect.line))
        else:
            false_positives.append(f)
    in_scope = [d for d in labels.defects if d.in_scope]
    missed = tuple(d for d in in_scope if (d.path, d.line) not in recalled)
    recalled_in_scope = sum(1 for d in in_scope if (d.path, d.line) in recalled)
    return Score(len(findings), tp, len(false_positives), len(in_scope), recalled_in_scope,
                 tuple(false_positives), missed)


def parse_findings(json_text: str) -> tuple[Finding, ...]:
    """Findings from the CLI's ``--output-format json`` report."""
    data = json.loads(json_text) if json_text.strip() else []
    out = []
    for d in data:
        fix = d.get("fix")
        out.append(Finding(d["code"], d["path"], int(d["line"]), d.get("message", ""), d.get("severity", ""),
                           fix.get("applicability") if isinstance(fix, dict) else None))
    return tuple(out)


def changed_lines(path: str, before: str, after: str) -> tuple[Change, ...]:
    """The lines of ``before`` that differ in ``after`` (pure; insertions give the line they follow)."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    changes = []
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            changes.extend(Change(path, i + 1, old[i].rstrip("\r\n")) for i in range(i1, i2))
        elif tag == "insert":
            changes.append(Change(path, i1, ""))
    return tuple(changes)


def unlabelled(changes: Iterable[Change], labels: Labels) -> tuple[Change, ...]:
    """Changes not on a labelled defect line (an insertion may sit next to its defect line)."""
    defect_lines = {(d.path, d.line) for d in labels.defects}
    out = []
    for c in changes:
        near = {(c.path, c.line), (c.path, c.line + 1)} if c.text == "" else {(c.path, c.line)}
        if not near & defect_lines:
            out.append(c)
    return tuple(out)


def label_problems(case_dir: str | os.PathLike, labels: Labels) -> list[str]:
    """Labels that point at no file or past the end of their file."""
    case_dir = Path(case_dir)
    problems = []
    lengths: dict[str, int | None] = {}
    for label in labels.defects + labels.cleans:
        if label.path not in lengths:
            p = case_dir / label.path
            lengths[label.path] = len(p.read_text(encoding="utf-8").splitlines()) if p.is_file() else None
        n = lengths[label.path]
        if n is None:
            problems.append(f"{label.path}: no such file")
        elif label.line > n:
            problems.append(f"{label.path}:{label.line}: past the end ({n} lines)")
    return problems


# ---------------------------------------------------------------------------------------------- running

def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=harness", "-c", "user.email=harness@localhost",
                    "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=cwd, check=True, capture_output=True)


def _settings_toml(spec_settings: str) -> str:
    """``spec_settings`` as a flowgate-lint.toml (top-level keys), whether or not it has the table header."""
    import tomlkit

    doc = tomlkit.parse(spec_settings)
    tool = doc.get("tool")
    if tool is not None and "flowgate-lint" in tool:
        return tomlkit.dumps(tool["flowgate-lint"])
    return spec_settings


def prepare(case_dir: str | os.PathLike, dest: Path, labels: Labels) -> Path:
    """Copy a case into ``dest`` as a fresh git repository (files staged); returns its root."""
    root = dest / Path(case_dir).name
    shutil.copytree(case_dir, root, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    if labels.spec_settings:
        (root / "flowgate-lint.toml").write_text(_settings_toml(labels.spec_settings), encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    return root


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    # The harness measures every rule, the preview rules included.
    return subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "--preview", *args, "."], cwd=root,
                          capture_output=True, text=True, env=env)


def _read_tree(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if ".git" in p.relative_to(root).parts or not p.is_file() or p.is_symlink():
            continue
        try:
            out[p.relative_to(root).as_posix()] = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            out[p.relative_to(root).as_posix()] = p.read_bytes().decode("latin-1")
    return out


def run_case(case_dir: str | os.PathLike, labels: Labels, fix: bool = True) -> CaseResult:
    """Lint a copy of the case with the real CLI and score it; with ``fix``, then run ``--fix`` on the same copy."""
    case_dir = Path(case_dir)
    with tempfile.TemporaryDirectory(prefix="flowgate-realworld-") as tmp:
        root = prepare(case_dir, Path(tmp), labels)
        res = _cli(root, "--output-format", "json")
        findings: tuple[Finding, ...] = ()
        stderr = ""
        if res.returncode == 2:
            stderr = res.stderr.strip()
        else:
            try:
                findings = parse_findings(res.stdout)
            except (ValueError, KeyError) as exc:
                stderr = f"unreadable JSON report: {exc}"
        fix_rc = 0
        changes: tuple[Change, ...] = ()
        if fix:
            before = _read_tree(root)
            fix_res = _cli(root, "--fix", "--output-format", "json")
            fix_rc = fix_res.returncode
            if fix_rc == 2 and not stderr:
                stderr = fix_res.stderr.strip()
            after = _read_tree(root)
            all_changes = []
            for rel in sorted(set(before) | set(after)):
                all_changes.extend(changed_lines(rel, before.get(rel, ""), after.get(rel, "")))
            changes = unlabelled(all_changes, labels)
    return CaseResult(case_dir.name, score(findings, labels), res.returncode, fix_rc, stderr, changes, findings)


def case_names(cases: Path = CASES, labels: Path = LABELS) -> list[str]:
    """Cases that have a labels file."""
    return sorted(p.name for p in cases.iterdir() if p.is_dir() and (labels / f"{p.name}.toml").is_file())


def run_all(names: Sequence[str] | None = None, cases: Path = CASES, labels: Path = LABELS,
            fix: bool = True, jobs: int | None = None) -> list[CaseResult]:
    """Run every case (or the named ones), ``jobs`` at a time (the work is in the CLI subprocesses)."""
    from concurrent.futures import ThreadPoolExecutor

    names = list(names or case_names(cases, labels))
    loaded = [load_labels(labels / f"{n}.toml") for n in names]
    jobs = jobs or min(4, (os.cpu_count() or 1) + 1)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda nl: run_case(cases / nl[0], nl[1], fix=fix), zip(names, loaded)))


# ---------------------------------------------------------------------------------------------- output

def total(results: Sequence[CaseResult]) -> Score:
    """The scores of all cases added up."""
    return Score(sum(r.score.findings for r in results), sum(r.score.tp for r in results),
                 sum(r.score.fp for r in results), sum(r.score.defects for r in results),
                 sum(r.score.recalled for r in results),
                 tuple(f for r in results for f in r.score.false_positives),
                 tuple(m for r in results for m in r.score.missed))


def format_table(results: Sequence[CaseResult]) -> str:
    """Per-case and total findings, TP, FP, defects, recalled, precision, recall, exit codes."""
    head = ("case", "findings", "TP", "FP", "defects", "recalled", "precision", "recall", "exit", "fix-bad")
    rows = [head]
    for r in results:
        s = r.score
        rows.append((r.name, str(s.findings), str(s.tp), str(s.fp), str(s.defects), str(s.recalled),
                     f"{s.precision:.2f}", f"{s.recall:.2f}", str(r.exit_code), str(len(r.unlabelled_changes))))
    t = total(results)
    rows.append(("TOTAL", str(t.findings), str(t.tp), str(t.fp), str(t.defects), str(t.recalled),
                 f"{t.precision:.2f}", f"{t.recall:.2f}",
                 str(max((r.exit_code for r in results), default=0)),
                 str(sum(len(r.unlabelled_changes) for r in results))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for i, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if i == 0 or i == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def format_details(results: Sequence[CaseResult]) -> str:
    """False positives, missed defects, --fix changes outside defects, and errors, per case."""
    out = []
    for r in results:
        part = []
        if r.stderr:
            part.append(f"  exit {r.exit_code}: {r.stderr}")
        part += [f"  FP   {f.path}:{f.line} {f.code} {f.message}" for f in r.score.false_positives]
        part += [f"  MISS {m.path}:{m.line} {'/'.join(m.codes)} (pattern {m.pattern}) {m.note}" for m in r.score.missed]
        part += [f"  FIX  {c.path}:{c.line} changed an unlabelled line: {c.text!r}" for c in r.unlabelled_changes]
        if part:
            out.append(f"{r.name}:")
            out.extend(part)
    return "\n".join(out) + ("\n" if out else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="score flowgate-lint on the labelled real-world cases")
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--details", action="store_true", help="list false positives, misses and bad fixes")
    parser.add_argument("--no-fix", action="store_true", help="skip the --fix check")
    args = parser.parse_args(argv)
    results = run_all(args.cases or None, fix=not args.no_fix)
    sys.stdout.write(format_table(results))
    if args.details:
        sys.stdout.write("\n" + format_details(results))
    sys.stdout.flush()
    bad = [r.name for r in results if r.exit_code == 2 or r.fix_exit_code == 2]
    if bad:
        sys.stderr.write(f"exit 2 on: {', '.join(bad)}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
