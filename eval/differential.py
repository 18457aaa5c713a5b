"""Developer-time differential check: every finding, fix and output of one build, as one JSON document.

Run it with two builds and compare the files: a move or a speed change must print IDENTICAL.

    python eval/differential.py --src /path/to/checkout-a > a.json
    python eval/differential.py --src /path/to/checkout-b > b.json
    python eval/differential.py --compare a.json b.json

The material: every case of the accuracy harness (with its settings), ``examples/*``, ``docs/``, and
every labelled FlowGate revision whose mirror is present. For each it records the JSON report, the
concise and full reports, and what ``--fix --unsafe-fixes`` changes (file by file). ``--src`` puts
that checkout first on ``sys.path`` of the CLI subprocess, so one interpreter runs either build.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "realworld"))
import score as S  # noqa: E402


EXTRA: list[str] = []  # --extra: arguments every run gets (--preview, for a build whose default set is smaller)


def _run(src: Path, root: Path, *args: str) -> tuple[int, str]:
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(src))
    env.pop("FORCE_COLOR", None)
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", *EXTRA, *args, "."], cwd=root,
                         capture_output=True, text=True, env=env)
    return res.returncode, res.stdout + "\n--stderr--\n" + res.stderr


def _material(tmp: Path) -> list[tuple[str, Path]]:
    out = []
    for name in S.case_names():
        labels = S.load_labels(S.LABELS / f"{name}.toml")
        out.append((f"harness/{name}", S.prepare(S.CASES / name, tmp / "h", labels)))
    for d in sorted((ROOT / "examples").iterdir()):
        if d.is_dir():
            dest = tmp / "e" / d.name
            shutil.copytree(d, dest, symlinks=True)
            S._git(dest, "init", "-q")
            S._git(dest, "add", "-A")
            out.append((f"examples/{d.name}", dest))
    dest = tmp / "docs"
    shutil.copytree(ROOT / "docs", dest, symlinks=True)
    S._git(dest, "init", "-q")
    S._git(dest, "add", "-A")
    out.append(("docs", dest))
    return out


def collect(src: Path) -> dict:
    result = {}
    with tempfile.TemporaryDirectory(prefix="flowgate-diff-") as t:
        tmp = Path(t)
        for name, root in _material(tmp):
            entry = {}
            for fmt in ("json", "concise", "full", "sarif", "github"):
                entry[fmt] = _run(src, root, "--output-format", fmt)
            before = S._read_tree(root)
            entry["fix"] = _run(src, root, "--fix", "--unsafe-fixes", "--output-format", "json")
            after = S._read_tree(root)
            entry["changed"] = {k: after.get(k) for k in sorted(set(before) | set(after))
                                if before.get(k) != after.get(k)}
            result[name] = entry
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, help="the checkout whose flowgate_lint runs")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    ap.add_argument("--extra", action="append", default=[], metavar="ARG",
                    help="an argument every lint run gets (repeatable), e.g. --extra=--preview")
    ap.add_argument("--material", type=Path, default=None,
                    help="the checkout whose harness cases, examples/ and docs/ are linted (default: this one)")
    args = ap.parse_args()
    EXTRA[:] = args.extra
    if args.compare:
        a, b = (json.loads(p.read_text()) for p in args.compare)
        diff = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        for k in diff:
            for part in sorted(set(a.get(k, {})) | set(b.get(k, {}))):
                if a.get(k, {}).get(part) != b.get(k, {}).get(part):
                    print(f"DIFFERENT {k} {part}")
        print("IDENTICAL" if not diff else f"{len(diff)} of {len(set(a) | set(b))} differ")
        return 0 if not diff else 1
    if args.material is not None:
        global S, ROOT
        ROOT = args.material.resolve()
        sys.path.insert(0, str(ROOT / "tests" / "realworld"))
        sys.modules.pop("score", None)
        import score as material_score  # noqa: E402 - that checkout's harness cases and labels

        S = material_score
    json.dump(collect(args.src.resolve()), sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
