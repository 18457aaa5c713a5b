#!/usr/bin/env python3
"""flowgate-lint benchmarks: medians over repeated runs, each as a ratio to a baseline measured in the same run.

Usage:
    python bench/run.py              # full corpora (10,000 files), 7 repeats per tree, 21 per one-file figure
    python bench/run.py --quick      # tiny corpora, 2 repeats (used by the test suite)
    python bench/run.py --files 2000 --repeats 5 --no-markdownlint
    python bench/run.py --before REV # also build git revision REV and measure it interleaved, run by run
    python bench/run.py --only one   # just the one-file figures (also: trees, harness, fix, large)

It builds a clean virtual environment (``.flowgate-bench/venv``, the package installed
non-editable, no site packages) because a site-wide ``.pth`` that imports extra modules
distorts start-up, generates deterministic corpora under ``.flowgate-bench/``, and prints a
table: case, median wall time, ratio to its baseline, peak RSS of the measured process.
The one-file cases run flowgate-lint as the pre-commit hook does (``python -I -m flowgate_lint``), the
trees through its console script, as the GitHub Action does. Runs use caches of their own
under the corpora directory; the relevant one-file case and the trees are measured cold
(``--no-cache``: spec derived, every file read and linted) and warm (the warm-up run fills the spec
and result caches, as an earlier run on the same files does); the one-file case is also measured
on a file rewritten before each run (the usual pre-commit run: result cache miss, spec cache warm).
The editor's figure is ``flowgate-lint server``'s time from a document's didOpen to its diagnostics: cold
(a fresh server's first document) and warm (a further one), the server installed with its extra.
The large cases are single files under the size cap in the shapes that once made a lint superlinear
(16k fences, one fence of 20k URL lines, 20k prose lines with a client URL), linted with ``--no-cache``.
Every figure is printed with its median CPU time (user + system of the measured process: steadier than
wall time on a loaded machine). With ``--before``, each run of the new build is paired with a run of the
old one, so both see the same load; the closing table gives the performance targets for each build. The
accuracy harness's cases (tests/realworld/cases) are linted one run per case, as CI's first run would.
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
from typing import Any, NamedTuple

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


# Single files in the shapes that once made a lint quadratic (issue 28): units -> text
LARGE = {
    "fences": ("{n} fences", lambda n: "".join(f"Step {i}:\n\n```sh\ncurl -fsS http://127.0.0.1:4000/v1/models\n```\n\n"
                                              for i in range(n)), 16_000),
    "fence-urls": ("one fence of {n} URL lines", lambda n: "# Setup\n\n```sh\n"
                   + "export ANTHROPIC_BASE_URL=http://127.0.0.1:4001/v1\n" * n + "```\n", 20_000),
    "prose-urls": ("{n} prose lines with a client URL", lambda n: "# Setup\n\n" + "".join(
        f"Run `export ANTHROPIC_BASE_URL=http://127.0.0.1:4001` on line {i}.\n" for i in range(n)), 20_000),
}


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


class Run(NamedTuple):
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its children
    rss: float  # peak RSS, MiB


def run_once(cmd: list[str], cwd: Path, env: dict | None = None, ok=(0, 1)) -> Run:
    """One run of ``cmd``: wall time, CPU time and peak RSS (stderr to a file: a pipe read only after exit
    would block a chatty process)."""
    import tempfile

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
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


class Figure(NamedTuple):
    wall: float  # median seconds
    cpu: float  # median CPU seconds (worker processes of a pool are not counted)
    rss: float  # max MiB


def summarize(runs: list[Run]) -> Figure:
    return Figure(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
                  max(r.rss for r in runs))


def measure_many(variants: dict[str, Any], repeats: int, warmup: bool = True) -> dict[str, Figure]:
    """Median figures per variant (a callable returning a Run), the variants interleaved run by run so that
    every one sees the same machine load; one unmeasured warm-up run each (fills .pyc and page caches)."""
    runs: dict[str, list[Run]] = {name: [] for name in variants}
    for i in range(repeats + 1 if warmup else repeats):
        for name, fn in variants.items():
            r = fn()
            if i or not warmup:
                runs[name].append(r)
    return {name: summarize(r) for name, r in runs.items()}


def measure(cmd: list[str], cwd: Path, repeats: int, env: dict | None = None, ok=(0, 1),
            warmup: bool = True) -> tuple[float, float]:
    """Median wall seconds and max peak RSS (MiB) of ``cmd`` over ``repeats`` runs (after one warm-up run)."""
    fig = measure_many({"": lambda: run_once(cmd, cwd, env, ok)}, repeats, warmup)[""]
    return fig.wall, fig.rss


def clean_venv(name: str = "venv", source: Path = ROOT) -> Path:
    """A virtual environment under WORK with ``source`` installed non-editable; returns its python."""
    venv = WORK / name
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--force-reinstall",
                    "--no-deps", str(source)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{source}[server]"],
                   check=True, stdout=subprocess.DEVNULL)  # the extra: pygls for the server rows
    return py


def lsp_latency(cmd: list[str], cwd: Path, env: dict, docs: list[tuple[Path, str]]) -> tuple[Run, Run]:
    """Start ``flowgate-lint server`` (push diagnostics: the client offers no pull), open each of ``docs``
    (buffers, not on disk: each is linted) and time didOpen to its publishDiagnostics: the first is the cold
    figure (a fresh server: rule imports, spec from the cache), the median of the rest the warm one. CPU and
    peak RSS are the server process's, whole session."""
    import json

    proc = subprocess.Popen(cmd + ["server"], cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdin is not None and proc.stdout is not None

    def send(msg: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **msg}).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()

    def until(pred: Any) -> dict:
        while True:
            length = 0
            while True:
                line = proc.stdout.readline()
                if not line:
                    raise SystemExit("bench: flowgate-lint server exited early")
                if not line.strip():
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(proc.stdout.read(length))
            if "method" in msg and "id" in msg:  # a request to the client (registerCapability): accept it
                send({"id": msg["id"], "result": None})
            if pred(msg):
                return msg

    send({"id": 1, "method": "initialize", "params": {"processId": os.getpid(), "rootUri": cwd.as_uri(),
                                                      "capabilities": {}}})
    until(lambda m: m.get("id") == 1)
    send({"method": "initialized", "params": {}})
    times = []
    for path, text in docs:
        uri = path.as_uri()
        start = time.perf_counter()
        send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "markdown", "version": 1, "text": text}}})
        until(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
        times.append(time.perf_counter() - start)
    send({"id": 2, "method": "shutdown"})
    until(lambda m: m.get("id") == 2)
    send({"method": "exit"})
    proc.stdin.close()
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    cpu, rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    return Run(times[0], cpu, rss), Run(statistics.median(times[1:]), cpu, rss)


def source_of(ref: str) -> Path:
    """The tree of git revision ``ref`` (to install as the "before" build)."""
    dest = WORK / "before-src"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


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

# The performance targets: (row, figure key, limit, what the limit is relative to)
TARGETS = (
    ("one relevant md, just edited", "edited", 0.090, "ms"),
    ("one relevant md, just edited", "edited", 0.25, "mdl1"),
    ("one relevant md, --no-cache", "cold1", 0.30, "mdl1"),
    ("server: didOpen to diagnostics, warm", "server-warm", 0.090, "ms"),  # an open buffer, re-linted in-process
    ("server: didOpen to diagnostics, cold", "server-cold", 0.5, "ms"),  # a fresh server's first document
    ("one irrelevant file", "irrelevant", 2.0, "pass"),
    ("10k tree 5 %, --no-cache", "tree5-cold", 2.0, "floor5"),
    ("10k tree all relevant, cold", "tree100-cold", 0.35, "mdl100"),
    ("accuracy-harness cases, --no-cache", "harness-cold", None, "mdlh"),
    ("16k fences, one file", "large-fences", 5.0, "ms"),
    ("one fence of 20k URL lines", "large-fence-urls", 5.0, "ms"),
    ("20k prose lines with a client URL", "large-prose-urls", 5.0, "ms"),
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny corpora, 2 repeats")
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=7, help="repeats per tree figure")
    ap.add_argument("--one-repeats", type=int, default=21, help="repeats per one-file figure")
    ap.add_argument("--before", metavar="REV", help="also measure git revision REV, interleaved run by run with "
                    "this tree, and print both")
    ap.add_argument("--no-markdownlint", action="store_true")
    ap.add_argument("--only", choices=("one", "trees", "harness", "fix", "large"), action="append",
                    help="measure only these parts (repeatable)")
    ap.add_argument("--corpora", type=Path, default=WORK, help="where to generate the corpora (default: %(default)s)")
    args = ap.parse_args(argv)
    if args.quick:
        args.files, args.repeats, args.one_repeats, args.no_markdownlint = 60, 2, 2, True
    parts = set(args.only or ("one", "trees", "harness", "fix", "large"))
    WORK.mkdir(exist_ok=True)
    args.corpora.mkdir(parents=True, exist_ok=True)
    builds = {"after": clean_venv()}
    if args.before:
        builds = {"before": clean_venv("venv-before", source_of(args.before)), **builds}
    py = builds["after"]
    fgl = {name: [str(p.parent / "flowgate-lint")] for name, p in builds.items()}
    hook = {name: [str(p), "-I", "-m", "flowgate_lint"] for name, p in builds.items()}  # .pre-commit-hooks.yaml's entry
    mdl = None if args.no_markdownlint else markdownlint()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FLOWGATE_LINT_"))}
    envs = {}
    for name in builds:  # each build keeps caches of its own
        envs[name] = {**env, "FLOWGATE_LINT_CACHE_DIR": str(args.corpora / f"cache-{name}")}
        shutil.rmtree(args.corpora / f"cache-{name}", ignore_errors=True)
    figs: dict[str, dict[str, Figure]] = {}  # key -> build ("base" for baselines) -> figure

    def show(label: str, key: str, base: str | None = None) -> None:
        for build, fig in figs[key].items():
            ratio = ""
            if base and base in figs:
                ratio = f"{fig.wall / figs[base]['base'].wall:.2f}x {base}"
            name = label if build == "base" else f"{label} [{build}]"
            print(f"  {name:<62} {fig.wall * 1000:9.1f} ms {fig.cpu * 1000:8.1f} ms cpu  {ratio:<16} {fig.rss:6.1f} MiB",
                  flush=True)

    def compare(key: str, label: str, make: Any, repeats: int, base: str | None = None) -> None:
        """Measure every build (make(build) -> callable giving a Run), interleaved."""
        figs[key] = measure_many({b: make(b) for b in builds}, repeats)
        show(label, key, base)

    def baseline(key: str, label: str, cmd: list[str], cwd: Path, repeats: int) -> None:
        figs[key] = {"base": measure_many({"base": lambda: run_once(cmd, cwd, env)}, repeats)["base"]}
        show(label, key)

    print(f"flowgate-lint bench: {args.files} files, {args.repeats} repeats per tree figure, {args.one_repeats} per "
          f"one-file figure, python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"builds: {', '.join(f'{b}' + (f' ({args.before})' if b == 'before' else '') for b in builds)}")
    print(f"  {'case':<62} {'median':>12} {'cpu':>15}  {'ratio':<16} {'peak RSS':>10}")

    if "one" in parts:  # 1. the one-file pre-commit case
        one = args.corpora / "one"
        make_tree(one, 0, 0, 0)
        (one / "relevant.md").write_text(relevant_md(random.Random(1), drift=False))
        (one / "irrelevant.md").write_text(irrelevant_md(random.Random(2)))
        reps = args.one_repeats
        baseline("pass", "python -c pass (baseline)", [str(py), "-c", "pass"], one, reps)
        if mdl:
            baseline("mdl1", "markdownlint-cli2 relevant.md", mdl + ["relevant.md"], one, reps)
        compare("irrelevant", "flowgate-lint irrelevant.md",
                lambda b: lambda: run_once(hook[b] + ["irrelevant.md"], one, envs[b]), reps, "pass")
        rel_base = "mdl1" if mdl else "pass"
        compare("cold1", "flowgate-lint relevant.md (cold, --no-cache)",
                lambda b: lambda: run_once(hook[b] + ["--no-cache", "relevant.md"], one, envs[b]), reps, rel_base)
        settle(one)
        compare("warm1", "flowgate-lint relevant.md (warm cache)",
                lambda b: lambda: run_once(hook[b] + ["relevant.md"], one, envs[b]), reps, rel_base)
        counter = iter(range(10**6))

        def edited(b: str) -> Any:
            def go() -> Run:  # the usual pre-commit run: a result-cache miss, the spec cache warm
                (one / "edited.md").write_text(relevant_md(random.Random(100 + next(counter)), drift=False))
                return run_once(hook[b] + ["edited.md"], one, envs[b])
            return go
        compare("edited", "flowgate-lint relevant.md (just edited)", edited, reps, rel_base)
        # Edited a while ago and not linted since (settled, so its findings are stored: the cache write is paid)
        pending = {b: [] for b in builds}
        for b in builds:
            for i in range(reps + 1):
                p = one / f"pending-{b}-{i}.md"
                p.write_text(relevant_md(random.Random(1000 + i), drift=False))
                pending[b].append(p.name)
        settle(one)
        compare("settled", "flowgate-lint relevant.md (edited earlier, first lint)",
                lambda b: lambda: run_once(hook[b] + [pending[b].pop()], one, envs[b]), reps, rel_base)
        # The editor: `flowgate-lint server`, from a document's didOpen to its diagnostics (builds that have it)
        served = [b for b in builds if subprocess.run([str(builds[b]), "-c", "import flowgate_lint.commands.server_cmd, "
                                                       "pygls"], capture_output=True).returncode == 0]
        docs = [(one / f"server-{i}.md", relevant_md(random.Random(5000 + i), drift=True)) for i in range(4)]
        server_runs: dict[str, tuple[list[Run], list[Run]]] = {b: ([], []) for b in served}
        for i in range(reps + 1):
            for b in served:
                cold, warm = lsp_latency(hook[b], one, envs[b], docs)
                if i:  # the first round warms .pyc and page caches
                    server_runs[b][0].append(cold)
                    server_runs[b][1].append(warm)
        for key, which, label in (("server-cold", 0, "cold"), ("server-warm", 1, "warm")):
            if served:
                figs[key] = {b: summarize(runs[which]) for b, runs in server_runs.items()}
                show(f"flowgate-lint server didOpen to diagnostics ({label})", key)

    if "trees" in parts:  # 2. large tree, 5 % relevant; 3. all relevant
        for label, share, tag in (("5% relevant", 0.05, "5"), ("all relevant", 1.0, "100")):
            tree = args.corpora / f"tree-{tag}"
            md = make_tree(tree, args.files, share, 0.0)
            baseline(f"floor{tag}", f"read-only floor ({label})", [str(py), "-c", FLOOR, str(tree)], tree, args.repeats)
            if mdl:
                baseline(f"mdl{tag}", f"markdownlint-cli2 ({len(md)} md, {label})", mdl + ["**/*.md"], tree,
                         max(1, args.repeats // 3))
            for mode, extra in (("cold", ["--no-cache"]), ("warm cache", [])):
                if not extra:
                    settle(tree)
                key = f"tree{tag}-{'cold' if extra else 'warm'}"
                compare(key, f"flowgate-lint tree ({label}, {mode})",
                        lambda b: lambda: run_once(fgl[b] + extra + ["."], tree, envs[b]), args.repeats, f"floor{tag}")
                if mdl:
                    for b, fig in figs[key].items():
                        print(f"  {'':<62} {'':>12} {'':>15}  {fig.wall / figs[f'mdl{tag}']['base'].wall:.2f}x mdl{tag} [{b}]")

    if "harness" in parts:  # 4. the accuracy harness's cases (real-world shaped repositories), one run per case
        cases = sorted(p for p in (ROOT / "tests" / "realworld" / "cases").glob("*") if p.is_dir())
        if cases:
            hroot = args.corpora / "harness"
            shutil.rmtree(hroot, ignore_errors=True)
            roots = []
            for case in cases:
                dest = hroot / case.name
                shutil.copytree(case, dest, symlinks=True, ignore=shutil.ignore_patterns(".git"))
                git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "gc.auto=0", "-C", str(dest)]
                subprocess.run(["git", "init", "-q", str(dest)], check=True)
                subprocess.run(git + ["add", "-A"], check=True)
                roots.append(dest)
            settle(hroot)

            def all_cases(cmd: list[str], e: dict) -> Any:
                def go() -> Run:
                    runs = [run_once(cmd, r, e, ok=(0, 1, 2)) for r in roots]
                    return Run(sum(r.wall for r in runs), sum(r.cpu for r in runs), max(r.rss for r in runs))
                return go
            n_md = sum(1 for r in roots for _ in r.rglob("*.md"))
            figs["mdlh"] = {"base": measure_many({"base": all_cases(mdl + ["**/*.md"], env)}, max(1, args.repeats // 3))["base"]} \
                if mdl else {}
            if mdl:
                show(f"markdownlint-cli2 ({len(roots)} cases, {n_md} md)", "mdlh")
            figs["passh"] = {"base": measure_many({"base": all_cases([str(py), "-c", "pass"], env)}, args.repeats)["base"]}
            show(f"python -c pass x {len(roots)} (baseline)", "passh")
            compare("harness-cold", f"flowgate-lint harness cases ({len(roots)} runs, --no-cache)",
                    lambda b: all_cases(fgl[b] + ["--no-cache", "."], envs[b]), args.repeats, "mdlh" if mdl else "passh")

    if "fix" in parts:  # 5. --fix with 5 % drift
        tree = args.corpora / "tree-fix"
        make_tree(tree, args.files, 0.05, 0.05)
        pristine = args.corpora / "tree-fix.pristine"
        if pristine.exists():
            shutil.rmtree(pristine)
        shutil.copytree(tree, pristine)

        def fix(b: str) -> Any:
            def go() -> Run:
                shutil.rmtree(tree)
                shutil.copytree(pristine, tree)
                return run_once(fgl[b] + ["--no-cache", "--fix", "."], tree, envs[b])
            return go
        baseline("floorfix", "read-only floor (fix tree)", [str(py), "-c", FLOOR, str(tree)], tree, args.repeats)
        figs["fix"] = measure_many({b: fix(b) for b in builds}, max(1, args.repeats // 2), warmup=False)
        show("flowgate-lint --fix (5% drift, cold)", "fix", "floorfix")

    if "large" in parts:  # 6. one file under the size cap in each shape that was once quadratic
        large = args.corpora / "large"
        make_tree(large, 0, 0, 0)
        (large / "pyproject.toml").write_text('[tool.flowgate-lint]\nspec = "config/flowgate.yaml"\npreview = true\n')
        for tag, (label, make, units) in LARGE.items():
            n = units // 8 if args.quick else units
            (large / f"{tag}.md").write_text(make(n))
            compare(f"large-{tag}", f"flowgate-lint {label.format(n=n)} (--no-cache)",
                    lambda b, tag=tag: lambda: run_once(hook[b] + ["--no-cache", f"{tag}.md"], large, envs[b]),
                    max(1, args.repeats // 2))

    # The large single files have rows (and RSS) of their own: the RSS target is for the everyday cases (the
    # command line; the server is a long-lived process with pygls loaded, its RSS is on its rows).
    rss = max((f.rss for k, v in figs.items() if not k.startswith(("large-", "server-")) for b, f in v.items() if b != "base"),
              default=0.0)
    print(f"peak RSS max over flowgate-lint cases: {rss:.1f} MiB")
    print_targets(figs, list(builds), rss)
    return 0


def print_targets(figs: dict, builds: list[str], rss: float) -> None:
    """The performance target table: each figure per build, as the ratio the target is stated in."""
    print("\ntargets (medians; ratios to baselines measured in the same run):")
    print(f"  {'target':<44} " + " ".join(f"{b:>20}" for b in builds) + "  limit")
    for label, key, limit, base in TARGETS:
        if key not in figs or (base != "ms" and base not in figs) or (base != "ms" and not figs[base]):
            continue
        cells = []
        for b in builds:
            fig = figs[key].get(b)
            if fig is None:  # a build without that case (the server before it existed)
                cells.append("-")
                continue
            value = fig.wall * 1000 if base == "ms" else fig.wall / figs[base]["base"].wall
            met = "" if limit is None else (" ok" if value <= (limit * 1000 if base == "ms" else limit) else " MISS")
            cells.append(f"{value:.1f} ms{met}" if base == "ms" else f"{value:.2f}x{met}")
        lim = "-" if limit is None else (f"<= {limit * 1000:.0f} ms" if base == "ms" else f"<= {limit}x {base}")
        print(f"  {label:<44} " + " ".join(f"{c:>20}" for c in cells) + f"  {lim}")
    print(f"  {'peak RSS, any case':<44} {rss:>18.1f} MiB  <= 50 MiB{' ok' if rss <= 50 else ' MISS'}")


if __name__ == "__main__":
    raise SystemExit(main())
