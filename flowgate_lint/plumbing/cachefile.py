"""Cache files nobody else can plant: plain JSON in a directory only the current user can write.

A cache is data someone else may have written (a shared or world-writable ``$XDG_CACHE_HOME``, a
CI cache restored from a fork's run), so it is never executed and never trusted blindly:

- the format is JSON (plain data: nothing in it can run code), versioned by its writer;
- the directory must be owned by the current user and not group- or world-writable (a symlink to
  it is followed only when the link is the user's too); it is opened once and every file is
  reached through that descriptor, so the checked directory is the one used;
- a file is opened with ``O_NOFOLLOW`` (a symlink is refused, never read through) and must be a
  regular file owned by the user, not group- or world-writable;
- a write goes to a fresh temporary file (``O_EXCL``, mode 0600) in the same directory, renamed
  over the name: a symlink planted there is replaced, never written through. It is not fsynced:
  after a crash a torn file is not valid JSON, and reads as a miss. A temporary file a killed writer left
  behind is removed by the next write: only names of our own temporary pattern, only in the cache directory,
  only regular files of the user's (a symlink is removed as a name, never followed), whose writer is gone
  or which are older than any write takes.

Anything off is a silent cache miss; with ``--verbose`` the first refusal of a run is explained in
one line on stderr.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from typing import Any

from flowgate_lint.plumbing.fsutil import read_all, write_all

VERBOSE = False  # set by the command line for --verbose
_noted = False
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
_TEMP_NAME = re.compile(r"\.(?P<name>[\w.-]+)\.(?P<pid>[0-9]{1,10})\.[0-9a-f]{8}\.tmp")  # write_json's temporary names
STALE_SECONDS = 600  # no write takes this long: a temporary file this old is left over whoever wrote it
_WRITE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))


class Refused(Exception):
    """The cache directory or file is not safe to use (the message says why)."""


def note(reason: str) -> None:
    """Say once per run, with --verbose, why the cache was not used."""
    global _noted
    if VERBOSE and not _noted:
        _noted = True
        print(f"flowgate-lint: cache not used: {reason}", file=sys.stderr)


def _check(st: os.stat_result, what: str) -> None:
    uid = os.getuid()
    if st.st_uid != uid:
        raise Refused(f"{what} is owned by uid {st.st_uid}, not by you (uid {uid})")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise Refused(f"{what} is writable by others (mode {stat.S_IMODE(st.st_mode):04o})")


def open_dir(directory: str, create: bool = False) -> int:
    """A descriptor of the cache directory after the owner and mode checks (raises Refused or OSError)."""
    if create:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    st = os.lstat(directory)
    if stat.S_ISLNK(st.st_mode) and st.st_uid != os.getuid():
        raise Refused(f"{directory} is a symlink owned by uid {st.st_uid}, not by you")
    fd = os.open(directory, _DIR_FLAGS)
    try:
        _check(os.fstat(fd), directory)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_json(directory: str, name: str) -> Any:
    """The JSON value stored as ``name`` in ``directory``; None when missing, refused or corrupt."""
    import json

    try:
        dfd = open_dir(directory)
    except FileNotFoundError:
        return None
    except (Refused, OSError) as exc:
        note(str(exc))
        return None
    try:
        try:
            fd = os.open(name, _READ_FLAGS, dir_fd=dfd)
        except FileNotFoundError:
            return None
        except OSError as exc:  # ELOOP: a symlink in the cache
            note(f"{os.path.join(directory, name)}: {exc.strerror or exc}")
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Refused(f"{os.path.join(directory, name)} is not a regular file")
            _check(st, os.path.join(directory, name))
            data = read_all(fd, st.st_size)
        finally:
            os.close(fd)
        return json.loads(data)
    except Refused as exc:
        note(str(exc))
        return None
    except (OSError, ValueError):  # unreadable, or not JSON (torn, from another version): a miss
        return None
    finally:
        os.close(dfd)


def write_json(directory: str, name: str, value: Any) -> None:
    """Store ``value`` as ``name``: a temporary file in the same directory, renamed into place. Silent on failure."""
    import json

    try:
        data = json.dumps(value, separators=(",", ":")).encode("ascii")
        dfd = open_dir(directory, create=True)
    except (Refused, OSError) as exc:
        note(str(exc))
        return
    except (TypeError, ValueError):
        return
    tmp = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        fd = os.open(tmp, _WRITE_FLAGS, 0o600, dir_fd=dfd)
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)  # replaces a planted symlink, never follows it
    except OSError:
        try:
            os.unlink(tmp, dir_fd=dfd)
        except OSError:
            pass
    try:
        sweep_temp_files(dfd)
    finally:
        os.close(dfd)


def _writer_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs (another user's process runs: kill is refused, not failed)."""
    if pid <= 0 or pid > 2**22:  # no such pid on Linux (pid_max <= 2**22); 0 would signal our own group
        return True
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def sweep_temp_files(dfd: int, now: float | None = None) -> list[str]:
    """Remove the temporary files killed writers left in the cache directory opened as ``dfd``; returns
    their names. Silent on failure: a sweep never stops a run."""
    import time

    now = time.time() if now is None else now
    removed = []
    try:
        names = os.listdir(dfd)
    except OSError:
        return removed
    uid = os.getuid()
    for entry in names:
        m = _TEMP_NAME.fullmatch(entry)
        if m is None:
            continue
        try:
            st = os.stat(entry, dir_fd=dfd, follow_symlinks=False)
        except OSError:
            continue
        if st.st_uid != uid or not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
            continue
        if not (_writer_gone(int(m.group("pid"))) or now - st.st_mtime > STALE_SECONDS):
            continue
        try:
            os.unlink(entry, dir_fd=dfd)  # unlinks the name (a symlink itself), never what it points to
        except OSError:
            continue
        removed.append(entry)
    return removed
