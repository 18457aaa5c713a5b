"""apply / restore / doctor on configs that are valid but hostile, or that are someone else's: duplicate keys,
numbers over 4,300 digits, deep nesting, files over the size cap, another user's file, a read-only file.

Each refusal is one line naming the file, exit 2 (doctor: a drift row, exit 1), no traceback, nothing written
and no backup made."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from flowgate_lint.clients import safewrite
from flowgate_lint.lint.engine import MAX_FILE_BYTES
from rulekit import SPEC_PATH

TOKEN = "sk-PLANTEDapplyBounds0123456789abcdefXYZ"
BIG = "7" * 5000  # over Python's 4,300-digit limit for int(str): valid JSON all the same


def cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    spec = [] if args[0] == "restore" else ["--spec", str(SPEC_PATH)]
    full = {k: v for k, v in os.environ.items() if k not in ("CODEX_HOME", "CLAUDE_CONFIG_DIR", "ANTHROPIC_AUTH_TOKEN")}
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args, *spec], capture_output=True, text=True,
                          env={**full, **(env or {})}, timeout=120, stdin=subprocess.DEVNULL, cwd=cwd)


def one_line(res: subprocess.CompletedProcess, *needles: str) -> str:
    """The single stderr line of a refused command (exit 2), checked for the usual promises."""
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    lines = [line for line in res.stderr.splitlines() if line]
    assert len(lines) == 1, res.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def doctor_row(res: subprocess.CompletedProcess, label: str) -> str:
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    rows = [line for line in res.stdout.splitlines() if line.startswith(label)]
    assert rows, res.stdout
    return rows[0]


def backups_of(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".flowgate-backup.*"))


def plant_backup(target: Path, content: bytes) -> Path:
    backup = target.with_name(target.name + ".flowgate-backup.20260101T000000.000000Z")
    backup.write_bytes(content)
    backup.chmod(0o600)
    return backup


def refused_untouched(target: Path, before: bytes, res: subprocess.CompletedProcess, *needles: str) -> None:
    one_line(res, str(target), *needles)
    assert target.read_bytes() == before
    assert backups_of(target) == []


# ----------------------------------------------------------------------------- item 6: duplicate "env" keys


DUPLICATE_ENV = ('{\n  "env": {"ANTHROPIC_BASE_URL": "https://api.anthropic.com"},\n  "model": "opus",\n'
                 '  "env": {"KEEP": "1"}\n}\n')


def test_duplicate_env_objects_are_refused_with_their_line_and_nothing_is_written(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text(DUPLICATE_ENV)
    before = target.read_bytes()
    env = {"FG_TEST_TOKEN": TOKEN}
    for extra in ([], ["--dry-run"], ["--token-env", "FG_TEST_TOKEN"]):
        res = cli("apply", "claude-code", "--target", str(target), *extra, env=env)
        refused_untouched(target, before, res, f"{target}:4:", 'duplicate key "env"')
        assert TOKEN not in res.stderr + res.stdout
    res = cli("doctor", "--claude-target", str(target), "--codex-target", str(tmp_path / "none.toml"))
    assert res.returncode == 1
    assert f'cannot read it: {target}:4: duplicate key "env"' in doctor_row(res, "Claude Code settings")


def test_restore_refuses_a_backup_with_duplicate_env_objects(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text('{"env": {}}\n')
    plant_backup(target, DUPLICATE_ENV.encode())
    res = cli("restore", "claude-code", "--target", str(target))
    one_line(res, 'duplicate key "env"', "--force")
    assert target.read_text() == '{"env": {}}\n'


# ----------------------------------------------------------------------------- item 9: huge numbers, deep nesting


def test_a_number_over_4300_digits_is_valid_json_apply_doctor_and_restore_read_it(tmp_path):
    target = tmp_path / "settings.json"
    original = f'{{\n  "counter": {BIG},\n  "env": {{"KEEP": -{BIG}}}\n}}\n'
    target.write_text(original)
    res = cli("apply", "claude-code", "--target", str(target))
    assert res.returncode == 0, res.stderr
    after = target.read_text()
    assert f'"counter": {BIG},' in after and f'"KEEP": -{BIG}' in after  # kept byte for byte
    assert json.loads(after, parse_int=str)["env"]["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:4000"
    res = cli("doctor", "--claude-target", str(target), "--codex-target", str(tmp_path / "none.toml"))
    assert "matches the spec" in doctor_row(res, "Claude Code settings")
    res = cli("restore", "claude-code", "--target", str(target))  # the backup holds the number: not refused
    assert res.returncode == 0, res.stderr
    assert target.read_text() == original


@pytest.mark.parametrize("levels", [600, 100_000])
def test_deep_nesting_is_a_one_line_refusal_not_an_internal_error(tmp_path, levels):
    target = tmp_path / "settings.json"
    target.write_text('{"env": {}, "deep": ' + "[" * levels + "]" * levels + "}\n")
    before = target.read_bytes()
    for extra in ([], ["--dry-run"]):
        res = cli("apply", "claude-code", "--target", str(target), *extra)
        refused_untouched(target, before, res, "nested more than 256 levels deep")
    res = cli("doctor", "--claude-target", str(target), "--codex-target", str(tmp_path / "none.toml"))
    assert res.returncode == 1
    assert "nested more than 256 levels deep" in doctor_row(res, "Claude Code settings")
    if levels > 1000:  # deeper than the json module reads: the backup is refused unless forced
        fresh = tmp_path / "fresh" / "settings.json"
        fresh.parent.mkdir()
        fresh.write_text("{}\n")
        plant_backup(fresh, before)
        one_line(cli("restore", "claude-code", "--target", str(fresh)), "nested", "--force")
        assert fresh.read_text() == "{}\n"
        res = cli("restore", "claude-code", "--target", str(fresh), "--force")
        assert res.returncode == 0, res.stderr
        assert fresh.read_bytes() == before


def test_lint_reads_a_number_over_4300_digits_as_json(tmp_path):
    from flowgate_lint.documents.json_spans import _json_leaves, _json_load

    text = f'{{"env": {{"ANTHROPIC_BASE_URL": "http://127.0.0.1:4000/v1"}}, "n": {BIG}}}'
    data = _json_load(text)
    leaves = {leaf.path: leaf.value for leaf in _json_leaves(text, data)}
    assert str(leaves[("n",)]) == BIG
    repo = tmp_path / "repo"
    (repo / ".claude").mkdir(parents=True)
    (repo / ".claude" / "settings.json").write_text(text + "\n")
    res = cli(".claude/settings.json", "--no-cache", cwd=repo)
    assert "does not parse" not in res.stdout and "FG001" not in res.stdout, res.stdout
    assert "Traceback" not in res.stderr


# ----------------------------------------------------------------------------- item 14: the size cap


def test_targets_and_backups_over_the_cap_are_refused_without_reading_them(tmp_path):
    target = tmp_path / "settings.json"
    target.write_bytes(b"{}" + b" " * MAX_FILE_BYTES)  # valid JSON, one byte over the cap
    before = target.read_bytes()
    for extra in ([], ["--dry-run"]):
        res = cli("apply", "claude-code", "--target", str(target), *extra)
        refused_untouched(target, before, res, "too large (over 8 MiB")
    res = cli("doctor", "--claude-target", str(target), "--codex-target", str(tmp_path / "none.toml"))
    assert res.returncode == 1
    assert "too large (over 8 MiB" in doctor_row(res, "Claude Code settings")
    small = tmp_path / "small" / "settings.json"
    small.parent.mkdir()
    small.write_text("{}\n")
    plant_backup(small, before)
    for extra in ([], ["--force"]):
        one_line(cli("restore", "claude-code", "--target", str(small), *extra), "too large (over 8 MiB")
        assert small.read_text() == "{}\n"
    plant_backup(target, b"{}\n")
    res = cli("restore", "claude-code", "--target", str(target))  # over the cap itself: not read to back it up
    one_line(res, str(target), "too large (over 8 MiB")
    assert target.read_bytes() == before


def test_a_file_that_grows_after_its_size_was_taken_is_read_to_the_cap_and_one_byte(tmp_path, monkeypatch):
    target = tmp_path / "settings.json"
    target.write_bytes(b" " * (MAX_FILE_BYTES + 50_000))
    real_fstat, real_read = os.fstat, os.read
    read = []

    class Small:  # the size fstat saw before the file grew
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 10

    monkeypatch.setattr(safewrite.os, "fstat", lambda fd: Small(real_fstat(fd)))
    monkeypatch.setattr(safewrite.os, "read", lambda fd, n: read.append(real_read(fd, n)) or read[-1])
    with pytest.raises(safewrite.WriteError, match="too large"):
        safewrite.read(target)
    assert sum(map(len, read)) == MAX_FILE_BYTES + 1


# ----------------------------------------------------------------------------- item 8: owner, group, mode, read-only


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root")
@pytest.mark.parametrize("client,name,content", [
    ("claude-code", "settings.json", '{\n  "env": {"KEEP": "1"}\n}\n'),
    ("codex", "config.toml", 'model = "gpt-5"\n'),
])
def test_root_keeps_the_owner_group_and_mode_of_a_users_config_and_its_backups(tmp_path, client, name, content):
    target = tmp_path / name
    target.write_text(content)
    os.chown(target, 65534, 65534)
    target.chmod(0o640)

    def owned(path: Path) -> tuple[int, int, int]:
        st = os.stat(path)
        return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)

    res = cli("apply", client, "--target", str(target))
    assert res.returncode == 0, res.stderr
    assert owned(target) == (65534, 65534, 0o640)
    [backup] = backups_of(target)
    assert owned(backup) == (65534, 65534, 0o600)
    res = cli("restore", client, "--target", str(target))
    assert res.returncode == 0, res.stderr
    assert target.read_text() == content
    assert owned(target) == (65534, 65534, 0o640)
    assert [owned(b) for b in backups_of(target)] == [(65534, 65534, 0o600)] * 2


@pytest.mark.parametrize("client,name,content", [
    ("claude-code", "settings.json", '{"env": {}}\n'),
    ("codex", "config.toml", 'model = "gpt-5"\n'),
])
def test_a_read_only_config_is_refused_unless_forced_and_stays_read_only(tmp_path, client, name, content):
    target = tmp_path / name
    target.write_text(content)
    target.chmod(0o444)
    before = target.read_bytes()
    res = cli("apply", client, "--target", str(target))
    refused_untouched(target, before, res, "read-only", "--force")
    res = cli("apply", client, "--target", str(target), "--force")
    assert res.returncode == 0, res.stderr
    assert target.read_bytes() != before and stat.S_IMODE(os.stat(target).st_mode) == 0o444
    applied = target.read_bytes()
    res = cli("restore", client, "--target", str(target))
    one_line(res, str(target), "read-only", "--force")
    assert target.read_bytes() == applied and len(backups_of(target)) == 1
    res = cli("restore", client, "--target", str(target), "--force")
    assert res.returncode == 0, res.stderr
    assert target.read_bytes() == before and stat.S_IMODE(os.stat(target).st_mode) == 0o444


# ----------------------------------------------------------------------------- item 7: values where the client reads them


def _toml(path: Path) -> dict:
    import tomllib

    return tomllib.loads(path.read_text())


FLOWGATE = {"name": "FlowGate Local", "base_url": "http://127.0.0.1:4000/v1", "env_key": "OPENAI_API_KEY",
            "wire_api": "responses"}


@pytest.mark.parametrize("content", [
    'model_providers.other.name = "Other"\n',
    'model_providers.other.name = "Other"\nmodel_providers.other.base_url = "http://o/v1"\n\n[mcp_servers.x]\ncommand = "a"\n',
    'model = "gpt-5"\nmodel_providers = { other = { name = "Other", base_url = "http://o/v1" } }\n',
    'model_providers = { flowgate = { name = "Old" } }\n\n[mcp_servers.x]\ncommand = "a"\n',
])
def test_codex_selector_and_provider_land_where_codex_reads_them_whatever_the_provider_style(tmp_path, content):
    target = tmp_path / "config.toml"
    target.write_text(content)
    before = _toml(target)
    res = cli("apply", "codex", "--target", str(target))
    assert res.returncode == 0, res.stderr
    after = _toml(target)
    assert after["model_provider"] == "flowgate" and after["model"] == "router-default"
    assert after["model_providers"]["flowgate"] == FLOWGATE
    for name, table in before.get("model_providers", {}).items():
        if name != "flowgate":
            assert after["model_providers"][name] == table
    assert after.get("mcp_servers") == before.get("mcp_servers")
    res = cli("apply", "codex", "--target", str(target))
    assert "already matches the spec" in res.stdout, res.stdout + res.stderr
    res = cli("doctor", "--codex-target", str(target), "--claude-target", str(tmp_path / "none.json"))
    assert "matches the spec" in doctor_row(res, "Codex config")


def test_every_client_checks_its_result_and_refuses_one_whose_values_are_elsewhere():
    """A generic check after the edit: an editor that claims a change but leaves a managed value out of place
    (as tomlkit did with dotted keys) is caught for every client in the catalog, and its file not written."""
    from flowgate_lint.clients.catalog import CLIENTS
    from flowgate_lint.clients.config import Edited
    from flowgate_lint.clients.jsonedit import ConfigError
    from flowgate_lint.commands.apply_cmd import compute
    from rulekit import fixture_spec

    spec = fixture_spec()
    misplaced = {"toml": '[elsewhere]\nmodel_provider = "flowgate"\n', "json": '{"elsewhere": {}}\n',
                 "dotenv": "# GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:4000\n"}
    for client in CLIENTS.values():
        for part in client.parts:
            token = TOKEN if part.token else None
            good, _ = compute(part, spec, token, "f")
            applied = good(None)  # the real editor on a new file passes the check
            assert applied is not None
            wrong = part._replace(apply=lambda text, spec, token, where, kind=part.kind: Edited(misplaced[kind], ["x"]))
            step, changes = compute(wrong, spec, token, "f")
            with pytest.raises(ConfigError, match="would not be where the client reads it") as exc:
                step(applied)
            assert TOKEN not in str(exc.value) and changes == []


def test_the_check_refuses_what_apply_codex_wrote_for_dotted_provider_keys_before():
    """The text the editor used to produce for top-level dotted provider keys: the selector and model inside the
    new provider table, where Codex never reads them."""
    from flowgate_lint.clients import verify
    from flowgate_lint.clients.config import codex_managed
    from flowgate_lint.clients.jsonedit import ConfigError
    from rulekit import fixture_spec

    written = ('model_providers.other.name = "Other"\n\n[model_providers.flowgate]\nname = "FlowGate Local"\n'
               'base_url = "http://127.0.0.1:4000/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"\n\n'
               'model_providers.other.base_url = "http://o"\nmodel_provider = "flowgate"\nmodel = "router-default"\n')
    with pytest.raises(ConfigError, match="model_provider would not be where the client reads it"):
        verify.check("toml", written, codex_managed(fixture_spec()), "config.toml")
