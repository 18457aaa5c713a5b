"""apply / restore / doctor on hostile or broken surroundings: FIFOs, symlinks, torn backups, a full disk.

Each case ends in one line naming the file, a non-zero exit, no traceback, the user's file intact,
and nothing left behind that restore could mistake for a backup."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from flowgate_lint.cli import main
from rulekit import SPEC_PATH

SETTINGS = '{\n  "permissions": {"allow": ["Bash(ls)"]},\n  "env": {"KEEP": 1}\n}\n'
CODEX = '# mine\nmodel = "gpt-5"\n\n[mcp_servers.docs]\ncommand = "npx"\n'
TOKEN = "sk-PLANTEDapplySafety0123456789abcdefXYZ"


def cli(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command in a subprocess; ``timeout`` is a hang guard (a FIFO that blocks fails the test, not the run)."""
    spec = [] if args[0] == "restore" else ["--spec", str(SPEC_PATH)]
    full = {k: v for k, v in os.environ.items() if k not in ("CODEX_HOME", "CLAUDE_CONFIG_DIR", "ANTHROPIC_AUTH_TOKEN")}
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args, *spec], capture_output=True, text=True,
                          env={**full, **(env or {})}, timeout=timeout, stdin=subprocess.DEVNULL)


def one_line(res: subprocess.CompletedProcess, *needles: str) -> str:
    """The single stderr line of a refused command, checked for the usual promises."""
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    lines = [line for line in res.stderr.splitlines() if line]
    assert len(lines) == 1, res.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def backups_of(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".flowgate-backup.*"))


def leftovers(directory: Path, *keep: str) -> list[str]:
    """Files in ``directory`` other than ``keep``: backups, markers and temp files."""
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


# ----------------------------------------------------------------------------- FIFOs and other non-files


@pytest.mark.parametrize("client,name", [("claude-code", "settings.json"), ("codex", "config.toml")])
def test_a_fifo_in_place_of_the_config_is_refused_without_blocking(tmp_path, client, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    for args in (["apply", client, "--target", str(fifo)], ["apply", client, "--target", str(fifo), "--dry-run"],
                 ["restore", client, "--target", str(fifo)]):
        if args[0] == "restore":
            (tmp_path / f"{name}.flowgate-backup.20260101T000000.000000Z").write_text(SETTINGS if client != "codex" else CODEX)
        res = cli(*args, timeout=20)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        one_line(res, str(fifo), "not a regular file")
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    target = "--claude-target" if client == "claude-code" else "--codex-target"
    res = cli("doctor", target, str(fifo), timeout=20)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert f"{fifo}: not a regular file" in res.stdout


def test_a_fifo_reached_through_a_symlink_is_refused_too(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "settings.json"
    link.symlink_to(fifo)
    res = cli("apply", "claude-code", "--target", str(link), timeout=20)
    assert res.returncode == 2
    one_line(res, str(link), "not a regular file")
    assert backups_of(link) == []


# ----------------------------------------------------------------------------- backups: complete or none; restore trusts none

# Dies, as a SIGKILL would (no cleanup, no finally), at the first os.write or os.fsync (argv[1]) of a
# file in the directory argv[2]: the first such write is the backup's.
DIE_AT = """import os, sys
from flowgate_lint.cli import main
call, where = sys.argv[1], sys.argv[2]
real = getattr(os, call)
def die(fd, *args):
    if os.path.dirname(os.readlink(f"/proc/self/fd/{fd}")) == where:
        os._exit(137)
    return real(fd, *args)
setattr(os, call, die)
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_a_run_killed_while_writing_the_backup_leaves_no_torn_or_empty_backup(tmp_path, call):
    target = tmp_path / "settings.json"
    target.write_text(SETTINGS)
    res = subprocess.run([sys.executable, "-c", DIE_AT, call, str(tmp_path), "apply", "claude-code", "--target", str(target),
                          "--spec", str(SPEC_PATH)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 137, res.stderr
    assert target.read_text() == SETTINGS
    for b in backups_of(target):
        assert b.read_text() == SETTINGS, f"torn backup {b.name}: {b.read_bytes()!r}"
    # a later run still works, removes what the killed one left, and restore finds a complete backup or none
    assert cli("apply", "claude-code", "--target", str(target)).returncode == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".flowgate-tmp")]
    assert cli("restore", "claude-code", "--target", str(target)).returncode == 0
    assert target.read_text() == SETTINGS


@pytest.mark.parametrize("client,name,content,message", [
    ("claude-code", "settings.json", b"", "is empty"),
    ("claude-code", "settings.json", b'{\n  "permissions": {"allow": ["Ba', "not valid JSON"),
    ("claude-code", "settings.json", b"[1, 2]\n", "not a JSON object"),
    ("codex", "config.toml", b"", "is empty"),
    ("codex", "config.toml", b'# mine\nmodel = "gp', "not valid TOML"),
    ("codex", "config.toml", b'model = "\xff"\n', "not valid UTF-8"),
])
def test_restore_refuses_an_empty_or_unparsable_backup_unless_forced(tmp_path, client, name, content, message):
    target = tmp_path / name
    original = (SETTINGS if client == "claude-code" else CODEX).encode()
    target.write_bytes(original)
    bad = tmp_path / f"{name}.flowgate-backup.20260101T000000.000000Z"
    bad.write_bytes(content)
    for args in ([], ["--backup", str(bad)]):
        res = cli("restore", client, "--target", str(target), *args)
        assert res.returncode == 2, res.stdout
        one_line(res, str(bad), message, "--force")
        assert target.read_bytes() == original
        assert backups_of(target) == [bad]  # nothing saved, nothing changed
    res = cli("restore", client, "--target", str(target), "--force")
    assert res.returncode == 0, res.stderr
    assert target.read_bytes() == content


def test_restore_never_follows_a_symlinked_backup_or_marker(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text(SETTINGS)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"env": {"ANTHROPIC_BASE_URL": "http://attacker.invalid"}}\n')
    link = tmp_path / "settings.json.flowgate-backup.20260101T000000.000000Z"
    link.symlink_to(elsewhere)
    for args in ([], ["--backup", str(link)], ["--force"]):
        res = cli("restore", "claude-code", "--target", str(target), *args)
        assert res.returncode == 2, (args, res.stdout)
        one_line(res, str(link), "symlink")
        assert target.read_text() == SETTINGS
    assert "not a regular file: refused" in cli("restore", "claude-code", "--target", str(target), "--list").stdout
    link.unlink()
    marker = tmp_path / "settings.json.flowgate-backup.20260101T000000.000000Z.absent"
    marker.symlink_to(tmp_path / "empty")
    (tmp_path / "empty").write_bytes(b"")
    res = cli("restore", "claude-code", "--target", str(target), "--force")
    assert res.returncode == 2
    one_line(res, str(marker), "symlink")
    assert target.read_text() == SETTINGS  # not removed


def test_restore_refuses_a_marker_that_is_not_empty(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text(SETTINGS)
    marker = tmp_path / "settings.json.flowgate-backup.20260101T000000.000000Z.absent"
    marker.write_text("{}\n")
    res = cli("restore", "claude-code", "--target", str(target))
    assert res.returncode == 2
    one_line(res, str(marker), "not empty", "--force")
    assert target.read_text() == SETTINGS


def test_backups_are_0600_and_never_written_over_or_through_a_symlink(tmp_path, monkeypatch):
    from flowgate_lint.clients import safewrite

    target = tmp_path / "settings.json"
    victim = tmp_path / "victim"
    victim.write_text("keep")
    monkeypatch.setattr(safewrite, "_stamp", lambda: "20260101T000000.000000Z")
    planted = tmp_path / "settings.json.flowgate-backup.20260101T000000.000000Z"
    planted.symlink_to(victim)
    (tmp_path / "settings.json.flowgate-backup.20260101T000000.000000Z-1").symlink_to(tmp_path / "dangling")
    old = os.umask(0)
    try:
        made = safewrite.backup(target, SETTINGS.encode())
        marker = safewrite.backup(target, None)
    finally:
        os.umask(old)
    assert made.name.endswith("-2") and made.read_text() == SETTINGS
    assert victim.read_text() == "keep" and not (tmp_path / "dangling").exists()
    assert stat.S_IMODE(os.lstat(made).st_mode) == 0o600 and stat.S_IMODE(os.lstat(marker).st_mode) == 0o600
    assert marker.name.endswith(".absent") and marker.read_bytes() == b""
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".flowgate-tmp")]


# ----------------------------------------------------------------------------- internal errors that are one line now


def _repo_with_undecodable_name(tmp_path: Path) -> Path:
    import shutil

    repo = tmp_path / "repo"
    (repo / "config").mkdir(parents=True)
    shutil.copy(SPEC_PATH, repo / "config" / "flowgate.yaml")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / os.fsdecode(b"bad\xff.md")).write_text("Set `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1`.\n")
    return repo


def lint(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowgate_lint", *args], cwd=repo, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_output_file_and_baseline_for_a_file_name_that_is_not_utf8(tmp_path):
    repo = _repo_with_undecodable_name(tmp_path)
    for fmt in ("full", "concise", "github", "json", "sarif"):
        res = lint(repo, ".", "--output-format", fmt, "--output-file", f"out.{fmt}")
        assert res.returncode == 1, (fmt, res.stderr)
        assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
        text = (repo / f"out.{fmt}").read_text(encoding="utf-8")  # valid UTF-8
        if fmt == "json":
            assert json.loads(text)[0]["path"] == "bad\\xff.md"  # the byte, escaped and visible
        elif fmt == "sarif":
            json.loads(text)
            assert '"uri": "bad%FF.md"' in text  # a URI: the byte percent-encoded
        else:
            assert "bad\\xff.md" in text and "FG302" in text
    res = lint(repo, ".", "--write-baseline", "b.json")
    assert res.returncode == 0 and "internal error" not in res.stderr, res.stderr
    res = lint(repo, ".", "--baseline", "b.json")  # the baseline reads back as the same name
    assert res.returncode == 0 and "No findings" in res.stdout, res.stdout + res.stderr


def test_an_output_file_that_cannot_be_written_is_one_line(tmp_path):
    repo = _repo_with_undecodable_name(tmp_path)
    (repo / "adir").mkdir()
    for where in (str(tmp_path / "missing" / "out.json"), "adir"):
        res = lint(repo, ".", "--output-format", "json", "--output-file", where)
        assert res.returncode == 2
        one_line(res, where, "cannot write the report")


@pytest.mark.parametrize("blocker", ["file", "dangling symlink"])
def test_a_config_directory_that_is_a_file_or_a_dangling_symlink_is_one_line(tmp_path, blocker):
    parent = tmp_path / ".claude"
    if blocker == "file":
        parent.write_text("not a directory")
    else:
        parent.symlink_to(tmp_path / "gone")
    target = parent / "settings.json"
    for args in (["apply", "claude-code", "--target", str(target)], ["restore", "claude-code", "--target", str(target)]):
        res = cli(*args)
        assert res.returncode == 2, res.stdout
        if args[0] == "apply":
            one_line(res, str(target), "not a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".claude"]


def test_a_planted_lock_file_symlink_to_a_directory_is_never_used(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text(SETTINGS)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "settings.json.flowgate-lock").symlink_to(elsewhere, target_is_directory=True)
    res = cli("apply", "claude-code", "--target", str(target))
    assert res.returncode == 0, res.stderr
    assert list(elsewhere.iterdir()) == [] and (tmp_path / "settings.json.flowgate-lock").is_symlink()
    assert cli("restore", "claude-code", "--target", str(target)).returncode == 0
    assert target.read_text() == SETTINGS


def test_a_dangling_settings_symlink_whose_directory_is_missing_is_one_line_and_leaves_no_marker(tmp_path):
    link = tmp_path / "settings.json"
    link.symlink_to(tmp_path / "gone" / "dir" / "settings.json")
    res = cli("apply", "claude-code", "--target", str(link))
    assert res.returncode == 2, res.stdout
    one_line(res, str(link), "whose directory does not exist")
    assert leftovers(tmp_path) == ["settings.json"] and link.is_symlink()
    assert backups_of(link) == []


def test_a_dangling_settings_symlink_is_written_through_and_restore_removes_only_what_apply_created(tmp_path):
    (tmp_path / "real").mkdir()
    link = tmp_path / "settings.json"
    link.symlink_to(tmp_path / "real" / "settings.json")
    assert cli("apply", "claude-code", "--target", str(link)).returncode == 0
    assert (tmp_path / "real" / "settings.json").is_file() and link.is_symlink()
    res = cli("restore", "claude-code", "--target", str(link))
    assert res.returncode == 0, res.stderr
    assert link.is_symlink() and not (tmp_path / "real" / "settings.json").exists()


def _full_once_a_backup_exists(monkeypatch, target: Path) -> None:
    """os.fsync of a regular file fails with ENOSPC once a backup of ``target`` is in place: the disk
    fills up between the backup and the new content."""
    real = os.fsync

    def fsync(fd):
        if stat.S_ISREG(os.fstat(fd).st_mode) and backups_of(target):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize("existing", [True, False])
def test_enospc_after_the_backup_leaves_the_config_intact_and_no_half_state(tmp_path, monkeypatch, capsys, existing):
    target = tmp_path / "settings.json"
    if existing:
        target.write_text(SETTINGS)
    _full_once_a_backup_exists(monkeypatch, target)
    assert main(["apply", "claude-code", "--target", str(target), "--spec", str(SPEC_PATH)]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(f"{target}: cannot write: No space left on device; left unchanged"), lines[0]
    assert "the backup just made of it was removed" in lines[0]
    assert (target.read_text() == SETTINGS) if existing else not target.exists()
    assert leftovers(tmp_path, "settings.json") == []  # no backup, no marker, no temp file


def test_enospc_while_restoring_leaves_the_config_intact(tmp_path, monkeypatch, capsys):
    target = tmp_path / "settings.json"
    target.write_text('{"env": {"NOW": 1}}\n')
    old = tmp_path / "settings.json.flowgate-backup.20260101T000000.000000Z"
    old.write_text(SETTINGS)
    real = os.fsync

    def fsync(fd):
        if stat.S_ISREG(os.fstat(fd).st_mode) and len(backups_of(target)) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    assert main(["restore", "claude-code", "--target", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device; left unchanged" in err and str(target) in err, err
    assert target.read_text() == '{"env": {"NOW": 1}}\n' and backups_of(target) == [old]
    assert leftovers(tmp_path, "settings.json", old.name) == []


ON_TMPFS = """set -e
mount -t tmpfs -o size=8k tmpfs "$1"
printf '%s' "$2" > "$1/settings.json"
set +e
"$3" -m flowgate_lint apply claude-code --target "$1/settings.json" --spec "$4" 2>"$1/err"
echo "rc=$?"
cat "$1/err"
ls -A "$1"
printf '%s' "$2" | cmp -s - "$1/settings.json" && echo intact
"""


def test_a_real_full_disk_after_the_backup(tmp_path):
    """The same on a real 8 KiB tmpfs (a private mount namespace): the settings file and its backup fill it."""
    import shutil

    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        if os.environ.get("CI"):
            pytest.fail("unshare -rm is needed for the full-disk test")
        pytest.skip("no unshare -rm here")
    settings = json.dumps({"env": {"KEEP": "x" * 3000}})  # one 4 KiB page, and one more for its backup
    res = subprocess.run(["unshare", "-rm", "sh", "-c", ON_TMPFS, "sh", str(tmp_path),
                          settings, sys.executable, str(SPEC_PATH)], capture_output=True, text=True, timeout=60)
    out = res.stdout.splitlines()
    assert out[0] == "rc=2", res.stdout + res.stderr
    assert "No space left on device; left unchanged" in out[1] and "Traceback" not in res.stdout
    assert out[2:] == ["err", "settings.json", "intact"], out  # no backup, no temp file; the settings as they were


# ----------------------------------------------------------------------------- a token makes the file private


def test_apply_token_env_makes_a_0644_settings_file_0600_and_says_so(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text(SETTINGS)
    os.chmod(target, 0o644)
    res = cli("apply", "claude-code", "--target", str(target), "--token-env", "GW", env={"GW": TOKEN})
    assert res.returncode == 0, res.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    said = [line for line in res.stdout.splitlines() if "0644 -> 0600" in line]
    assert len(said) == 1 and "token" in said[0], res.stdout
    assert TOKEN not in res.stdout + res.stderr and json.loads(target.read_text())["env"]["ANTHROPIC_AUTH_TOKEN"] == TOKEN
    assert [stat.S_IMODE(b.stat().st_mode) for b in backups_of(target)] == [0o600]


def test_a_token_already_in_a_group_readable_file_is_made_private_without_a_rewrite(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text(SETTINGS)
    assert cli("apply", "claude-code", "--target", str(target), "--token-env", "GW", env={"GW": TOKEN}).returncode == 0
    os.chmod(target, 0o640)
    before = target.read_bytes()
    res = cli("apply", "claude-code", "--target", str(target), "--token-env", "GW", env={"GW": TOKEN})
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("already matches the spec; mode 0640 -> 0600: the file holds the token, so only you "
                                       "may read it"), res.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_bytes() == before
    assert len(backups_of(target)) == 1  # no second backup for a mode change


def test_without_a_token_the_mode_is_kept_and_a_new_file_with_one_is_0600(tmp_path):
    target = tmp_path / "settings.json"
    target.write_text(SETTINGS)
    os.chmod(target, 0o644)
    res = cli("apply", "claude-code", "--target", str(target))
    assert res.returncode == 0 and "->" not in "".join(l for l in res.stdout.splitlines() if "mode" in l)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    fresh = tmp_path / "new" / "settings.json"
    assert cli("apply", "claude-code", "--target", str(fresh), "--token-env", "GW", env={"GW": TOKEN}).returncode == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_a_symlinked_settings_file_with_a_token_has_its_target_made_private(tmp_path):
    real = tmp_path / "dotfiles" / "settings.json"
    real.parent.mkdir()
    real.write_text(SETTINGS)
    os.chmod(real, 0o664)
    link = tmp_path / "settings.json"
    link.symlink_to(real)
    res = cli("apply", "claude-code", "--target", str(link), "--token-env", "GW", env={"GW": TOKEN})
    assert res.returncode == 0, res.stderr
    assert link.is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o600 and "0664 -> 0600" in res.stdout
