"""print / apply / restore / doctor for OpenCode, Gemini CLI and Qwen Code on realistic user files: only managed
keys change, everything else byte for byte; the key is never written unless --token-env names it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from flowgate_lint.clients import gemini, opencode, qwen
from flowgate_lint.clients.jsonedit import ConfigError
from rulekit import SPEC_PATH, fixture_spec

TOKEN = "sk-planted-SECRET-token-0123456789abcdef"

OPENCODE = """{
  "$schema": "https://opencode.ai/config.json",
  "theme": "tokyonight",
  "provider": {
    "openrouter": {
      "npm": "@openrouter/ai-sdk-provider",
      "options": {"apiKey": "{env:OPENROUTER_API_KEY}"},
      "models": {"moonshotai/kimi-k2": {}}
    },
    "flowgate": {
      "npm": "@ai-sdk/openai-compatible",
      "options": {"baseURL": "http://localhost:4001/v1", "apiKey": "{env:OLD_KEY}", "timeout": 600000},
      "models": {"my-extra": {"name": "mine"}}
    }
  },
  "mcp": {"docs": {"type": "local", "command": ["npx", "docs-mcp"]}},
  "model": "openrouter/moonshotai/kimi-k2"
}
"""

QWEN = """{
    "ui": {"theme": "GitHub"},
    "modelProviders": {
        "openai": [
            {"id": "qwen3-coder-plus", "name": "DashScope", "baseUrl": "https://dashscope.example/v1", "envKey": "DASHSCOPE_API_KEY"},
            {"id": "router-default", "name": "mine", "baseUrl": "http://localhost:4001", "envKey": "OPENAI_API_KEY"}
        ]
    },
    "model": {"name": "qwen3-coder-plus", "maxSessionTurns": 40}
}
"""

GEMINI_ENV = """# my Gemini CLI setup
GOOGLE_CLOUD_PROJECT=my-project
export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4000/v1beta   # old proxy
GEMINI_MODEL='gemini-2.5-pro'
"""


def cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    spec = [] if args[0] == "restore" else ["--spec", str(SPEC_PATH)]
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args, *spec],
                          capture_output=True, text=True, env=full, cwd=cwd)


def _lines_kept(before: str, after: str, managed: tuple[str, ...]) -> None:
    for line in before.splitlines():
        if not any(m in line for m in managed):
            assert line in after.splitlines(), line


# ------------------------------------------------------------------ pure edits


def test_opencode_edit_updates_its_provider_and_keeps_the_others():
    spec = fixture_spec()
    edited = opencode.apply(OPENCODE, spec)
    data = json.loads(edited.text)
    ours = data["provider"]["flowgate"]
    assert ours["options"] == {"baseURL": "http://127.0.0.1:4000/v1", "apiKey": "{env:OPENAI_API_KEY}", "timeout": 600000}
    assert ours["npm"] == "@ai-sdk/openai-compatible" and ours["name"] == "FlowGate Local"
    assert ours["models"]["my-extra"] == {"name": "mine"}  # the user's own model entry stays
    assert set(spec.models or ()) <= set(ours["models"])
    assert data["model"] == "flowgate/router-default" and data["small_model"] == "flowgate/router-cheap"
    assert data["provider"]["openrouter"] == json.loads(OPENCODE)["provider"]["openrouter"]
    assert data["mcp"] == json.loads(OPENCODE)["mcp"] and data["theme"] == "tokyonight"
    _lines_kept(OPENCODE, edited.text, ('"baseURL"', '"model"', '"flowgate": {', '"npm": "@ai-sdk/openai-compatible"',
                                        '"models": {"my-extra"'))
    assert opencode.apply(edited.text, spec).changes == []  # idempotent


def test_opencode_keeps_a_literal_key_and_never_shows_it():
    spec = fixture_spec()
    text = json.dumps({"provider": {"flowgate": {"options": {"apiKey": TOKEN}}}})
    edited = opencode.apply(text, spec)
    assert json.loads(edited.text)["provider"]["flowgate"]["options"]["apiKey"] == TOKEN
    assert TOKEN not in " ".join(edited.changes)


def test_opencode_one_line_file_stays_on_one_line():
    spec = fixture_spec()
    edited = opencode.apply('{"model": "x/y"}\n', spec)
    assert edited.text.count("\n") == 1 and json.loads(edited.text)["model"] == "flowgate/router-default"


def test_qwen_edit_updates_the_entry_for_the_model_and_selects_it():
    spec = fixture_spec()
    edited = qwen.apply(QWEN, spec)
    data = json.loads(edited.text)
    entries = data["modelProviders"]["openai"]
    assert entries[0] == json.loads(QWEN)["modelProviders"]["openai"][0]  # another provider's entry stays
    assert entries[1] == {"id": "router-default", "name": "mine", "baseUrl": "http://127.0.0.1:4000/v1",
                          "envKey": "OPENAI_API_KEY"}
    assert data["model"] == {"name": "router-default", "maxSessionTurns": 40}
    assert data["security"] == {"auth": {"selectedType": "openai"}}
    assert data["ui"] == {"theme": "GitHub"}
    assert qwen.apply(edited.text, spec).changes == []


def test_qwen_adds_an_entry_when_none_names_the_model():
    spec = fixture_spec()
    text = '{\n  "modelProviders": {"openai": []}\n}\n'
    data = json.loads(qwen.apply(text, spec).text)
    assert data["modelProviders"]["openai"] == [qwen.entry(spec)]


def test_gemini_edit_sets_the_variables_in_place_and_keeps_comments():
    spec = fixture_spec()
    edited = gemini.apply(GEMINI_ENV, spec)
    assert edited.text == ("# my Gemini CLI setup\nGOOGLE_CLOUD_PROJECT=my-project\n"
                           "export GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4000   # old proxy\n"
                           "GEMINI_MODEL=router-default\n")
    assert gemini.apply(edited.text, spec).changes == []
    with_key = gemini.apply(edited.text, spec, TOKEN)
    assert with_key.text.endswith(f"GEMINI_API_KEY={TOKEN}\n")
    assert TOKEN not in " ".join(with_key.changes)


@pytest.mark.parametrize("edit, text", [
    (opencode.apply, '{"provider": {}, "provider": {"flowgate": {}}}'),
    (qwen.apply, '{"model": {"name": "a"},\n "model": {"name": "b"}}'),
    (gemini.apply, "GEMINI_MODEL=a\nGEMINI_MODEL=b\n"),
])
def test_a_duplicate_is_refused_with_its_line(edit, text):
    with pytest.raises(ConfigError) as exc:
        edit(text, fixture_spec(), None, "cfg")
    assert exc.value.line == 2 or (exc.value.line == 1 and text.count("\n") == 0)


@pytest.mark.parametrize("edit, text, what", [
    (opencode.apply, '{"provider": []}', '"provider" is not an object'),
    (qwen.apply, '{"modelProviders": {"openai": {}}}', '"modelProviders.openai" is not an array'),
    (qwen.apply, "[1]", "not a JSON object"),
])
def test_a_wrong_shape_is_refused(edit, text, what):
    with pytest.raises(ConfigError, match=what):
        edit(text, fixture_spec(), None, "cfg")


# ------------------------------------------------------------------ the commands


@pytest.mark.parametrize("client, fmt, want", [
    ("opencode", None, '"baseURL": "http://127.0.0.1:4000/v1"'),
    ("gemini-cli", None, 'export GEMINI_API_KEY="${'),
    ("gemini-cli", "dotenv", "GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4000\n"),
    ("qwen-code", None, '"selectedType": "openai"'),
    ("qwen-code", "env", "export OPENAI_BASE_URL=http://127.0.0.1:4000/v1"),
])
def test_print_renders_each_client(client, fmt, want):
    res = cli("print", client, *(["--format", fmt] if fmt else []))
    assert res.returncode == 0, res.stderr
    assert want in res.stdout


def test_print_refuses_a_format_the_client_has_not():
    res = cli("print", "opencode", "--format", "toml")
    assert res.returncode == 2 and "opencode has no 'toml' format" in res.stderr


@pytest.mark.parametrize("client, rel, before", [
    ("opencode", ".config/opencode/opencode.json", OPENCODE),
    ("gemini-cli", ".gemini/.env", GEMINI_ENV),
    ("qwen-code", ".qwen/settings.json", QWEN),
])
def test_apply_backs_up_keeps_the_mode_and_restore_puts_it_back(tmp_path, client, rel, before):
    target = tmp_path / rel
    target.parent.mkdir(parents=True)
    target.write_text(before)
    target.chmod(0o640)
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": ""}
    res = cli("apply", client, env=env)
    assert res.returncode == 0, res.stderr
    assert "backup" in res.stdout and target.read_text() != before
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    again = cli("apply", client, env=env)
    assert "already matches the spec" in again.stdout
    res = cli("restore", client, env=env)
    assert res.returncode == 0, res.stderr
    assert target.read_text() == before


def test_apply_gemini_writes_the_key_privately_and_never_prints_it(tmp_path):
    env = {"HOME": str(tmp_path), "GW_KEY": TOKEN}
    res = cli("apply", "gemini-cli", "--token-env", "GW_KEY", env=env)
    assert res.returncode == 0, res.stderr
    target = tmp_path / ".gemini" / ".env"
    assert f"GEMINI_API_KEY={TOKEN}" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert TOKEN not in res.stdout + res.stderr


def test_token_env_is_refused_for_a_client_that_reads_a_variable(tmp_path):
    res = cli("apply", "qwen-code", "--token-env", "GW_KEY", env={"HOME": str(tmp_path), "GW_KEY": TOKEN})
    assert res.returncode == 2 and "applies to claude-code, gemini-cli only" in res.stderr
    assert not (tmp_path / ".qwen").exists()


def test_apply_dry_run_diff_applies_with_git_apply(tmp_path):
    target = tmp_path / "opencode.json"
    target.write_text(OPENCODE)
    res = cli("apply", "opencode", "--target", "opencode.json", "--dry-run", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert target.read_text() == OPENCODE  # a dry run writes nothing
    patch = tmp_path / "p.diff"
    patch.write_text(res.stdout.replace("opencode.json (current)", "a/opencode.json")
                     .replace("opencode.json (after apply)", "b/opencode.json"))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    done = subprocess.run(["git", "apply", "p.diff"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text())["provider"]["flowgate"]["options"]["baseURL"] == "http://127.0.0.1:4000/v1"


def test_doctor_checks_the_other_clients_only_where_they_are_set_up(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": "", "CODEX_HOME": "", "CLAUDE_CONFIG_DIR": "",
           "GOOGLE_GEMINI_BASE_URL": "", "GEMINI_API_KEY": ""}
    env = {k: v for k, v in env.items() if v or k == "HOME"}
    full = {k: v for k, v in os.environ.items() if k not in ("XDG_CONFIG_HOME", "CODEX_HOME", "CLAUDE_CONFIG_DIR",
                                                               "GOOGLE_GEMINI_BASE_URL", "GEMINI_API_KEY")}
    run = lambda *a: subprocess.run([sys.executable, "-m", "flowgate_lint", "doctor", *a, "--spec", str(SPEC_PATH)],
                                    capture_output=True, text=True, env={**full, **env})
    quiet = run()
    assert "OpenCode config" not in quiet.stdout and "Qwen Code settings" not in quiet.stdout
    (tmp_path / ".qwen").mkdir()
    (tmp_path / ".qwen" / "settings.json").write_text(QWEN)
    drifted = run()
    assert "Qwen Code settings" in drifted.stdout and "modelProviders.openai.1.baseUrl" in drifted.stdout
    chosen = run("--client", "gemini-cli")
    assert "Gemini CLI .env" in chosen.stdout and "missing" in chosen.stdout
    assert "Codex config" not in chosen.stdout and "GEMINI_API_KEY" in chosen.stdout


def test_apply_gemini_edits_settings_and_the_env_beside_it_each_with_its_backup(tmp_path):
    gem = tmp_path / ".gemini"
    gem.mkdir()
    settings = '{\n  "ui": {"theme": "Default"},\n  "security": {"auth": {"selectedType": "oauth-personal"}}\n}\n'
    (gem / "settings.json").write_text(settings)
    env = {"HOME": str(tmp_path)}
    res = cli("apply", "gemini-cli", env=env)
    assert res.returncode == 0, res.stderr
    data = json.loads((gem / "settings.json").read_text())
    assert data == {"ui": {"theme": "Default"}, "security": {"auth": {"selectedType": "gemini-api-key"}},
                    "model": {"name": "router-default"}}
    assert (gem / ".env").read_text() == "GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4000\n"
    assert "security.auth.selectedType: 'oauth-personal' -> 'gemini-api-key'" in res.stdout
    listed = cli("restore", "gemini-cli", "--list", env=env).stdout
    assert "settings.json.flowgate-backup." in listed and ".env.flowgate-backup." in listed
    # --target naming the .env edits that file alone
    (gem / ".env").write_text("GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4001\n")
    one = cli("apply", "gemini-cli", "--target", str(gem / ".env"), env=env)
    assert one.returncode == 0 and "settings.json" not in one.stdout
    assert cli("restore", "gemini-cli", env=env).returncode == 0
    assert (gem / ".env").read_text() == "GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4001\n"
    assert (gem / "settings.json").read_text() == settings
