"""Developer-time accuracy check: flowgate-lint on public repositories at pinned commits.

Not part of the test suite and not run in CI. For each repository in ``eval/public/repos.toml`` it
materialises the listed files of the pinned commit from a local mirror (a bare git directory brought by
the research ``fetch`` tool) into a temporary git repository, writes the repository's gateway settings as
``pyproject.toml``, runs the real CLI with JSON output and scores the findings against
``eval/public/labels/<owner>__<name>.toml`` with the shared scorer (``tests/realworld/score.py``). A second
copy gets ``--fix``; every changed line that is not labelled as a defect is listed.

    python eval/public_eval.py [--mirrors /work/.mirror] [--repo OWNER/NAME] [--details] [--findings]

Exit status: 0 when every repository ran, 1 when a mirror (or its pinned commit) is missing or a labels
file is wrong, 2 when flowgate-lint exited 2 on a repository.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath
from typing import NamedTuple, Sequence

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPOS = HERE / "public" / "repos.toml"
FLOWGATE = HERE / "flowgate"  # heliar-k/flowgate's history: revisions-*.toml and labels/<commit12>.toml
LABELS = HERE / "public" / "labels"
SCORER = ROOT / "tests" / "realworld" / "score.py"
PREVIEW: list[str] = []  # ["--preview"] with --preview: the preview rules too
DEFAULT_MIRRORS = Path(os.environ.get("FLOWGATE_EVAL_MIRRORS", "/work/.mirror"))


def _load_scorer():
    if not SCORER.is_file():
        sys.exit(f"public_eval: the shared scorer {SCORER.relative_to(ROOT)} is missing (merge main)")
    spec = importlib.util.spec_from_file_location("flowgate_realworld_score", SCORER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


S = _load_scorer()


class Repo(NamedTuple):
    name: str  # owner/name
    commit: str
    paths: tuple[str, ...]  # files to lint, as in the repository
    rename: dict[str, str]  # repository path -> path it is linted under (e.g. .mdx -> .md)
    settings: dict  # [tool.flowgate-lint] keys
    note: str
    labels: Path | None = None  # the labels file (default: public/labels/<owner>__<name>.toml)
    tree: bool = False  # lint the whole tree of the commit as it is (FlowGate's history: no settings added)

    @property
    def slug(self) -> str:
        return self.name.replace("/", "__")

    def mirror(self, mirrors: Path) -> Path:
        return mirrors / self.name.replace("/", "+") / "repo"


class RepoError(ValueError):
    """repos.toml does not follow its format."""


def _safe_rel(path: object, where: str) -> str:
    p = PurePosixPath(str(path))
    if not isinstance(path, str) or not path or p.is_absolute() or ".." in p.parts or "\\" in path:
        raise RepoError(f"{where}: {path!r} is not a relative path inside the repository")
    return p.as_posix()


def load_repos(path: Path = REPOS) -> list[Repo]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, r in enumerate(data.get("repo", [])):
        where = f"{path.name}: [[repo]] #{i + 1}"
        unknown = set(r) - {"name", "commit", "paths", "rename", "settings", "note"}
        if unknown:
            raise RepoError(f"{where}: unknown keys {sorted(unknown)}")
        name, commit = r.get("name", ""), r.get("commit", "")
        if name.count("/") != 1:
            raise RepoError(f"{where}: name must be owner/name")
        if len(commit) != 40 or any(c not in "0123456789abcdef" for c in commit):
            raise RepoError(f"{where}: commit must be 40 lowercase hex digits")
        paths = tuple(_safe_rel(p, where) for p in r.get("paths", []))
        rename = {_safe_rel(k, where): _safe_rel(v, where) for k, v in r.get("rename", {}).items()}
        if set(rename) - set(paths):
            raise RepoError(f"{where}: rename names paths that are not listed: {sorted(set(rename) - set(paths))}")
        linted = [rename.get(p, p) for p in paths]
        if "pyproject.toml" in linted or len(set(linted)) != len(linted):
            raise RepoError(f"{where}: paths must be distinct and must not include pyproject.toml (the settings file)")
        out.append(Repo(name, commit, paths, rename, dict(r.get("settings", {})), r.get("note", "")))
    return out


def load_flowgate(directory: Path = FLOWGATE) -> list[Repo]:
    """heliar-k/flowgate's labelled revisions, oldest listed first: the whole tree, no settings."""
    out = []
    for path in sorted(directory.glob("revisions-*.toml")):
        for i, r in enumerate(tomllib.loads(path.read_text(encoding="utf-8")).get("revision", [])):
            commit = r.get("commit", "")
            if len(commit) != 40 or any(c not in "0123456789abcdef" for c in commit):
                raise RepoError(f"{path.name}: [[revision]] #{i + 1}: commit must be 40 lowercase hex digits")
            out.append(Repo("heliar-k/flowgate", commit, (), {}, {}, r.get("note", ""),
                            directory / "labels" / f"{commit[:12]}.toml", True))
    return out


# ---------------------------------------------------------------------------------------------- mirrors

def _git(*args: str, cwd: Path | None = None, git_dir: Path | None = None, binary: bool = False):
    cmd = ["git"]
    if git_dir is not None:
        cmd += [f"--git-dir={git_dir}"]
    cmd += ["-c", "user.name=public-eval", "-c", "user.email=public-eval@localhost", "-c", "commit.gpgsign=false",
            "-c", "init.defaultBranch=main", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, check=False, text=not binary)


def mirror_problem(repo: Repo, mirrors: Path) -> str | None:
    """Why the pinned commit cannot be read from the mirror, or None."""
    git_dir = repo.mirror(mirrors)
    if not git_dir.is_dir():
        return f"{repo.name}: no mirror at {git_dir}; bring it with the fetch tool: fetch github:{repo.name}"
    if _git("cat-file", "-e", f"{repo.commit}^{{commit}}", git_dir=git_dir).returncode != 0:
        return (f"{repo.name}: commit {repo.commit} is not in {git_dir}; the mirror is older or newer than the pin: "
                f"fetch github:{repo.name} again, or re-pin in eval/public/repos.toml")
    return None


def tree_paths(repo: Repo, mirrors: Path) -> tuple[str, ...]:
    """Every regular file of the pinned commit (whole-tree repositories)."""
    out = _git("ls-tree", "-r", repo.commit, git_dir=repo.mirror(mirrors)).stdout.splitlines()
    return tuple(line.split("\t", 1)[1] for line in out if line.split()[0] in ("100644", "100755"))


def materialise(repo: Repo, mirrors: Path, dest: Path) -> Path:
    """The listed files of the pinned commit in a fresh one-commit git repository, plus the settings."""
    import tomlkit

    git_dir = repo.mirror(mirrors)
    dest.mkdir(parents=True)
    for path in repo.paths:
        listing = _git("ls-tree", repo.commit, "--", path, git_dir=git_dir).stdout.split(None, 3)
        if len(listing) < 4 or listing[1] != "blob" or listing[0] == "120000":
            raise RepoError(f"{repo.name}: {path} is not a regular file at {repo.commit[:12]}")
        blob = _git("cat-file", "blob", listing[2], git_dir=git_dir, binary=True)
        target = dest / repo.rename.get(path, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.stdout)
        if listing[0] == "100755":
            target.chmod(0o755)
    if repo.settings:
        (dest / "pyproject.toml").write_text(tomlkit.dumps({"tool": {"flowgate-lint": repo.settings}}), encoding="utf-8")
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", f"{repo.name} at {repo.commit[:12]}")):
        res = _git(*args, cwd=dest)
        if res.returncode != 0:
            raise RepoError(f"{repo.name}: git {args[0]} failed: {res.stderr.strip()}")
    return dest


# ---------------------------------------------------------------------------------------------- running

def _cli(python: str, root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    return subprocess.run([python, "-m", "flowgate_lint", "--no-cache", *PREVIEW, *args, "."], cwd=root,
                          capture_output=True, text=True, env=env)


def _tree(root: Path, repo: Repo) -> dict[str, str]:
    out = {}
    for path in repo.paths:
        p = root / repo.rename.get(path, path)
        out[path] = p.read_bytes().decode("utf-8", errors="surrogateescape") if p.is_file() else ""
    return out


def run_repo(repo: Repo, labels, mirrors: Path, python: str, fix: bool = True):
    """(CaseResult, label problems) for one repository."""
    if repo.tree:
        repo = repo._replace(paths=tree_paths(repo, mirrors))
    back = {v: k for k, v in repo.rename.items()}
    with tempfile.TemporaryDirectory(prefix="flowgate-public-eval-") as tmp:
        lint_root = materialise(repo, mirrors, Path(tmp) / "lint" / repo.slug)
        problems = S.label_problems(lint_root, _renamed(labels, repo.rename))
        res = _cli(python, lint_root, "--output-format", "json")
        findings = ()
        stderr = ""
        if res.returncode == 2:
            stderr = res.stderr.strip()
        else:
            try:
                findings = tuple(f._replace(path=back.get(f.path, f.path)) for f in S.parse_findings(res.stdout))
            except (ValueError, KeyError) as exc:
                stderr = f"unreadable JSON report: {exc}"
        fix_rc, changes = 0, ()
        if fix:
            fix_root = materialise(repo, mirrors, Path(tmp) / "fix" / repo.slug)
            before = _tree(fix_root, repo)
            fix_res = _cli(python, fix_root, "--fix", "--output-format", "json")
            fix_rc = fix_res.returncode
            if fix_rc == 2 and not stderr:
                stderr = fix_res.stderr.strip()
            after = _tree(fix_root, repo)
            all_changes = [c for p in repo.paths for c in S.changed_lines(p, before[p], after[p])]
            changes = S.unlabelled(all_changes, labels)
    result = S.CaseResult(repo.name + (f"@{repo.commit[:7]}" if repo.tree else ""), S.score(findings, labels), res.returncode, fix_rc, stderr, tuple(changes), findings)
    return result, problems


def _renamed(labels, rename: dict[str, str]):
    """Labels with paths as linted (for the line-count check)."""
    fix = lambda ls: tuple(l._replace(path=rename.get(l.path, l.path)) for l in ls)  # noqa: E731
    return labels._replace(defects=fix(labels.defects), cleans=fix(labels.cleans))


def format_findings(result, labels) -> str:
    """Every finding with its verdict: TP, FP on a clean-labelled line, or FP on an unlabelled line."""
    defects = {(d.path, d.line): d for d in labels.defects}
    cleans = {(c.path, c.line) for c in labels.cleans}
    out = [f"{result.name}:"]
    for f in sorted(result.findings, key=lambda f: (f.path, f.line, f.code)):
        d = defects.get((f.path, f.line))
        verdict = "TP   " if d is not None and f.code in d.codes else (
            "FP/c " if (f.path, f.line) in cleans else "FP/d " if d is not None else "FP/? ")
        out.append(f"  {verdict}{f.path}:{f.line} {f.code} [{f.fix or '-'}] {f.message}")
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="score flowgate-lint on labelled public repositories at pinned commits")
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS,
                        help="directory of the fetched mirrors, OWNER+NAME/repo (default: %(default)s)")
    parser.add_argument("--repo", action="append", metavar="OWNER/NAME", help="only this repository (repeatable)")
    parser.add_argument("--details", action="store_true", help="list false positives, misses and bad fixes")
    parser.add_argument("--findings", action="store_true", help="list every finding with its verdict")
    parser.add_argument("--no-fix", action="store_true", help="skip the --fix check")
    parser.add_argument("--repos", type=Path, action="append", metavar="FILE",
                        help="repository list (repeatable; default: public/repos.toml), e.g. public/batches/b1.toml")
    parser.add_argument("--flowgate", action="store_true",
                        help="score heliar-k/flowgate's labelled revisions (whole tree, no settings) instead")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter whose flowgate_lint is run (default: this one)")
    parser.add_argument("--preview", action="store_true", help="run the preview rules too (default: the stable set)")
    args = parser.parse_args(argv)
    if args.preview:
        PREVIEW.append("--preview")

    try:
        repos = load_flowgate() if args.flowgate else [r for f in (args.repos or [REPOS]) for r in load_repos(f)]
    except (RepoError, tomllib.TOMLDecodeError) as exc:
        print(f"public_eval: {exc}", file=sys.stderr)
        return 1
    if args.repo:
        unknown = set(args.repo) - {r.name for r in repos}
        if unknown:
            print(f"public_eval: not in repos.toml: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 1
        repos = [r for r in repos if r.name in args.repo]
    missing = [p for p in (mirror_problem(r, args.mirrors) for r in repos) if p]
    if missing:
        print("\n".join(f"public_eval: {m}" for m in missing), file=sys.stderr)
        return 1

    results, bad_labels = [], []
    for repo in repos:
        label_file = repo.labels or LABELS / f"{repo.slug}.toml"
        try:
            labels = S.load_labels(label_file)
        except (OSError, S.LabelError) as exc:
            print(f"public_eval: {exc}", file=sys.stderr)
            return 1
        try:
            result, problems = run_repo(repo, labels, args.mirrors, args.python, fix=not args.no_fix)
        except RepoError as exc:
            print(f"public_eval: {exc}", file=sys.stderr)
            return 1
        bad_labels += [f"{label_file.name}: {p}" for p in problems]
        results.append((result, labels))

    sys.stdout.write(S.format_table([r for r, _ in results]))
    if args.details:
        sys.stdout.write("\n" + S.format_details([r for r, _ in results]))
    if args.findings:
        sys.stdout.write("\n" + "".join(format_findings(r, l) for r, l in results))
    if bad_labels:
        print("\n".join(f"public_eval: label points nowhere: {p}" for p in bad_labels), file=sys.stderr)
        return 1
    bad = [r.name for r, _ in results if r.exit_code == 2 or r.fix_exit_code == 2]
    if bad:
        print(f"public_eval: flowgate-lint exited 2 on: {', '.join(bad)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
