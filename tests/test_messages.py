"""Messages a new user meets (issue 29, item 4): rule pages say how safe a fix is, colour codes never wrap nothing,
redaction keeps the word "Codex" in FG508's message, doctor warns about an unset ANTHROPIC_BASE_URL, and ``--fix``
keeps an aligned trailing comment in its column."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flowgate_lint.commands.rule_cmd import rule_page
from flowgate_lint.documents.findings import Finding
from flowgate_lint.lint.fixes import apply_fixes
from flowgate_lint.plumbing.redact import redact
from flowgate_lint.report import Report, render
from flowgate_lint.rules import all_rules, get_rule
from rulekit import RULE_FIXTURES, SPEC_PATH, lint_path, lint_text


def _fixture_fixes():
    for d in sorted(RULE_FIXTURES.iterdir()):
        if d.is_dir():
            for p in sorted(d.iterdir()):
                if p.name.startswith("bad") and not p.name.endswith((".snap", ".fixed")):
                    yield from ((p, f) for f in lint_path(p) if f.fix is not None)


def test_every_fixable_rule_states_how_safe_its_fix_is_and_the_fixtures_agree():
    seen: dict[str, set[str]] = {}
    for path, f in _fixture_fixes():
        seen.setdefault(f.code, set()).add(f.fix.applicability)
    for rule in all_rules():
        assert rule.fix_safety in ("safe", "unsafe", "mixed"), rule.code
        kinds = seen.get(rule.code, set())
        if rule.fixable and rule.fix_safety == "safe":
            assert kinds <= {"safe"}, f"{rule.code} says its fix is safe, but its fixtures carry {kinds}"
        if rule.fixable and rule.fix_safety == "unsafe":
            assert kinds <= {"unsafe"}, f"{rule.code} says its fix is unsafe only, but its fixtures carry {kinds}"


@pytest.mark.parametrize("code", ["FG201", "FG202"])
def test_the_smoke_probe_pages_say_the_fix_is_unsafe_only(code):
    page = rule_page(get_rule(code))
    assert "Fixable: unsafe only (`--unsafe-fixes`)." in page and "Fixable: yes" not in page
    listing = subprocess.run([sys.executable, "-m", "flowgate_lint", "rule", "--all"], capture_output=True, text=True).stdout
    assert next(row for row in listing.splitlines() if row.startswith(code)).split()[2] == "[u]"


def test_a_finding_without_a_fix_ends_without_an_empty_colour_pair():
    plain = Finding("FG101", "stale-claude-code-claim", "README.md", 7, 1, 7, 40, "stale claim", "warning")
    for fmt in ("full", "concise"):
        out = render(fmt, Report([plain], [], 1, None, color=True))
        assert "\x1b[36m\x1b[0m" not in out, out
        assert out.splitlines()[0].endswith("stale claim"), out


def test_fg508_keeps_the_word_codex_through_redaction():
    [f] = [f for f in lint_path(RULE_FIXTURES / "FG508" / "bad.md", ["FG508"])]
    assert "Codex reads the gateway key" in f.message and redact(f.message) == (f.message, 0)
    out = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "--select", "FG508", "--output-format",
                          "full", "--spec", str(SPEC_PATH), str(RULE_FIXTURES / "FG508" / "bad.md")],
                         capture_output=True, text=True).stdout
    assert "Codex reads the gateway key" in out and "<redacted>" not in out, out


def test_doctor_warns_when_anthropic_base_url_is_unset_and_settings_json_does_not_set_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("CODEX_HOME", "CLAUDE_CONFIG_DIR", "ANTHROPIC_BASE_URL")}
    env["HOME"] = str(tmp_path)
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text('{"env": {"ANTHROPIC_MODEL": "router-default"}}\n')
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "doctor", "--spec", str(SPEC_PATH)], capture_output=True,
                         text=True, env=env)
    row = next(r for r in res.stdout.splitlines() if r.startswith("ANTHROPIC_BASE_URL (env)"))
    assert row.split()[2] == "warn" and "does not set it either" in row, res.stdout
    assert res.returncode == 1


def _fixed(text: str, name: str, codes=None) -> str:
    findings = [f for f in lint_text(text, name, codes) if f.fix is not None]
    assert findings, text
    return apply_fixes(text, findings)[0]


@pytest.mark.parametrize("name,before,after", [
    (".env.example", "ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1   # the gateway root\nX=1  # next\n",
     "ANTHROPIC_BASE_URL=http://127.0.0.1:4000      # the gateway root\nX=1  # next\n"),
    ("codex/config.toml", 'model_provider = "flowgate"\n[model_providers.flowgate]\n'
     'base_url = "http://127.0.0.1:4000/v1/responses"   # the gateway\nwire_api = "chat"       # old\n',
     'model_provider = "flowgate"\n[model_providers.flowgate]\n'
     'base_url = "http://127.0.0.1:4000/v1"             # the gateway\nwire_api = "responses"  # old\n'),
    ("docs/setup.md", "```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1  # root\n```\n",
     "```sh\nexport ANTHROPIC_BASE_URL=http://127.0.0.1:4000     # root\n```\n"),
])
def test_fix_keeps_an_aligned_trailing_comment_in_its_column(name, before, after):
    got = _fixed(before, name)
    assert got == after
    for old, new in zip(before.splitlines(), got.splitlines()):
        if "#" in old:
            assert old.index("#") == new.index("#") or new.index("#") == new.rindex(" ", 0, new.index("#")) + 1


@pytest.mark.parametrize("name,before,after", [
    # one space before the comment: not aligned, kept as one space
    (".env.example", "ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1 # root\n", "ANTHROPIC_BASE_URL=http://127.0.0.1:4000 # root\n"),
    # a longer value with too few spaces to absorb it: the comment moves, one space still before it
    ("codex/config.toml", 'model_provider = "flowgate"\n[model_providers.flowgate]\nwire_api = "chat"  # old\n',
     'model_provider = "flowgate"\n[model_providers.flowgate]\nwire_api = "responses"  # old\n'),
])
def test_an_unaligned_comment_or_a_gap_too_small_is_left_as_it_is(name, before, after):
    assert _fixed(before, name) == after
