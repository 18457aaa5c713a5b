"""--fix writes only what it may: never over a concurrent edit, never outside the repository, never a file
it would damage (hard links, owner, read-only), never after its run was killed, and leaves no temp files."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from flowgate_lint.lint import fixes
from flowgate_lint.cli import main
from rulekit import SPEC_PATH

DRIFT = "# Doc\n\nUse `ANTHROPIC_BASE_URL=http://127.0.0.1:4000/v1` here.\n"
FIXED = "# Doc\n\nUse `ANTHROPIC_BASE_URL=http://127.0.0.1:4000` here.\n"


def project(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "config").mkdir(parents=True)
    shutil.copy(SPEC_PATH, repo / "config" / "flowgate.yaml")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def fix(repo: Path, monkeypatch, *paths: str) -> int:
    monkeypatch.chdir(repo)
    return main(["--fix", "--no-cache", "--output-format", "concise", *(paths or ["."])])


def edit_while_fixing(monkeypatch, edit) -> None:
    """Run ``edit(path)`` after the fixer has read a file and computed its fix, before it writes."""
    real = fixes.fix_host

    def fix_host(host, ctx, eligible):
        outcome = real(host, ctx, eligible)
        edit(Path(host.abspath))
        return outcome

    monkeypatch.setattr(fixes, "fix_host", fix_host)


# ----------------------------------------------------------------------------- concurrent edits


def test_an_edit_made_while_fixing_is_kept_and_reported(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    doc = repo / "doc.md"
    doc.write_text(DRIFT)
    edited = DRIFT + "\nA line the user added meanwhile.\n"
    edit_while_fixing(monkeypatch, lambda path: path.write_text(edited))
    assert fix(repo, monkeypatch, "doc.md") == 2
    captured = capsys.readouterr()
    assert doc.read_text() == edited, "the concurrent edit was lost"
    assert "doc.md: changed while fixing; left unchanged" in captured.err
    assert "doc.md:3:" in captured.out and "Fixed" not in captured.out  # the finding stands
    assert not list(repo.glob(".*.flowgate-tmp"))


def test_a_same_size_edit_with_the_old_mtime_is_still_caught(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    doc = repo / "doc.md"
    doc.write_text(DRIFT)
    st = doc.stat()
    edited = DRIFT.replace("here", "HERE")

    def sneaky(path: Path) -> None:  # same size, same mtime, same inode: only the bytes tell
        with open(path, "r+") as fh:
            fh.write(edited)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    edit_while_fixing(monkeypatch, sneaky)
    assert fix(repo, monkeypatch, "doc.md") == 2
    assert doc.read_text() == edited
    assert "changed while fixing" in capsys.readouterr().err


# ----------------------------------------------------------------------------- symlinked directories


def outside_dir(tmp_path: Path) -> tuple[Path, Path]:
    out = tmp_path / "outside"
    out.mkdir()
    (out / "doc.md").write_text(DRIFT)
    return out, out / "doc.md"


@pytest.mark.parametrize("flag", ["--fix", None])
def test_an_explicit_file_in_a_symlinked_directory_outside_is_not_followed(tmp_path, monkeypatch, capsys, flag):
    repo = project(tmp_path)
    out, target = outside_dir(tmp_path)
    (repo / "link").symlink_to(out, target_is_directory=True)
    monkeypatch.chdir(repo)
    args = ["--spec", "config/flowgate.yaml", "--no-cache", "--output-format", "concise", "link/doc.md"]
    assert main([*([flag] if flag else []), *args]) == 2
    captured = capsys.readouterr()
    assert target.read_text() == DRIFT, "wrote outside the repository"
    assert "link/doc.md: in a symlinked directory that points outside the repository; not followed" in captured.err
    assert "FG302" not in captured.out  # not linted either


def test_tracked_files_under_a_directory_that_is_now_a_symlink_outside_are_not_followed(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    (repo / "sub").mkdir()
    (repo / "sub" / "doc.md").write_text(DRIFT)
    subprocess.run(["git", "-C", str(repo), "add", "sub/doc.md"], check=True)
    shutil.rmtree(repo / "sub")
    out, target = outside_dir(tmp_path)
    (repo / "sub").symlink_to(out, target_is_directory=True)
    assert fix(repo, monkeypatch) == 2
    err = capsys.readouterr().err
    assert target.read_text() == DRIFT, "wrote outside the repository"
    assert "sub/doc.md: in a symlinked directory that points outside the repository; not followed" in err


def _swap_for_symlink(directory: Path, out: Path) -> None:
    directory.rename(directory.with_name(directory.name + ".moved"))
    directory.symlink_to(out, target_is_directory=True)


def test_a_directory_swapped_for_a_symlink_after_discovery_is_not_read_for_fixing(tmp_path, monkeypatch, capsys):
    from flowgate_lint.lint import engine

    repo = project(tmp_path)
    (repo / "sub").mkdir()
    (repo / "sub" / "doc.md").write_text(DRIFT)
    out, target = outside_dir(tmp_path)
    real = engine.lint_candidate

    def lint_then_swap(cand, ctx):
        result = real(cand, ctx)
        if cand.rel == "sub/doc.md":
            _swap_for_symlink(repo / "sub", out)
        return result

    monkeypatch.setattr(engine, "lint_candidate", lint_then_swap)
    assert fix(repo, monkeypatch, "sub/doc.md") == 2
    assert target.read_text() == DRIFT
    assert "sub/doc.md: its real path is outside the repository; not fixed" in capsys.readouterr().err


def test_a_directory_swapped_for_a_symlink_before_the_write_is_not_written_through(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    (repo / "sub").mkdir()
    (repo / "sub" / "doc.md").write_text(DRIFT)
    out, target = outside_dir(tmp_path)
    edit_while_fixing(monkeypatch, lambda path: _swap_for_symlink(repo / "sub", out))
    assert fix(repo, monkeypatch, "sub/doc.md") == 2
    assert target.read_text() == DRIFT, "wrote outside the repository"
    assert (repo / "sub.moved" / "doc.md").read_text() == DRIFT
    assert "sub/doc.md: its real path is outside the repository; not written" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["doc.md"]  # no temp file left there


# ----------------------------------------------------------------------------- hard links, owner, read-only


def test_a_file_with_hard_links_is_reported_and_left_whole(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    doc = repo / "doc.md"
    doc.write_text(DRIFT)
    other = tmp_path / "other-name.md"
    os.link(doc, other)
    assert fix(repo, monkeypatch, "doc.md") == 2
    captured = capsys.readouterr()
    assert doc.read_text() == DRIFT and other.read_text() == DRIFT
    assert os.stat(doc).st_ino == os.stat(other).st_ino, "the hard link was split"
    assert "doc.md: has 2 hard links (replacing it would split them); left unchanged" in captured.err
    assert "doc.md:3:" in captured.out and "Fixed" not in captured.out


def test_a_read_only_file_is_reported_and_keeps_its_findings(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    doc = repo / "doc.md"
    doc.write_text(DRIFT)
    doc.chmod(0o444)
    assert fix(repo, monkeypatch, "doc.md") == 2
    captured = capsys.readouterr()
    assert doc.read_text() == DRIFT and (doc.stat().st_mode & 0o777) == 0o444
    assert "doc.md: read-only (no write permission for its owner); left unchanged" in captured.err
    assert "Found 1 finding" in captured.out and "Fixed" not in captured.out


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make a file another user owns")
def test_a_file_owned_by_another_user_keeps_its_owner_group_and_mode(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    doc = repo / "doc.md"
    doc.write_text(DRIFT)
    os.chown(doc, 12345, 23456)
    doc.chmod(0o640)
    assert fix(repo, monkeypatch, "doc.md") == 0
    st = doc.stat()
    assert doc.read_text() == FIXED
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (12345, 23456, 0o640)


def test_a_file_whose_owner_cannot_be_kept_is_left_unchanged(tmp_path, monkeypatch, capsys):
    repo = project(tmp_path)
    doc = repo / "doc.md"
    doc.write_text(DRIFT)
    real = os.stat

    def other_owner(path, *args, **kwargs):  # as if the file belonged to someone else, and we were not root
        st = real(path, *args, **kwargs)
        if os.fspath(path).endswith("doc.md"):
            return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid + 4242, st.st_gid)
                                  + tuple(st[6:10]))
        return st

    def denied(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "stat", other_owner)
    monkeypatch.setattr(os, "fchown", denied)
    assert fix(repo, monkeypatch, "doc.md") == 2
    assert doc.read_text() == DRIFT
    assert "doc.md: owned by another user or group (its owner could not be kept); left unchanged" in capsys.readouterr().err


# ----------------------------------------------------------------------------- temp files of killed runs


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _age(path: Path, seconds: int = 3600) -> None:
    old = path.lstat().st_mtime - seconds
    os.utime(path, (old, old), follow_symlinks=False)


def test_temp_files_of_killed_runs_are_removed_by_the_next_fix(tmp_path, monkeypatch):
    repo = project(tmp_path)
    (repo / "docs").mkdir()
    (repo / "docs" / "clean.md").write_text(FIXED)  # nothing to fix here: found by the listing
    (repo / "doc.md").write_text(DRIFT)
    dead = repo / "docs" / f".clean.md.{_dead_pid()}.0123abcd.flowgate-tmp"
    old_style = repo / ".doc.md.k3j_x9q2.flowgate-tmp"  # an older release's name: removed once it is old
    for p in (dead, old_style):
        p.write_text(DRIFT[:10])
    _age(old_style)
    assert fix(repo, monkeypatch) == 0
    assert not dead.exists() and not old_style.exists()
    assert (repo / "doc.md").read_text() == FIXED


def test_beside_a_fixed_file_named_on_the_command_line_too(tmp_path, monkeypatch):
    repo = project(tmp_path)
    (repo / "doc.md").write_text(DRIFT)
    dead = repo / f".doc.md.{_dead_pid()}.0123abcd.flowgate-tmp"
    dead.write_text("x")
    assert fix(repo, monkeypatch, "doc.md") == 0
    assert not dead.exists()


def test_only_our_own_stale_temp_files_are_removed(tmp_path, monkeypatch):
    repo = project(tmp_path)
    (repo / "doc.md").write_text(DRIFT)
    target = tmp_path / "precious.txt"
    target.write_text("keep")
    live = subprocess.Popen(["sleep", "60"])
    try:
        kept = {
            "symlink": repo / f".doc.md.{_dead_pid()}.0123abcd.flowgate-tmp",
            "writer running": repo / f".doc.md.{live.pid}.0123abcd.flowgate-tmp",
            "recent, no pid": repo / ".doc.md.k3j_x9q2.flowgate-tmp",
            "not our name": repo / ".doc.md.leftover-notes.flowgate-tmp",
            "a directory": repo / f".x.md.{_dead_pid()}.0123abcd.flowgate-tmp",
        }
        kept["symlink"].symlink_to(target)
        kept["a directory"].mkdir()
        for what, p in kept.items():
            if what not in ("symlink", "a directory"):
                p.write_text("x")
        _age(kept["not our name"])
        if os.geteuid() == 0:
            kept["someone else's"] = repo / f".doc.md.{_dead_pid()}.4567cdef.flowgate-tmp"
            kept["someone else's"].write_text("x")
            os.chown(kept["someone else's"], 12345, 12345)
        assert fix(repo, monkeypatch) == 0
        assert [what for what, p in kept.items() if not os.path.lexists(p)] == []
        assert target.read_text() == "keep"
    finally:
        live.kill()
        live.wait()


# ----------------------------------------------------------------------------- encodings


def run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    import sys

    return subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", "--output-format", "concise", *args],
                          cwd=repo, capture_output=True, text=True, timeout=120)


BOMS = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-8": b"\xef\xbb\xbf"}


@pytest.mark.parametrize("encoding", sorted(BOMS))
@pytest.mark.parametrize("how", ["file", "directory"])  # explicit files take the start-up fast path
def test_a_file_with_a_bom_is_decoded_and_fixed_in_its_own_encoding(tmp_path, encoding, how):
    repo = project(tmp_path)
    doc = repo / "doc.md"
    doc.write_bytes(BOMS[encoding] + DRIFT.encode(encoding))
    target = "doc.md" if how == "file" else "."
    res = run(repo, target)
    assert res.returncode == 1, res.stderr
    assert "doc.md:3:25: FG302" in res.stdout
    res = run(repo, "--fix", target)
    assert res.returncode == 0, res.stdout + res.stderr
    assert doc.read_bytes() == BOMS[encoding] + FIXED.encode(encoding)


@pytest.mark.parametrize("how", ["file", "directory"])
def test_utf16_without_a_bom_and_utf32_are_one_line_errors_not_a_clean_run(tmp_path, how):
    repo = project(tmp_path)
    (repo / "nobom.md").write_bytes(DRIFT.encode("utf-16-le"))
    (repo / "wide.md").write_bytes(b"\xff\xfe\0\0" + DRIFT.encode("utf-32-le"))
    (repo / "ok.md").write_text(FIXED)
    res = run(repo, *(["nobom.md", "wide.md", "ok.md"] if how == "file" else ["."]))
    assert res.returncode == 2
    errors = [line for line in res.stderr.splitlines() if line]
    assert "Traceback" not in res.stderr
    assert "nobom.md: looks like UTF-16 without a byte order mark (not UTF-8), skipped" in errors
    assert "wide.md: UTF-32 text is not supported (not UTF-8 or UTF-16), skipped" in errors
    assert len(errors) == 2, errors


# ----------------------------------------------------------------------------- workers die with their run

SLOW_WRITES = '''
import time
from flowgate_lint.plumbing import fsutil

def _slowed(write):
    def slow(*args, **kwargs):
        time.sleep(0.2)
        return write(*args, **kwargs)
    return slow

for _name in ("replace_checked", "atomic_write"):
    if hasattr(fsutil, _name):
        setattr(fsutil, _name, _slowed(getattr(fsutil, _name)))

if {no_death_signal}:  # workers that only check their parent themselves
    from flowgate_lint.lint import engine

    def _init(parent):
        engine._PARENT_PID = parent

    engine._worker_init = _init
'''


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat_line = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat_line.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _wait_until(condition, timeout: float) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")
@pytest.mark.parametrize("no_death_signal", [False, True], ids=["death-signal", "parent-check-only"])
def test_pool_workers_stop_writing_when_a_fix_run_is_killed(tmp_path, no_death_signal):
    """SIGKILL the --fix parent while its pool workers write (each write slowed to 0.2 s, so ~40 s of work is
    queued): the workers must be gone at once, and no file may change after that. Without the kernel's
    death signal, the workers' own parent check must stop them."""
    import signal
    import sys
    import time

    from flowgate_lint.lint.engine import PARALLEL_MIN_FILES

    repo = project(tmp_path)
    docs = [repo / f"doc{i:03d}.md" for i in range(PARALLEL_MIN_FILES + 20)]
    for doc in docs:
        doc.write_text(DRIFT)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SLOW_WRITES.format(no_death_signal=no_death_signal))
    env = {**os.environ, "FLOWGATE_LINT_JOBS": "2", "PYTHONPATH": str(hook)}
    proc = subprocess.Popen([sys.executable, "-m", "flowgate_lint", "--no-cache", "--fix", "."], cwd=repo, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        assert _wait_until(lambda: any(d.read_text() == FIXED for d in docs), 120), "the run never started writing"
        workers = _children(proc.pid)
        assert workers, "no pool workers found"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        gone = _wait_until(lambda: not any(_running(w) for w in workers), 5)
        assert gone, "pool workers outlived their killed parent"
        before = {d: (d.stat().st_mtime_ns, d.read_bytes()) for d in docs}
        time.sleep(1.0)
        after = {d: (d.stat().st_mtime_ns, d.read_bytes()) for d in docs}
        assert [d.name for d in docs if before[d] != after[d]] == [], "files changed after the run was killed"
        assert sum(d.read_text() == FIXED for d in docs) < len(docs)  # it was stopped part way
        assert all(d.read_text() in (DRIFT, FIXED) for d in docs)
        if no_death_signal:  # a worker that stops itself removes the temp file it was writing
            assert not list(repo.glob(".*.flowgate-tmp"))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for w in workers:  # on failure: the workers this test started
            if _running(w):
                os.kill(w, signal.SIGKILL)


# ----------------------------------------------------------------------------- a fix that grows a file past a limit


def test_a_fix_that_grows_toml_past_what_can_be_checked_is_a_one_line_error(tmp_path):
    from flowgate_lint.documents.toml_spans import TOMLKIT_MAX_CHARS

    repo = project(tmp_path)
    head = ('[model_providers.flowgate]\nname = "FlowGate Local"\nbase_url = "http://127.0.0.1:4000/v1"\n'
            'wire_api = "chat"\n')
    tables = "".join(f'[t{i}]\nk = "v"\nf = 1.5\n' for i in range(4000))  # not plain pairs: tomlkit locates values
    text = (head + tables)[:TOMLKIT_MAX_CHARS - 1]
    text = text[:text.rindex("\n") + 1]
    text += "#" * (TOMLKIT_MAX_CHARS - len(text) - 1) + "\n"  # exactly at the limit; the fix ("responses") grows it
    (repo / "codex.toml").write_text(text)
    assert run(repo, "codex.toml").returncode == 1
    res = run(repo, "--fix", "codex.toml")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    assert [line for line in res.stderr.splitlines() if line] == [
        "codex.toml: fixing it would make it too large to check: TOML too large to locate its values (64 KiB > 64 KiB "
        "for TOML that is not written as plain one-line key = value pairs); nothing was written"]
    assert "codex.toml:4:12: FG503" in res.stdout  # the finding stands
    assert (repo / "codex.toml").read_text() == text


@pytest.mark.parametrize("flag", [None, "--fix", "--diff"])
def test_toml_too_large_on_standard_input_is_a_one_line_error(tmp_path, flag):
    import sys

    repo = project(tmp_path)
    text = 'base_url = "http://127.0.0.1:4001/v1"\n' + "".join(f'[t{i}]\nk = "v"\nf = 1.5\n' for i in range(4000))
    res = subprocess.run([sys.executable, "-m", "flowgate_lint", "--no-cache", *([flag] if flag else []),
                          "--stdin-filename", "big.toml", "-"], cwd=repo, input=text, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr, res.stderr
    assert "big.toml: TOML too large to locate its values (92 KiB > 64 KiB" in res.stderr
    if flag == "--fix":
        assert res.stdout.startswith(text)  # the input, unchanged
