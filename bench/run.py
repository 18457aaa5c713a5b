#!/usr/bin/env python3
"""flowgate-lint benchmarks: medians over repeated runs, each as a ratio to a baseline measured in the same run.

Usage:
    python bench/run.py              # full corpora (10,000 files), 7 repeats
    python bench/run.py --quick      # tiny corpora, 2 repeats (used by the test suite)
    python bench/run.py --files 2000 --repeats 5 --no-markdownlint

It builds a clean virtual environment (``.flowgate-bench/venv``, the package installed
non-editable, no site packages) because a site-wide ``.pth`` that imports extra modules
distorts start-up, generates deterministic corpora under ``.flowgate-bench/``, and prints a
table: case, median wall time, ratio to its baseline, peak RSS of the measured process.
flowgate-lint runs through its console script, as pre-commit runs it. Runs use caches of their own
under the corpora directory; the relevant one-file case and the trees are measured cold
(``--no-cache``: spec derived, every file read and linted) and warm (the warm-up run fills the spec
and result caches, as an earlier run on the same files does); the one-file case is also measured
on a file rewritten before each run (the usual pre-commit run: result cache miss, spec cache warm).
markdownlint-cli2 is installed from the npm registry into ``.flowgate-bench/node`` when npm
is available (pass ``--no-markdownlint`` to skip).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".flowgate-bench"
MDL_VERSION = "0.24.1"

SPEC = """config_version: 2
services:
  litellm: {host: 127.0.0.1, port: 4000}
  cliproxyapi_plus: {host: 127.0.0.1, port: 8317}
integration: {default_model: router-default, fast_model: router-cheap}
litellm_base:
  model_list:
    - model_name: router-default
      litellm_params: {model: openai/router-default}
    - model_name: router-cheap
      litellm_params: {model: openai/router-cheap}
"""

WORDS = ("gateway release notes team onboarding latency tracing quota budget review deploy cluster "
         "storage feature rollout metrics dashboard incident runbook policy schema migration").split()


def prose(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def irrelevant_md(rng: random.Random) -> str:
    parts = [f"# {prose(rng, 3)}\n"]
    for _ in range(rng.randint(3, 8)):
        parts.append(prose(rng, rng.randint(15, 60)) + "\n")
    parts.append("```python\nprint('hello')\n```\n")
    return "\n".join(parts)


def relevant_md(rng: random.Random, drift: bool) -> str:
    port = 4001 if drift else 4000
    suffix = "/v1" if drift else ""
    return "\n".join([
        f"# Connecting clients {rng.randint(0, 10**6)}\n",
        prose(rng, 30) + "\n",
        f"Claude Code: `export ANTHROPIC_BASE_URL=http://127.0.0.1:{port}{suffix}`.\n",
        "```toml",
        'model_provider = "flowgate"',
        'model = "router-default"',
        "",
        "[model_providers.flowgate]",
        'name = "FlowGate Local"',
        f'base_url = "http://127.0.0.1:{port}/v1"',
        'env_key = "OPENAI_API_KEY"',
        'wire_api = "responses"',
        "```\n",
        "```json",
        '{"env": {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000", "ANTHROPIC_DEFAULT_HAIKU_MODEL": "router-cheap"}}',
        "```\n",
        prose(rng, 40) + "\n",
    ])


def make_tree(dest: Path, n_files: int, relevant_share: float, drift_share: float, seed: int = 7) -> list[Path]:
    """A deterministic docs tree: Markdown, scripts, configs; returns the Markdown files."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "config").mkdir(parents=True)
    (dest / "config" / "flowgate.yaml").write_text(SPEC)
    (dest / "pyproject.toml").write_text('[tool.flowgate-lint]\nspec = "config/flowgate.yaml"\n')
    past = time.time() - 3600  # settled files, as in a real checkout (the spec cache skips files edited just now)
    for p in (dest / "config" / "flowgate.yaml", dest / "pyproject.toml"):
        os.utime(p, (past, past))
    rng = random.Random(seed)
    md_files = []
    for i in range(n_files):
        relevant = rng.random() < relevant_share
        drift = relevant and rng.random() < (drift_share / max(relevant_share, 1e-9))
        sub = dest / f"d{i % 50:02d}"
        sub.mkdir(exist_ok=True)
        r = rng.random()
        if r < 0.7:
            p = sub / f"doc{i}.md"
            p.write_text(relevant_md(rng, drift) if relevant else irrelevant_md(rng))
            md_files.append(p)
        elif r < 0.85:
            p = sub / f"script{i}.sh"
            body = (f"curl -fsS http://127.0.0.1:{4001 if drift else 4000}/health/liveliness\n" if relevant
                    else f"echo {prose(rng, 8)!r}\n")
            p.write_text("#!/bin/sh\nset -e\n" + body)
        elif r < 0.95:
            p = sub / f"conf{i}.json"
            p.write_text('{"env": {"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000"}}\n' if relevant
                         else '{"name": "%s", "size": %d}\n' % (rng.choice(WORDS), rng.randint(1, 99)))
        else:
            p = sub / f"conf{i}.yaml"
            p.write_text(f"url: http://127.0.0.1:{4001 if drift else 4000}/v1\n" if relevant
                         else f"name: {rng.choice(WORDS)}\nsize: {rng.randint(1, 99)}\n")
    # gc.auto=0: a detached auto-gc would repack objects while the tree is being copied
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "gc.auto=0", "-C", str(dest)]
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "corpus"], check=True)
    return md_files


def settle(path: Path) -> None:
    """Wait until the files under ``path`` are older than the caches' racy window (2 s after the last
    change), as the files of a real checkout are; a just-written file is linted but not cached."""
    newest = max(os.stat(p).st_ctime for p in [path, *path.rglob("*")] if ".git" not in p.parts)
    time.sleep(max(0.0, newest + 2.2 - time.time()))


def measure(cmd: list[str], cwd: Path, repeats: int, env: dict | None = None, ok=(0, 1),
            warmup: bool = True) -> tuple[float, float]:
    """Median wall seconds and max peak RSS (MiB) of ``cmd`` over ``repeats`` runs (after one warm-up run)."""
    import tempfile

    times, rss = [], []
    for i in range(repeats + 1 if warmup else repeats):
        # stderr goes to a file: a pipe read only after exit would block a chatty process forever
        with tempfile.TemporaryFile() as err_file:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err_file, env=env)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
            code = os.waitstatus_to_exitcode(status)
            if code not in ok:
                err_file.seek(0)
                err = err_file.read(2000).decode(errors="replace")
                raise SystemExit(f"bench: {' '.join(cmd[:3])} exited {code}: {err.strip()[:300]}")
        if i or not warmup:  # the warm-up run fills caches (.pyc, page cache)
            times.append(elapsed)
            rss.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(rss)


def clean_venv() -> Path:
    venv = WORK / "venv"
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
                   check=True, stdout=subprocess.DEVNULL)
    return py


def markdownlint() -> list[str] | None:
    if not shutil.which("npm"):
        return None
    node = WORK / "node"
    binary = node / "node_modules" / ".bin" / "markdownlint-cli2"
    if not binary.exists():
        node.mkdir(parents=True, exist_ok=True)
        res = subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(node),
                              f"markdownlint-cli2@{MDL_VERSION}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if res.returncode != 0 or not binary.exists():
            return None
    return [str(binary)]


FLOOR = ("import os,sys\n"
         "n=0\n"
         "for d,ds,fs in os.walk(sys.argv[1]):\n"
         "  ds[:]=[x for x in ds if x!='.git']\n"
         "  for f in fs:\n"
         "    with open(os.path.join(d,f),'rb') as h: n+=len(h.read())\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny corpora, 2 repeats")
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--no-markdownlint", action="store_true")
    ap.add_argument("--corpora", type=Path, default=WORK, help="where to generate the corpora (default: %(default)s)")
    args = ap.parse_args(argv)
    if args.quick:
        args.files, args.repeats, args.no_markdownlint = 60, 2, True
    WORK.mkdir(exist_ok=True)
    args.corpora.mkdir(parents=True, exist_ok=True)
    py = clean_venv()
    fgl = [str(py.parent / "flowgate-lint")]
    mdl = None if args.no_markdownlint else markdownlint()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FLOWGATE_LINT_"))}
    env["FLOWGATE_LINT_CACHE_DIR"] = str(args.corpora / "cache")
    shutil.rmtree(args.corpora / "cache", ignore_errors=True)
    rows: list[tuple[str, float, str, float]] = []

    def row(name: str, t: float, base: float | None, base_name: str, rss: float) -> None:
        ratio = f"{t / base:.2f}x {base_name}" if base else "-"
        rows.append((name, t, ratio, rss))
        print(f"  {name:<44} {t * 1000:9.1f} ms  {ratio:<34} {rss:7.1f} MiB", flush=True)

    print(f"flowgate-lint bench: {args.files} files, {args.repeats} repeats, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores")
    print(f"  {'case':<44} {'median':>12}  {'ratio':<34} {'peak RSS':>11}")

    # 1. one-file pre-commit case
    one = args.corpora / "one"
    make_tree(one, 0, 0, 0)
    (one / "relevant.md").write_text(relevant_md(random.Random(1), drift=False))
    (one / "irrelevant.md").write_text(irrelevant_md(random.Random(2)))
    t_pass, r_pass = measure([str(py), "-c", "pass"], one, args.repeats, env)
    row("python -c pass (baseline)", t_pass, None, "", r_pass)
    t_mdl1 = None
    if mdl:
        t_mdl1, r = measure(mdl + ["relevant.md"], one, args.repeats, env)
        row("markdownlint-cli2 relevant.md", t_mdl1, None, "", r)
    t, r = measure(fgl + ["irrelevant.md"], one, args.repeats, env)
    row("flowgate-lint irrelevant.md", t, t_pass, "python -c pass", r)
    t, r = measure(fgl + ["--no-cache", "relevant.md"], one, args.repeats, env)
    row("flowgate-lint relevant.md (cold, --no-cache)", t, t_mdl1 or t_pass,
        "markdownlint-cli2" if t_mdl1 else "python -c pass", r)
    settle(one)
    t, r = measure(fgl + ["relevant.md"], one, args.repeats, env)  # the warm-up run fills the caches
    row("flowgate-lint relevant.md (warm cache)", t, t_mdl1 or t_pass, "markdownlint-cli2" if t_mdl1 else "python -c pass", r)
    # The usual pre-commit run: the file was just edited (a result-cache miss), the spec cache is warm.
    times, rss = [], []
    for i in range(args.repeats):
        (one / "edited.md").write_text(relevant_md(random.Random(100 + i), drift=False))
        t, r = measure(fgl + ["edited.md"], one, 1, env, warmup=False)
        times.append(t)
        rss.append(r)
    row("flowgate-lint relevant.md (just edited)", statistics.median(times), t_mdl1 or t_pass,
        "markdownlint-cli2" if t_mdl1 else "python -c pass", max(rss))

    # 2. large tree, 5 % relevant; 3. all relevant; 4. --fix with 5 % drift
    for label, share, drift in (("5% relevant", 0.05, 0.0), ("all relevant", 1.0, 0.0)):
        tree = args.corpora / f"tree-{int(share * 100)}"
        md = make_tree(tree, args.files, share, drift)
        t_floor, r = measure([str(py), "-c", FLOOR, str(tree)], tree, args.repeats, env)
        row(f"read-only floor ({label})", t_floor, None, "", r)
        t_mdl = None
        if mdl:
            t_mdl, r = measure(mdl + ["**/*.md"], tree, max(1, args.repeats // 2), env)
            row(f"markdownlint-cli2 ({len(md)} md, {label})", t_mdl, None, "", r)
        for mode, extra in (("cold", ["--no-cache"]), ("warm cache", [])):
            if not extra:
                settle(tree)
            t, r = measure(fgl + extra + ["."], tree, args.repeats, env)
            row(f"flowgate-lint tree ({label}, {mode})", t, t_floor, "floor", r)
            if t_mdl:
                rows.append((f"  vs markdownlint-cli2 ({label}, {mode})", t, f"{t / t_mdl:.2f}x markdownlint-cli2", 0.0))
                print(f"  {'':<44} {'':>12}  {t / t_mdl:.2f}x markdownlint-cli2")

    tree = args.corpora / "tree-fix"
    make_tree(tree, args.files, 0.05, 0.05)
    pristine = args.corpora / "tree-fix.pristine"
    if pristine.exists():
        shutil.rmtree(pristine)
    shutil.copytree(tree, pristine)
    times, rss = [], []
    for _ in range(max(1, args.repeats // 2)):
        shutil.rmtree(tree)
        shutil.copytree(pristine, tree)
        t, r = measure(fgl + ["--no-cache", "--fix", "."], tree, 1, env, warmup=False)
        times.append(t)
        rss.append(r)
    t_floor, _ = measure([str(py), "-c", FLOOR, str(tree)], tree, args.repeats, env)
    row("flowgate-lint --fix (5% drift, cold)", statistics.median(times), t_floor, "floor", max(rss))
    print(f"peak RSS max over flowgate-lint cases: {max(r for n, _, _, r in rows if n.startswith('flowgate')):.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
