"""apply / restore / doctor on realistic user configs: only managed keys change, everything else byte for byte."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit

from flowgate_lint.clients.config import apply_claude, apply_codex
from rulekit import SPEC_PATH, fixture_spec

TOKEN = "sk-planted-SECRET-token-0123456789abcdef"

CODEX = """# Personal Codex config
model = "gpt-5"  # picked with /model
model_reasoning_effort = "high"

[model_providers.openrouter]
name = "OpenRouter"
base_url = "https://openrouter.ai/api/v1"
env_key = "OPENROUTER_API_KEY"

[mcp_servers.docs]
command = "npx"
args = ["-y", "@example/docs-mcp"]
env = { "DOCS_TOKEN" = "keep-me" }

[projects."/home/me/work"]
trust_level = "trusted"
"""

CLAUDE = """{
\t"permissions": {
\t\t"allow": ["Bash(git status)", "mcp__docs__search"],
\t\t"defaultMode": "acceptEdits"
\t},
\t"hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "fmt"}]}]},
\t"env": {
\t\t"DISABLE_TELEMETRY": 1,
\t\t"BASH_DEFAULT_TIMEOUT_MS": true,
\t\t"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000/v1",
\t\t"ANTHROPIC_SMALL_FAST_MODEL": "claude-3-5-haiku-latest",
\t\t"MY_OWN_VAR": "\\u00e9t\\u00e9"
\t},
\t"statusLine": {"type": "command", "command": "~/.claude/status.sh"},
\t"enabledPlugins": {"example@market": true},
\t"apiKeyHelper": "~/bin/key",
\t"futureKey": [1, 2, 3]
}
"""


def cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    spec = [] if args[0] == "restore" else ["--spec", str(SPEC_PATH)]
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args, *spec],
                          capture_output=True, text=True, env=full, cwd=cwd)


# ------------------------------------------------------------------ pure edits


def test_codex_edit_keeps_everything_unmanaged():
    spec = fixture_spec()
    edited = apply_codex(CODEX, spec)
    doc = tomlkit.parse(edited.text)
    assert doc["model_provider"] == "flowgate" and doc["model"] == "router-default"
    assert dict(doc["model_providers"]["flowgate"]) == {
        "name": "FlowGate Local", "base_url": "http://127.0.0.1:4000/v1", "env_key": "OPENAI_API_KEY", "wire_api": "responses"}
    # Every original line survives verbatim except the managed model line.
    for line in CODEX.splitlines():
        if not line.startswith("model ="):
            assert line in edited.text.splitlines(), line
    assert 'model = "router-default"  # picked with /model' in edited.text
    assert apply_codex(edited.text, spec).changes == []  # idempotent


def test_codex_edit_keeps_crlf_and_switches_provider_keeping_the_old_table():
    spec = fixture_spec()
    text = 'model_provider = "openrouter"\r\n\r\n[model_providers.openrouter]\r\nname = "OpenRouter"\r\n'
    edited = apply_codex(text, spec)
    assert "\n" not in edited.text.replace("\r\n", "")
    doc = tomlkit.parse(edited.text)
    assert doc["model_provider"] == "flowgate" and "openrouter" in doc["model_providers"]
    assert any("openrouter" in c and "kept" in c for c in edited.changes)


def test_claude_edit_is_span_exact():
    spec = fixture_spec()
    edited = apply_claude(CLAUDE, spec, TOKEN)
    data = json.loads(edited.text)
    env = data["env"]
    assert env["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:4000"
    assert env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] == "router-cheap" and env["ANTHROPIC_AUTH_TOKEN"] == TOKEN
    assert "ANTHROPIC_SMALL_FAST_MODEL" not in env
    assert env["DISABLE_TELEMETRY"] == 1 and env["BASH_DEFAULT_TIMEOUT_MS"] is True
    # Unmanaged text is byte-identical: the part before "env" and after it.
    assert edited.text[:edited.text.index('"env"')] == CLAUDE[:CLAUDE.index('"env"')]
    tail = CLAUDE[CLAUDE.index('\t"statusLine"'):]
    assert edited.text.endswith(tail)
    assert '"MY_OWN_VAR": "\\u00e9t\\u00e9"' in edited.text  # escapes untouched
    assert '\t\t"ANTHROPIC_MODEL": "router-default"' in edited.text  # the file's indentation (tabs)
    assert any("ANTHROPIC_SMALL_FAST_MODEL removed" in c for c in edited.changes)
    assert all(TOKEN not in c for c in edited.changes)
    assert apply_claude(edited.text, spec, TOKEN).changes == []


def test_claude_edit_adds_env_when_missing_and_never_adds_a_placeholder_token():
    spec = fixture_spec()
    edited = apply_claude('{\n    "model": "opus"\n}\n', spec)
    data = json.loads(edited.text)
    assert data["model"] == "opus" and data["env"]["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:4000"
    assert "ANTHROPIC_AUTH_TOKEN" not in data["env"]
    assert edited.text.startswith('{\n    "model": "opus",\n    "env": {\n        "ANTHROPIC_BASE_URL"')


@pytest.mark.parametrize("content,client", [("{not json", "claude-code"), ("[1, 2]", "claude-code"),
                                            ('{"env": "x"}', "claude-code"), ("model = [", "codex"),
                                            ("model_providers = 3", "codex")])
def test_malformed_targets_are_refused_untouched(tmp_path, content, client):
    target = tmp_path / "cfg"
    target.write_text(content)
    res = cli("apply", client, "--target", str(target))
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and str(target) in res.stderr and "refusing" in res.stderr
    assert "Traceback" not in res.stderr
    assert target.read_text() == content
    assert list(tmp_path.glob("cfg.flowgate-backup.*")) == []


# ------------------------------------------------------------------ the commands


def test_apply_then_restore_returns_the_original_bytes_and_keeps_modes(tmp_path):
    codex = tmp_path / ".codex" / "config.toml"
    codex.parent.mkdir()
    codex.write_bytes(CODEX.replace("\n", "\r\n").encode())
    os.chmod(codex, 0o640)
    env = {"HOME": str(tmp_path)}
    res = cli("apply", "codex", env=env)
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(codex.stat().st_mode) == 0o640
    backups = list(codex.parent.glob("config.toml.flowgate-backup.*"))
    assert len(backups) == 1 and backups[0].read_bytes() == CODEX.replace("\n", "\r\n").encode()
    assert cli("apply", "codex", env=env).stdout.endswith("already matches the spec; nothing changed\n")
    assert len(list(codex.parent.glob("config.toml.flowgate-backup.*"))) == 1  # no second backup
    res = cli("restore", "codex", env=env)
    assert res.returncode == 0, res.stderr
    assert codex.read_bytes() == CODEX.replace("\n", "\r\n").encode()


def test_apply_to_a_missing_file_creates_it_0600_and_restore_removes_it(tmp_path):
    target = tmp_path / "cfgdir" / "nested" / "settings.json"
    res = cli("apply", "claude-code", "--target", str(target))
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["env"]["ANTHROPIC_MODEL"] == "router-default"
    assert cli("restore", "claude-code", "--target", str(target)).returncode == 0
    assert not target.exists()


def test_dry_run_writes_nothing_and_never_shows_the_token(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text(CLAUDE)
    res = cli("apply", "claude-code", "--target", str(target), "--dry-run", "--token-env", "PLANTED", env={"PLANTED": TOKEN})
    assert res.returncode == 0
    assert "+\t\t\"ANTHROPIC_AUTH_TOKEN\": \"<redacted>\"" in res.stdout
    assert TOKEN not in res.stdout + res.stderr
    assert target.read_text() == CLAUDE and not list(tmp_path.glob("*.flowgate-backup.*"))
    res = cli("apply", "claude-code", "--target", str(target), "--token-env", "PLANTED", env={"PLANTED": TOKEN})
    assert res.returncode == 0 and TOKEN not in res.stdout + res.stderr
    assert json.loads(target.read_text())["env"]["ANTHROPIC_AUTH_TOKEN"] == TOKEN


def test_backups_are_unique_within_one_second(tmp_path):
    from flowgate_lint.clients import safewrite

    target = tmp_path / "f"
    names = {safewrite.backup(target, b"x").name for _ in range(50)}
    assert len(names) == 50


def test_concurrent_applies_never_lose_an_update(tmp_path):
    """Ten processes each add their own provider table to one config.toml at the same time: all ten land,
    and nothing but the config and its backups is left in the config directory (no lock file)."""
    target = tmp_path / ".codex" / "config.toml"
    target.parent.mkdir()
    target.write_text(CODEX)
    procs = []
    for i in range(10):
        spec = tmp_path / f"spec{i}.yaml"
        spec.write_text(SPEC_PATH.read_text().replace("integration:\n", f"integration:\n  codex:\n    provider_id: p{i}\n"))
        procs.append(subprocess.Popen([sys.executable, "-m", "flowgate_lint", "apply", "codex", "--target", str(target),
                                       "--spec", str(spec)], stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    doc = tomlkit.parse(target.read_text())
    assert {f"p{i}" for i in range(10)} <= set(doc["model_providers"])
    assert "docs" in doc["mcp_servers"] and "openrouter" in doc["model_providers"]
    backups = list(target.parent.glob("config.toml.flowgate-backup.*"))
    assert len(backups) == 10
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(["config.toml", *(b.name for b in backups)])
    assert cli("restore", "codex", "--target", str(target)).returncode == 0
    assert not [p for p in target.parent.iterdir() if "lock" in p.name]


def test_a_change_made_while_apply_waits_for_the_lock_is_kept(tmp_path):
    from flowgate_lint.clients import safewrite

    target = tmp_path / "settings.json"
    target.write_text('{"env": {}}\n')
    with safewrite.locked(target):
        proc = subprocess.Popen([sys.executable, "-m", "flowgate_lint", "apply", "claude-code", "--target", str(target),
                                 "--spec", str(SPEC_PATH)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        import time

        time.sleep(1.0)
        target.write_text('{"userKey": 1, "env": {}}\n')  # another program edits the file meanwhile
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    data = json.loads(target.read_text())
    assert data["userKey"] == 1 and data["env"]["ANTHROPIC_MODEL"] == "router-default"


def test_restore_list_and_named_backup(tmp_path):
    target = tmp_path / "config.toml"
    target.write_text("# v1\n")
    assert cli("apply", "codex", "--target", str(target)).returncode == 0
    first = sorted(tmp_path.glob("config.toml.flowgate-backup.*"))[0]
    listing = cli("restore", "codex", "--target", str(target), "--list").stdout
    assert first.name in listing
    assert cli("restore", "codex", "--target", str(target), "--backup", str(first)).returncode == 0
    assert target.read_text() == "# v1\n"
    bad = cli("restore", "codex", "--target", str(target), "--backup", str(tmp_path / "nope"))
    assert bad.returncode == 2 and "not a backup" in bad.stderr


def test_doctor_reports_drift_then_all_clear(tmp_path):
    env = {"HOME": str(tmp_path), "OPENAI_API_KEY": TOKEN, "ANTHROPIC_AUTH_TOKEN": TOKEN, "OPENAI_BASE_URL": "x"}
    for k in ("CODEX_HOME", "CLAUDE_CONFIG_DIR", "ANTHROPIC_BASE_URL"):
        os.environ.pop(k, None)
    res = cli("doctor", env=env)
    assert res.returncode == 1
    assert "Codex config" in res.stdout and "missing" in res.stdout and "flowgate-lint apply codex" in res.stdout
    assert "OPENAI_BASE_URL (env)" in res.stdout and "Codex ignores it (support removed)" in res.stdout
    assert TOKEN not in res.stdout + res.stderr
    assert cli("apply", "codex", env=env).returncode == 0
    assert cli("apply", "claude-code", env=env).returncode == 0
    env.pop("OPENAI_BASE_URL")
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "doctor", "--spec", str(SPEC_PATH)], capture_output=True,
                         text=True, env={k: v for k, v in {**os.environ, **env}.items() if k != "OPENAI_BASE_URL"})
    assert res.returncode == 0, res.stdout
    assert "Everything matches the spec." in res.stdout and TOKEN not in res.stdout


def test_doctor_knows_the_token_comes_from_settings_json_after_apply_token_env(tmp_path):
    base = {k: v for k, v in os.environ.items()
            if k not in ("CODEX_HOME", "CLAUDE_CONFIG_DIR", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "OPENAI_BASE_URL")}
    env = {**base, "HOME": str(tmp_path), "GW_TOKEN": TOKEN, "OPENAI_API_KEY": TOKEN}
    run = lambda *a: subprocess.run([sys.executable, "-m", "flowgate_lint", *a, "--spec", str(SPEC_PATH)],  # noqa: E731
                                    capture_output=True, text=True, env=env)
    assert run("apply", "codex").returncode == 0
    before = run("doctor").stdout
    token_row = next(r for r in before.splitlines() if r.startswith("ANTHROPIC_AUTH_TOKEN"))
    assert "warn" in token_row and "not set in the environment, nor in" in token_row
    assert run("apply", "claude-code", "--token-env", "GW_TOKEN").returncode == 0
    res = run("doctor")
    assert res.returncode == 0, res.stdout
    token_row = next(r for r in res.stdout.splitlines() if r.startswith("ANTHROPIC_AUTH_TOKEN"))
    settings = tmp_path / ".claude" / "settings.json"
    assert token_row.split()[1] == "ok" and f"{settings} sets it (env.ANTHROPIC_AUTH_TOKEN)" in token_row, res.stdout
    assert f"not set ({settings} sets it)" in res.stdout  # ANTHROPIC_BASE_URL comes from settings.json too
    assert TOKEN not in res.stdout + res.stderr


def test_doctor_is_read_only_it_never_writes_the_spec_cache(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "HOME": str(tmp_path), "FLOWGATE_LINT_CACHE_DIR": str(cache)}
    for k in ("CODEX_HOME", "CLAUDE_CONFIG_DIR", "FLOWGATE_LINT_NO_CACHE"):
        env.pop(k, None)
    spec = tmp_path / "flowgate.yaml"
    spec.write_bytes(SPEC_PATH.read_bytes())
    old = os.stat(spec).st_mtime - 60  # settled, so a spec-cache entry would be written
    os.utime(spec, (old, old))
    home_before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "doctor", "--spec", str(spec)], capture_output=True,
                         text=True, env=env)
    assert res.returncode == 1, res.stdout + res.stderr  # nothing applied yet
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == home_before  # nothing written anywhere
    printed = subprocess.run([sys.executable, "-m", "flowgate_lint", "print", "codex", "--spec", str(spec)],
                             capture_output=True, text=True, env=env)
    assert printed.returncode == 0 and list(cache.rglob("spec-*"))  # the same spec is cacheable: print caches it


def test_doctor_runs_the_whole_rule_set_on_the_live_client_files_and_the_environment(tmp_path):
    """Every problem the linter finds on the same files, not a subset; keys never printed."""
    (tmp_path / ".codex").mkdir()
    (tmp_path / ".codex" / "config.toml").write_text(
        'model_provider = "flowgate"\nmodel = "router-default"\nprofile = "flowgate"\n\n[model_providers.flowgate]\n'
        'name = "FlowGate Local"\nbase_url = "http://127.0.0.1:4000/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "chat"\n')
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text(json.dumps({"env": {
        "ANTHROPIC_BASE_URL": "http://127.0.0.1:4000/v1", "ANTHROPIC_MODEL": "router-default",
        "ANTHROPIC_SMALL_FAST_MODEL": "router-cheap"}}))
    base = {k: v for k, v in os.environ.items() if k not in ("CODEX_HOME", "CLAUDE_CONFIG_DIR", "ANTHROPIC_BASE_URL")}
    env = {**base, "HOME": str(tmp_path), "OPENAI_API_KEY": TOKEN, "ANTHROPIC_AUTH_TOKEN": TOKEN,
           "ANTHROPIC_API_KEY": TOKEN, "OPENAI_BASE_URL": "http://127.0.0.1:4000/v1", "FLOWGATE_LINT_PREVIEW": "1"}
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "doctor", "--spec", str(SPEC_PATH)],
                         capture_output=True, text=True, env=env)
    assert res.returncode == 1, res.stdout + res.stderr
    out = res.stdout
    for code in ("FG503", "FG505", "FG302", "FG403", "FG702"):
        assert f" {code} " in out, (code, out)
    assert "environment:" in out and "FG304" in out  # OPENAI_BASE_URL in the environment, linted as Codex's
    assert TOKEN not in out + res.stderr and "FG701" not in out
    lint = subprocess.run([sys.executable, "-m", "flowgate_lint", "--preview", "--output-format", "json", "--spec",
                           str(SPEC_PATH), str(tmp_path / ".codex" / "config.toml"), str(tmp_path / ".claude" / "settings.json")],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    linted = {f["code"] for f in json.loads(lint.stdout)}
    assert linted and all(f" {code} " in out for code in linted), (linted, out)
