"""Writing users' files safely: lock (the file's directory), backup first, detect concurrent changes, atomic replace.

Backups sit next to the file: ``<file>.flowgate-backup.<UTC timestamp>`` (microseconds, plus a
counter when two land in the same microsecond; an existing backup is never overwritten), mode
0600, written atomically (complete or not there at all). When the file did not exist before the
first write, an empty ``<file>.flowgate-backup.<ts>.absent`` marker records that, so ``restore``
removes the file again. ``restore`` trusts no backup: it never follows a symlink, and refuses an
empty or unparsable one unless forced.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

from flowgate_lint.plumbing.errors import FlowgateError
from flowgate_lint.plumbing.fsutil import MAX_FILE_BYTES, OwnerNotKept, atomic_write, chown_fd, fsync_dir, write_all

BACKUP_TAG = ".flowgate-backup."
ABSENT = ".absent"
NEW_FILE_MODE = 0o600
PRIVATE_MASK = 0o077  # what a file that holds a secret must not grant: any access by group and others
LOCK_TIMEOUT = 30.0


class WriteError(FlowgateError):
    pass


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block


def read(path: Path) -> bytes | None:
    """The bytes of ``path`` (None when it does not exist); a regular file of at most ``MAX_FILE_BYTES`` (symlinks
    followed)."""
    return _read(path)[0]


def _too_large(where: str) -> WriteError:
    return WriteError(f"too large (over {MAX_FILE_BYTES // (1024 * 1024)} MiB, the cap for a file); refusing to read it",
                      where)


def _read(path: Path, follow: bool = True) -> tuple[bytes | None, os.stat_result | None]:
    """(content, status) of a regular file, (None, None) when it does not exist. A FIFO, socket or device is
    refused without being opened for blocking reads, a file over ``MAX_FILE_BYTES`` without being read (at most
    the cap and one byte are, should it grow); ``follow=False`` refuses a symlink."""
    where = str(path)
    flags = _READ_FLAGS | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        if not follow and exc.errno == errno.ELOOP:
            raise WriteError("is a symlink; refusing to follow it", where) from None
        raise WriteError(f"cannot read: {exc.strerror or exc}", where) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise WriteError("is a directory, expected a file", where)
        if not stat.S_ISREG(st.st_mode):
            raise WriteError("not a regular file (a FIFO, socket or device); refusing to read it", where)
        if st.st_size > MAX_FILE_BYTES:
            raise _too_large(where)
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise _too_large(where)
        return b"".join(chunks), st
    except OSError as exc:
        raise WriteError(f"cannot read: {exc.strerror or exc}", where) from None
    finally:
        os.close(fd)


@contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """An exclusive advisory lock for ``path``: a ``flock`` on the directory that holds it.

    The directory's inode stays the same while files in it are replaced atomically (a lock on the
    file itself would be left on the old inode by the rename), it exists before the file does, and
    locking it creates nothing, so no lock file is ever left beside the user's config."""
    import fcntl

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise WriteError(f"cannot lock its directory: {path.parent} is not a directory (a file or a dangling symlink "
                         "is in the way); nothing was changed", str(path)) from None
    except OSError as exc:
        raise WriteError(f"cannot create its directory: {exc.strerror or exc}; nothing was changed", str(path)) from None
    try:
        fd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise WriteError(f"cannot open its directory to lock it: {exc.strerror or exc}", str(path)) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriteError("another flowgate-lint run holds the lock; try again", str(path)) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


def backup(path: Path, content: bytes | None, owner: tuple[int, int] | None = None) -> Path:
    """Write a backup of ``content`` (None = the file did not exist), mode 0600, owned by ``owner`` (uid, gid;
    the file's, so root writing a user's config leaves the user a backup it can read); never overwrites one.

    The bytes go to a temp file in the same directory first (fsync'd), which is then hard-linked to
    the backup name: ``link`` fails on an existing name, so no backup or symlink is ever written
    over or through, and a killed run leaves a complete backup or none, never a torn or empty one."""
    directory = path.parent
    try:
        fd, tmp = _temp(directory, path.name)
    except OSError as exc:
        raise WriteError(f"cannot write backup: {exc.strerror or exc}; nothing was changed", str(path)) from None
    try:
        try:
            if owner is not None:
                try:
                    chown_fd(fd, owner)
                except OwnerNotKept:
                    pass  # not root: the backup stays the runner's, who could read the file anyway
            write_all(fd, content or b"")
            os.fsync(fd)
        finally:
            os.close(fd)
        stamp = _stamp()
        for n in range(1000):
            name = f"{path.name}{BACKUP_TAG}{stamp}{'-' + str(n) if n else ''}{ABSENT if content is None else ''}"
            target = path.with_name(name)
            try:
                try:
                    os.link(tmp, target, follow_symlinks=False)
                except OSError as exc:
                    if exc.errno not in _NO_HARD_LINKS:
                        raise
                    _write_new(target, content or b"")  # a filesystem without hard links
            except FileExistsError:
                continue
            fsync_dir(directory)
            return target
        raise WriteError("cannot find a free backup name; nothing was changed", str(path))
    except OSError as exc:
        raise WriteError(f"cannot write backup: {exc.strerror or exc}; nothing was changed", str(path)) from None
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP), errno.EMLINK}
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _write_new(target: Path, data: bytes) -> None:
    """Create ``target`` (0600, never over or through an existing name) holding ``data``; removed if the write fails."""
    fd = os.open(target, _NEW_FLAGS, 0o600)
    try:
        write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(target)
        raise
    os.close(fd)


def _temp(directory: Path, name: str) -> tuple[int, str]:
    """A new 0600 temp file in ``directory`` (never through a symlink), named as ``atomic_write`` names its own."""
    from flowgate_lint.plumbing.fsutil import tmp_name

    for _ in range(100):
        tmp = os.path.join(directory, tmp_name(name))
        try:
            return os.open(tmp, _NEW_FLAGS, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(directory))




def backups(path: Path) -> list[Path]:
    """Backups of ``path``, oldest first."""
    prefix = path.name + BACKUP_TAG
    found = [p for p in path.parent.glob(prefix + "*") if p.is_symlink() or not p.is_dir()]  # restore refuses symlinks
    return sorted(found, key=lambda p: p.name[len(prefix):])


def digest(data: bytes | None) -> str:
    return "absent" if data is None else hashlib.sha256(data).hexdigest()


def update(path: Path, compute: Callable[[bytes | None], bytes | None], retries: int = 3) -> tuple[bytes | None, bytes | None, Path | None]:
    """``update_file`` without the modes: (old, new, backup path)."""
    return update_file(path, compute, retries)[:3]


class Updated(NamedTuple):
    old: bytes | None
    new: bytes | None  # ``old`` when nothing changed
    backup: Path | None
    mode_before: int | None  # None: the file did not exist
    mode_after: int | None


def update_file(path: Path, compute: Callable[[bytes | None], bytes | None], retries: int = 3,
                private: bool = False, force: bool = False) -> Updated:
    """Read, compute and write ``path`` under the lock, with a backup first.

    ``compute(old) -> new`` returns None for "no change". The file is re-read just before the
    write; if someone else changed it meanwhile, the whole step is redone (up to ``retries``),
    then refused. The file's mode, owner and group are kept; ``private`` (the file holds a secret) takes
    away any access by group and others, even when the content does not change. A read-only file is
    refused unless ``force``.
    """
    with locked(path):
        _tidy(path)
        for _ in range(retries):
            old, st = _read(path)
            before = None if st is None else stat.S_IMODE(st.st_mode)
            new = compute(old)
            mode = NEW_FILE_MODE if before is None else before & ~PRIVATE_MASK if private else before
            if new is None or new == old:
                if old is not None and mode != before:
                    _chmod(path, mode)
                return Updated(old, old, None, before, mode if old is not None else None)
            if digest(read(path)) != digest(old):
                continue  # changed under us (another program): recompute from the new content
            _check_writable(path, st, force)
            saved = backup(path, old, _owner(st))
            if digest(read(path)) != digest(old):
                saved.unlink(missing_ok=True)
                continue
            _write(path, new, mode, saved, _owner(st))
            return Updated(old, new, saved, before, mode)
    raise WriteError("the file kept changing while being updated; nothing was written", str(path))


def _tidy(path: Path) -> None:
    """Remove the temp files a killed run left beside ``path`` (and beside a symlinked config's target).
    Under the directory's lock no other run is writing there; only names of ours whose writer is gone go."""
    from flowgate_lint.plumbing.fsutil import remove_leftovers

    for directory in {path.parent, Path(os.path.realpath(path)).parent}:
        if directory.is_dir():
            remove_leftovers(directory, {str(directory)})


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)  # a symlinked config: its target
    except OSError as exc:
        raise WriteError(f"cannot make it private (chmod {mode:04o}): {exc.strerror or exc}", str(path)) from None


def restore(path: Path, source: Path, check: Callable[[bytes], None] | None = None, force: bool = False) -> Path | None:
    """Put a backup back byte for byte (or remove the file for an ``.absent`` marker), backing up the current file first.

    The backup is read without following a symlink and must be a regular file. Unless ``force``, a
    marker that is not empty and a backup ``check(data)`` rejects (it raises) are refused with nothing
    changed: a backup is data others could have written or a crash could have cut."""
    with locked(path):
        _tidy(path)
        data, _ = _read(source, follow=False)
        if data is None:
            raise WriteError("no such backup", str(source))
        absent = source.name.endswith(ABSENT)
        if not force:
            anyway = "not restoring it (use --force to restore it anyway)"
            if absent and data:
                raise WriteError(f"not empty, though a marker of an absent file always is; {anyway}", str(source))
            if not absent and check is not None:
                check(data)
        current, st = _read(path)
        if not absent:
            _check_writable(path, st, force)
        saved = backup(path, current, _owner(st)) if current is not None else None
        if absent:
            real = Path(os.path.realpath(path)) if path.is_symlink() else path
            try:
                real.unlink(missing_ok=True)  # a symlinked config: the file apply created through it
            except OSError as exc:
                _drop(saved)
                raise WriteError(f"cannot remove: {exc.strerror or exc}; left unchanged", str(path)) from None
        else:
            _write(path, data, NEW_FILE_MODE if st is None else stat.S_IMODE(st.st_mode), saved, _owner(st))
        return saved


def _owner(st: os.stat_result | None) -> tuple[int, int] | None:
    return None if st is None else (st.st_uid, st.st_gid)


def _check_writable(path: Path, st: os.stat_result | None, force: bool) -> None:
    """Refuse, before any backup is made, a read-only file (unless ``force``: root could write it, and its
    owner made it read-only for a reason) and a symlinked config whose target cannot be created."""
    if st is not None and not st.st_mode & stat.S_IWUSR and not force:
        raise WriteError("read-only (no write permission for its owner); use --force to write it anyway; nothing "
                         "was changed", str(path))
    if path.is_symlink():
        real = Path(os.path.realpath(path))
        if not real.parent.is_dir():
            raise WriteError(f"is a symlink to {real}, whose directory does not exist; nothing was changed", str(path))


def _write(path: Path, data: bytes, mode: int, saved: Path | None, owner: tuple[int, int] | None) -> None:
    """``atomic_write``, or a one-line error with the file unchanged. The backup just made is then removed:
    it holds what the file still holds, and on a full disk it would only take space and become the
    newest backup for no change."""
    try:
        atomic_write(path, data, mode=mode, owner=owner)
    except OwnerNotKept:
        _drop(saved)
        raise WriteError("owned by another user or group, which could not be kept; left unchanged", str(path)) from None
    except OSError as exc:
        _drop(saved)
        removed = " (the backup just made of it was removed)" if saved is not None else ""
        raise WriteError(f"cannot write: {exc.strerror or exc}; left unchanged{removed}", str(path)) from None


def _drop(saved: Path | None) -> None:
    if saved is not None:
        try:
            saved.unlink()
        except OSError:
            pass
