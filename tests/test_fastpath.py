"""The start-up fast path must never hide a finding, and must print what the full path prints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowgate_lint.cli import main
from flowgate_lint import fastpath
from flowgate_lint.fastpath import try_fast_exit
from rulekit import RULE_FIXTURES

ROOT = Path(__file__).resolve().parent.parent
BAD = sorted(p for p in RULE_FIXTURES.glob("*/bad*") if not p.name.endswith((".snap", ".fixed")))


def test_trigger_table_is_current():
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_triggers.py"), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("path", BAD, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_bad_fixture_takes_the_full_path(path):
    assert try_fast_exit([str(path)]) is None


def test_irrelevant_file_exits_fast_with_the_full_paths_output(tmp_path, monkeypatch, capsys):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flowgate.yaml").write_text((RULE_FIXTURES.parent / "spec" / "flowgate.yaml").read_text())
    doc = tmp_path / "notes.md"
    doc.write_text("# Notes\n\nNothing about the gateway here.\n")
    monkeypatch.chdir(tmp_path)
    assert try_fast_exit(["notes.md"]) == 0
    fast = capsys.readouterr().out
    monkeypatch.setenv("FLOWGATE_LINT_NO_FASTPATH", "1")
    assert main(["notes.md"]) == 0
    assert capsys.readouterr().out == fast == "No findings.\n"


@pytest.mark.parametrize("argv", [["--select", "FG3", "x.md"], ["--output-format", "json", "x.md"], ["missing.md"], [], ["docs"]])
def test_anything_but_plain_files_takes_the_full_path(tmp_path, monkeypatch, argv):
    (tmp_path / "x.md").write_text("plain\n")
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path)
    assert try_fast_exit(argv) is None


def test_the_gateway_config_itself_takes_the_full_path(tmp_path, monkeypatch):
    spec = tmp_path / "flowgate.yaml"
    spec.write_text("services:\n  litellm:\n    host: gw\n    port: 4000\n")
    assert try_fast_exit([str(spec)]) is None


@pytest.mark.parametrize("hook", ["flowgate-lint", "flowgate-lint-fix"])
def test_the_pre_commit_hook_entries_keep_the_fast_path(tmp_path, monkeypatch, capsys, hook):
    """The hooks ask for the full format (pre-commit is not a terminal); an irrelevant file still exits fast."""
    from ruamel.yaml import YAML

    hooks = {h["id"]: h for h in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    words = hooks[hook]["entry"].split()
    assert words[:4] == ["python", "-I", "-m", "flowgate_lint"], words  # isolated: the checked repo is not on sys.path
    argv = words[4:]
    assert "--output-format" in argv and argv[argv.index("--output-format") + 1] == "full"
    (tmp_path / "notes.md").write_text("# Notes\n\nNothing about the gateway here.\n")
    monkeypatch.chdir(tmp_path)
    assert try_fast_exit([*argv, "notes.md"]) == 0
    assert capsys.readouterr().out == "No findings.\n"
    assert try_fast_exit(["--output-format=json", "notes.md"]) is None


@pytest.mark.parametrize("n_files, automaton", [(1, False), (fastpath.SCAN_MAX_FILES + 1, True)])
def test_a_few_files_are_scanned_without_building_the_automaton(tmp_path, n_files, automaton):
    pytest.importorskip("ahocorasick_rs")
    names = []
    for i in range(n_files):
        (tmp_path / f"notes{i}.md").write_text("# Notes\n\nNothing about the gateway here, just words.\n")
        names.append(f"notes{i}.md")
    code = ("import sys; from flowgate_lint.fastpath import try_fast_exit; rc = try_fast_exit(sys.argv[1:]); "
            "print(rc, 'ahocorasick_rs' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWGATE_LINT_")}
    res = subprocess.run([sys.executable, "-c", code, *names], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert res.stdout.splitlines()[-1] == f"0 {automaton}", res.stderr


@pytest.mark.parametrize("argv", [
    [], ["a.md"], ["--force-exclude", "--output-format", "full", "a.md", "b.md"],
    ["--output-format=concise", "--fix", "-q", "x"],
    ["--no-cache", "--exit-zero", "--unsafe-fixes", "--show-fixes", "--diff", "--check", "-v", "--isolated",
     "--statistics", "--quiet", "--verbose", "--force-exclude", "docs"],
])
def test_fast_namespace_is_the_parsers(argv):
    from flowgate_lint.cli import _parser_for
    from flowgate_lint.commands import lint as lint_cmd

    parser = _parser_for("lint", lint_cmd)
    assert vars(lint_cmd.fast_namespace(list(argv))) == vars(parser.parse_args(list(argv)))
    assert vars(lint_cmd.fast_namespace([])) == vars(parser.parse_args([])) == lint_cmd.DEFAULTS


@pytest.mark.parametrize("argv", [["a.md", "--fix"], ["-"], ["--select", "FG1"], ["--output-format", "nope"],
                                  ["--output-format"], ["--", "a.md"], ["--fix=1"], ["--force", "a.md"], ["--version"],
                                  ["-h"]])
def test_other_command_lines_take_the_parser(argv):
    from flowgate_lint.commands import lint as lint_cmd

    assert lint_cmd.fast_namespace(list(argv)) is None


def test_a_pre_commit_run_does_not_build_the_parser(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "flowgate.yaml").write_text((RULE_FIXTURES.parent / "spec" / "flowgate.yaml").read_text())
    (tmp_path / "doc.md").write_text("# Setup\n\nSet `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1`.\n")
    code = ("import sys\nfrom flowgate_lint.cli import main\n"
            "rc = main(['--force-exclude', '--output-format', 'full', 'doc.md'])\n"
            "print(rc, 'argparse' in sys.modules)\n")
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "FLOWGATE_LINT_NO_CACHE": "1"})
    assert res.stdout.strip().splitlines()[-1] == "1 False", res.stdout + res.stderr
