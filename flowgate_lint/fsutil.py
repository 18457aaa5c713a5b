"""File I/O at the edges: atomic writes that keep the file mode."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def atomic_write(path: Path | str, data: bytes, mode: int | None = None, new_file_mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same directory, fsync, rename.

    The existing file's permission bits are kept (``mode`` overrides them); a new
    file gets ``new_file_mode``. A reader sees the old content or the new one,
    never a mix, even if the process is killed mid-write. Symlinks are written
    through (the link target is replaced, the link kept).
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
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
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
    _fsync_dir(directory)


def _mkstemp(directory: Path, name: str) -> tuple[int, str]:
    import tempfile  # only writers pay for it

    return tempfile.mkstemp(prefix=f".{name}.", suffix=".flowgate-tmp", dir=directory)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
