#!/usr/bin/env python3
"""Regenerate the transcripts of read-only lint runs in README.md and docs/*.md from real runs.

A transcript is a ```text block (any fence of three or more backticks) whose first line is either
``$ cd examples/NAME && flowgate-lint ARGS`` (a run on a bundled example that writes nothing: no --fix) or
``$ flowgate-lint ARGS`` right after a ``<!-- transcript: a copy of examples/NAME -->`` line (run in a fresh
git repository holding a copy of the example, so --fix may write). The lines after it are replaced by what
that command prints (stdout, then stderr) as it would on a terminal (``--output-format full`` when the command
names no format, no colour), and a closing ``(exit N)`` line is kept up to date when the block has one.
A block after ``<!-- transcript: a session in a copy of examples/NAME, home tests/fixtures/DIR -->`` holds
several ``$ flowgate-lint ARGS`` commands, each with its output and ``(exit N)``: they run in order in one
copy of the example with HOME set to a copy of that fixture directory (no client variables in the
environment, OPENAI_API_KEY a placeholder), the home's path shown as ``~``; backup timestamps differ from
run to run and are not compared. Other ``$`` blocks (probe: it needs a live gateway) are left as they are.

    python scripts/gen_doc_output.py          # rewrite the blocks
    python scripts/gen_doc_output.py --check  # exit 1, naming each stale block, when any differs
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^(?:<!-- transcript: a copy of (?P<copy>examples/[\w.-]+) -->\n)?(?P<fence>`{3,})text\n"
                   r"(?P<head>\$ (?:cd (?P<cd>examples/[\w.-]+) && )?flowgate-lint (?P<args>[^\n]*))\n(?P<body>.*?)^(?P=fence)$",
                   re.M | re.S)
SESSION = re.compile(r"^<!-- transcript: a session in a copy of (?P<example>examples/[\w.-]+), home (?P<home>tests/fixtures/[\w.-]+) -->\n"
                     r"(?P<fence>`{3,})text\n(?P<body>.*?)^(?P=fence)$", re.M | re.S)
STAMP = re.compile(r"\d{8}T\d{6}\.\d{6}Z")
WRITES = ("--fix", "--unsafe-fixes", "--add-noqa", "--write-baseline")


def run(cwd: Path, args: str) -> tuple[str, int]:
    argv = shlex.split(args)
    if not any(a.startswith("--output-format") for a in argv) and "--statistics" not in argv and "--diff" not in argv:
        argv = ["--output-format", "full", *argv]  # what a terminal shows
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWGATE_LINT_")}
    env.update(NO_COLOR="1", FLOWGATE_LINT_CACHE_DIR=tempfile.gettempdir())  # --no-cache: nothing is written
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", *argv], cwd=cwd,
                         capture_output=True, text=True, env=env)
    return res.stdout + res.stderr, res.returncode


def run_in_copy(example: str, args: str) -> tuple[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / Path(example).name
        shutil.copytree(ROOT / example, work)
        subprocess.run(["git", "init", "-q", str(work)], check=True)
        return run(work, args)


def run_session(example: str, home_fixture: str, commands: list[str]) -> str:
    """The transcript of ``commands`` run one after another in a copy of ``example`` with a fresh home."""
    with tempfile.TemporaryDirectory() as tmp:
        work, home = Path(tmp) / Path(example).name, Path(tmp) / "home"
        shutil.copytree(ROOT / example, work)
        shutil.copytree(ROOT / home_fixture, home)
        subprocess.run(["git", "init", "-q", str(work)], check=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("FLOWGATE_LINT_", "ANTHROPIC_", "CLAUDE_", "CODEX_")) and k != "OPENAI_BASE_URL"}
        env.update(NO_COLOR="1", HOME=str(home), OPENAI_API_KEY="sk-doc-placeholder-key",
                   FLOWGATE_LINT_CACHE_DIR=str(Path(tmp) / "cache"))
        parts = []
        for command in commands:
            res = subprocess.run([sys.executable, "-m", "flowgate_lint", *shlex.split(command)], cwd=work,
                                 capture_output=True, text=True, env=env)
            out = (res.stdout + res.stderr).replace(str(home), "~")
            parts.append(f"$ flowgate-lint {command}\n{out}{'' if out.endswith(chr(10)) or not out else chr(10)}(exit {res.returncode})\n")
        return "\n".join(parts)


def regenerate(text: str) -> tuple[str, list[str]]:
    """``text`` with every transcript re-run, and the first lines of the blocks that changed."""
    changed: list[str] = []

    def one(m: re.Match[str]) -> str:
        head, args, body = m.group("head"), m.group("args"), m.group("body")
        if m.group("copy") and not m.group("cd"):
            out, code = run_in_copy(m.group("copy"), args)
        elif m.group("cd") and not m.group("copy") and not any(w in shlex.split(args) for w in WRITES):
            out, code = run(ROOT / m.group("cd"), args)
        else:
            return m.group(0)
        if not out.endswith("\n"):
            out += "\n"
        if re.search(r"^\(exit \d+\)\n\Z", body, re.M):
            out += f"(exit {code})\n"
        if out != body:
            changed.append(head)
        return m.group(0)[: m.start("body") - m.start()] + out + m.group("fence")

    def session(m: re.Match[str]) -> str:
        commands = [line[len("$ flowgate-lint "):] for line in m.group("body").splitlines() if line.startswith("$ flowgate-lint ")]
        out = run_session(m.group("example"), m.group("home"), commands)
        if STAMP.sub("T", out) != STAMP.sub("T", m.group("body")):
            changed.append(f"$ flowgate-lint {commands[0]} ... (a session of {len(commands)} commands)")
            return m.group(0)[: m.start("body") - m.start()] + out + m.group("fence")
        return m.group(0)

    text = SESSION.sub(session, text)
    return BLOCK.sub(one, text), changed


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        new, changed = regenerate(text)
        stale += [f"{page.relative_to(ROOT)}: {head}" for head in changed]
        if changed and not check:
            page.write_text(new, encoding="utf-8")
    for line in stale:
        print(("stale: " if check else "regenerated: ") + line)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
