"""A command line as forgiving as ruff's: a mistyped subcommand or option is named with the closest right
one (no screen of usage, no silent prefix matching), settings errors point at line and column and suggest the
key meant, a missing gateway config says every way to give one and where it was looked for, and --fix-only,
--exit-zero and --show-settings behave as ruff's do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo"


def flowgate(cwd: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWGATE_LINT_")}
    env.update(NO_COLOR="1", FLOWGATE_LINT_NO_CACHE="1", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, **kw)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    work = tmp_path / "demo"
    shutil.copytree(DEMO, work)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    return work


# (a) a mistyped subcommand


def test_a_mistyped_subcommand_is_named_with_the_one_meant(demo: Path):
    res = flowgate(demo, "prnt", "codex")
    assert res.returncode == 2
    assert res.stderr.splitlines() == ["flowgate-lint: error: unrecognized subcommand 'prnt'; did you mean 'print'?",
                                       "For more information, try 'flowgate-lint --help'."]
    assert res.stdout == ""


def test_an_existing_path_spelt_like_a_subcommand_is_linted(demo: Path):
    (demo / "prnt").write_text("nothing here\n")
    res = flowgate(demo, "prnt")
    assert res.returncode == 0 and "No findings." in res.stdout, res.stderr
    res = flowgate(demo, "nothing-like-a-command")  # far from every subcommand: a missing path, as before
    assert res.returncode == 2 and "nothing-like-a-command: no such file or directory" in res.stderr


# (b) an unknown option, (c) no abbreviations


@pytest.mark.parametrize("args,bad,meant,prog", [
    (["--statisticz"], "--statisticz", "--statistics", "flowgate-lint"),
    (["--statistic", "."], "--statistic", "--statistics", "flowgate-lint"),  # was taken as --statistics
    (["--fix-onl"], "--fix-onl", "--fix-only", "flowgate-lint"),
    (["print", "codex", "--formt", "json"], "--formt", "--format", "flowgate-lint print"),
    (["print", "codex", "--form", "json"], "--form", "--format", "flowgate-lint print"),  # no prefix matching
])
def test_an_unknown_option_is_one_line_with_a_suggestion(demo: Path, args, bad, meant, prog):
    res = flowgate(demo, *args)
    assert res.returncode == 2
    assert res.stderr.splitlines() == [f"{prog}: error: unrecognized argument '{bad}'; did you mean '{meant}'?",
                                       f"For more information, try '{prog} --help'."]
    assert "usage:" not in res.stderr and res.stdout == ""


def test_other_usage_errors_are_short_too(demo: Path):
    res = flowgate(demo, "print", "codx")
    assert res.returncode == 2 and len(res.stderr.splitlines()) == 2
    assert res.stderr.startswith("flowgate-lint print: error: argument client: invalid choice: 'codx'")
    assert "did you mean 'codex'?" in res.stderr and "usage:" not in res.stderr


# (d) invalid TOML, (e) an unknown setting


@pytest.mark.parametrize("text,expected", [
    ('[tool.flowgate-lint]\nselect = ["FG1" "FG2"]\n',
     "pyproject.toml:2:17: invalid TOML (Unclosed array)"),
    ('[tool.flowgate-lint]\nselect = [\n', "pyproject.toml:3:1: invalid TOML (Invalid value)"),
])
def test_invalid_toml_in_settings_has_line_and_column(demo: Path, text, expected):
    (demo / "pyproject.toml").write_text(text)
    res = flowgate(demo, "docs")
    assert res.returncode == 2 and res.stderr.splitlines() == [expected]


@pytest.mark.parametrize("key,meant", [("gatway-port", "gateway-port"), ("extend_selct", "extend-select"),
                                       ("defualt-model", "default-model")])
def test_an_unknown_setting_suggests_the_one_meant(demo: Path, key, meant):
    (demo / "pyproject.toml").write_text(f'[tool.flowgate-lint]\npreview = true\n{key} = 1\n')
    res = flowgate(demo, "docs")
    assert res.returncode == 2
    assert res.stderr.splitlines() == [f"pyproject.toml:3: unknown setting '{key}' (did you mean '{meant}'?)"]


# (f) no gateway config


def test_no_gateway_config_names_the_settings_way_and_where_it_looked(tmp_path: Path):
    project = tmp_path / "project"  # not a git repository
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "setup.md").write_text("Set OPENAI_BASE_URL=http://127.0.0.1:4000/v1\n")
    res = flowgate(project, "docs")
    assert res.returncode == 2
    [line] = res.stderr.splitlines()
    assert line.startswith("flowgate-lint: no gateway config found (looked in docs and . for config/flowgate.yaml")
    assert "gateway-port and models (or default-model) in [tool.flowgate-lint]" in line


def test_outside_git_a_config_in_the_current_directory_is_found(tmp_path: Path):
    project = tmp_path / "project"  # not a git repository: the current directory is the project root
    (project / "config").mkdir(parents=True)
    shutil.copy(DEMO / "config" / "flowgate.yaml", project / "config" / "flowgate.yaml")
    shutil.copytree(DEMO / "docs", project / "docs")
    res = flowgate(project, "--output-format", "concise", "docs")
    assert res.returncode == 1, res.stderr
    assert "docs/claude-code.md:" in res.stdout  # linted against config/flowgate.yaml


# (g) --fix-only and --exit-zero


def test_fix_only_fixes_and_reports_only_what_it_fixed(demo: Path):
    res = flowgate(demo, "--fix-only")
    assert res.returncode == 0, res.stderr
    [line] = res.stdout.splitlines()
    assert line.startswith("Fixed ") and line.endswith(" findings.")
    again = flowgate(demo, "--fix-only")  # findings remain (unsafe and unfixable ones): not reported, exit 0
    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""
    assert flowgate(demo, "--output-format", "concise").returncode == 1  # they are still there


def test_fix_only_with_exit_non_zero_on_fix_and_machine_output(demo: Path):
    res = flowgate(demo, "--fix-only", "--exit-non-zero-on-fix", "--output-format", "json")
    assert res.returncode == 1 and json.loads(res.stdout) == []
    res = flowgate(demo, "--fix-only", "--exit-non-zero-on-fix")
    assert res.returncode == 0 and res.stdout == ""  # nothing left to fix


@pytest.mark.parametrize("args", [["--check"], ["--diff"], ["--fix"], ["--fix", "--exit-non-zero-on-fix"], []])
def test_exit_zero_wins_as_in_ruff(tmp_path: Path, args):
    for exit_zero, code in (([], 1), (["--exit-zero"], 0)):
        work = tmp_path / f"demo{code}"
        shutil.copytree(DEMO, work)
        subprocess.run(["git", "init", "-q", str(work)], check=True)
        res = flowgate(work, *args, *exit_zero, "--output-format", "concise")
        assert res.returncode == code, (exit_zero, res.stdout, res.stderr)


def test_exit_zero_keeps_2_for_an_error(demo: Path):
    (demo / "docs" / "broken.md").write_bytes(b"\xff\xfe\x00\xd8 not text")
    res = flowgate(demo, "--exit-zero", "--output-format", "concise", "docs/broken.md", "missing.md")
    assert res.returncode == 2


# (h) --show-settings


def test_show_settings_names_every_value_with_its_source(demo: Path):
    (demo / "pyproject.toml").write_text('[tool.flowgate-lint]\nspec = "config/flowgate.yaml"\n'
                                         'ignore = ["FG702"]\ncodex-env-key = "FLOWGATE_TOKEN"\n')
    res = flowgate(demo, "--show-settings")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "settings file: pyproject.toml [tool.flowgate-lint]"
    assert "gateway config: config/flowgate.yaml (flowgate-v2)" in lines

    def row(name: str) -> tuple[str, str]:
        [found] = [ln for ln in lines if ln.startswith(f"{name} = ")]
        value, _, where = found.partition("  # ")
        return value.split(" = ", 1)[1].strip(), where

    assert row("ignore") == ('["FG702"]', "pyproject.toml:3")
    assert row("select") == ('["ALL"]', "default")
    assert row("gateway.port") == ("4000", "config/flowgate.yaml:7 (service litellm)")
    assert row("codex.env_key") == ('"FLOWGATE_TOKEN"', "pyproject.toml:4")
    assert row("claude.token_env") == ('"FLOWGATE_TOKEN"', "pyproject.toml:4 (codex-env-key)")
    assert row("codex.provider_id") == ('"flowgate"', "default")
    assert row("claude.haiku_model")[1].startswith("config/flowgate.yaml:")


def test_show_settings_prints_no_secret(demo: Path):
    key = "sk-proj-" + "Ab3dE5gH7jK9mN1pQ3sT5vX7zB9cD1fG"
    (demo / "pyproject.toml").write_text(f'[tool.flowgate-lint]\nspec = "config/flowgate.yaml"\n'
                                         f'extend-exclude = ["{key}"]\n')
    res = flowgate(demo, "--show-settings")
    assert res.returncode == 0, res.stderr
    assert key not in res.stdout + res.stderr and "<redacted>" in res.stdout
