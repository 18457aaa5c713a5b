"""File I/O at the edges: atomic writes that keep the file mode, and the checked replace ``--fix`` uses."""

import os
import stat
from pathlib import Path
from typing import Callable, NamedTuple

TMP_SUFFIX = ".flowgate-tmp"
# The largest file flowgate-lint reads: a linted file, standard input, a client config or its backup.
MAX_FILE_BYTES = 8 * 1024 * 1024


class OwnerNotKept(PermissionError):
    """The temp file could not be given the replaced file's owner and group (``atomic_write``'s ``owner``)."""


def atomic_write(path: Path | str, data: bytes, mode: int | None = None, new_file_mode: int = 0o644,
                 owner: tuple[int, int] | None = None) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same directory, fsync, rename.

    The existing file's permission bits are kept (``mode`` overrides them); a new
    file gets ``new_file_mode``. ``owner`` (uid, gid) is given to the new file (root
    writing a user's file must leave it the user's); ``OwnerNotKept`` when it cannot be.
    A reader sees the old content or the new one, never a mix, even if the process is
    killed mid-write. Symlinks are written through (the link target is replaced, the link kept).
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    directory = target.parent
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = new_file_mode
    fd, tmp = _mkstemp(directory, target.name)
    try:
        try:
            if owner is not None:
                chown_fd(fd, owner)
            os.fchmod(fd, mode)
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(directory)


def chown_fd(fd: int, owner: tuple[int, int]) -> None:
    """Give the open file ``owner`` (uid, gid) unless it has it already; ``OwnerNotKept`` when not permitted."""
    st = os.fstat(fd)
    if (st.st_uid, st.st_gid) != owner:
        try:
            os.fchown(fd, *owner)
        except PermissionError as exc:
            raise OwnerNotKept(exc.errno, exc.strerror) from None


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write fewer)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def tmp_name(name: str) -> str:
    """The temp file name for replacing ``name``: it records the writer's pid, so a later run can tell a
    leftover of a killed run (see ``remove_leftovers``)."""
    return f".{name}.{os.getpid()}.{os.urandom(4).hex()}{TMP_SUFFIX}"


def _mkstemp(directory: Path, name: str, dir_fd: int | None = None) -> tuple[int, str]:
    for _ in range(100):
        tmp = tmp_name(name)
        try:
            fd = os.open(tmp if dir_fd is not None else os.path.join(directory, tmp),
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0),
                         0o600, dir_fd=dir_fd)
        except FileExistsError:
            continue
        return fd, tmp if dir_fd is not None else os.path.join(directory, tmp)
    raise FileExistsError(f"no free temporary name in {directory}")


def read_all(fd: int, size: int) -> bytes:
    """Every byte from ``fd`` (a regular file of about ``size`` bytes), in as few reads as the kernel allows."""
    chunks = []
    while True:
        chunk = os.read(fd, max(size + 1, 65536))
        if not chunk:
            break
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def fsync_dir(directory: Path | str | None, dir_fd: int | None = None) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY) if dir_fd is None else os.dup(dir_fd)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------- the checked replace of --fix


class Snapshot(NamedTuple):
    """A file as it was read: enough to tell, just before replacing it, that nobody changed it since."""

    size: int
    mtime_ns: int
    ino: int
    dev: int
    digest: bytes


def snapshot(st: os.stat_result, data: bytes) -> Snapshot:
    import hashlib

    return Snapshot(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, hashlib.sha256(data).digest())


class Refused(Exception):
    """A file ``replace_checked`` left unchanged; ``message`` is the one line saying why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def inside(root: Path | str, path: Path | str) -> str | None:
    """``path``'s real location relative to ``root``'s (every symlink resolved), None when it lies outside."""
    real_root = os.path.realpath(root)
    rel = os.path.relpath(os.path.realpath(path), real_root)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel) or rel == os.curdir:
        return None
    return rel


def _open_parent(real_root: str, rel: str) -> int:
    """A descriptor of the directory holding ``rel``, opened one component at a time from the root without
    following a symlink: a directory swapped for a symlink after the check cannot lead the write elsewhere."""
    fd = os.open(real_root, _DIR_FLAGS)
    try:
        for part in Path(rel).parts[:-1]:
            nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def replace_checked(root: Path | str, path: Path | str, data: bytes, before: Snapshot,
                    last_check: Callable[[], None] | None = None) -> None:
    """Replace the file at ``path`` (inside ``root``) with ``data``, atomically, only when that is safe.

    Refused (the file left as it is): a real path outside ``root``; a file that changed since
    ``before`` was taken; a read-only file; a file with several hard links (a rename would split
    them); a file whose owner cannot be kept. Mode, owner and group are kept; a symlink to a file
    inside ``root`` is written through. ``last_check`` runs just before the rename (it may raise).
    Other failures raise OSError, the file unchanged.
    """
    rel = inside(root, path)
    if rel is None:
        raise Refused("its real path is outside the repository; not written")
    try:
        dfd = _open_parent(os.path.realpath(root), rel)
    except OSError as exc:
        import errno

        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise Refused("a directory on its path is now a symlink; not written") from None
        raise
    name = os.path.basename(rel)
    tmp = None
    try:
        st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            raise Refused("no longer a regular file; left unchanged")
        if not st.st_mode & stat.S_IWUSR:
            raise Refused("read-only (no write permission for its owner); left unchanged")
        if st.st_nlink > 1:
            raise Refused(f"has {st.st_nlink} hard links (replacing it would split them); left unchanged")
        fd, tmp = _mkstemp(Path(rel).parent, name, dfd)
        try:
            own = os.fstat(fd)
            if (own.st_uid, own.st_gid) != (st.st_uid, st.st_gid):
                try:
                    os.fchown(fd, st.st_uid, st.st_gid)
                except PermissionError:
                    raise Refused("owned by another user or group (its owner could not be kept); left unchanged") from None
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if _changed(dfd, name, before):
            raise Refused("changed while fixing; left unchanged (run --fix again)")
        if last_check is not None:
            last_check()
        os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        tmp = None
        fsync_dir(None, dfd)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp, dir_fd=dfd)
            except FileNotFoundError:
                pass
        os.close(dfd)


def _changed(dfd: int, name: str, before: Snapshot) -> bool:
    """Whether the file differs from ``before`` (its stat signature or its bytes)."""
    import hashlib

    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_NONBLOCK", 0), dir_fd=dfd)
    except OSError:
        return True
    try:
        st = os.fstat(fd)
        if (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev) != before[:4]:
            return True
        digest = hashlib.sha256()
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            digest.update(chunk)
        return digest.digest() != before.digest
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------- leftovers of killed runs

LEFTOVER_AGE = 10 * 60  # seconds: a temp file this old is no write in progress


def _leftover_pid(name: str) -> int | None | bool:
    """For a temp file name of ours: the writer's pid (None for older names that record none); False when
    the name is not one of ours."""
    import re

    m = re.fullmatch(r"\..+\.(\d+)\.[0-9a-f]{8}" + re.escape(TMP_SUFFIX), name)
    if m:
        return int(m.group(1))
    if re.fullmatch(r"\..+\.[a-z0-9_]{8}" + re.escape(TMP_SUFFIX), name):  # tempfile.mkstemp's names
        return None
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def remove_leftovers(root: Path | str, directories: set[str], now: float | None = None) -> int:
    """Remove the temp files killed ``--fix`` runs left in ``directories`` (inside ``root``); returns how many.

    Only a regular file (never a symlink) named exactly as ours, owned by the current user, whose
    writer is gone (its recorded pid is not running) or which is older than ``LEFTOVER_AGE``."""
    import time

    now = time.time() if now is None else now
    real_root = os.path.realpath(root)
    removed = 0
    for directory in sorted(directories):
        rel = inside(root, os.path.join(directory, "x"))  # the directory itself may be the root
        if rel is None:
            continue
        try:
            dfd = _open_parent(real_root, rel)
        except OSError:
            continue
        try:
            for entry in os.scandir(dfd):
                if not entry.name.endswith(TMP_SUFFIX):
                    continue
                pid = _leftover_pid(entry.name)
                if pid is False or pid == os.getpid():
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
                    continue
                if now - st.st_mtime < LEFTOVER_AGE and (pid is None or _alive(pid)):
                    continue
                try:
                    os.unlink(entry.name, dir_fd=dfd)
                    removed += 1
                except OSError:
                    pass
        except OSError:
            pass
        finally:
            os.close(dfd)
    return removed
