"""Crash-safe file writes (the index's manifest and vectors, the TUI's saved state): write to a temporary name,
fsync, rename into place."""

import errno
import os
from pathlib import Path

from kb.core.errors import IndexWriteError


def fsync_dir(directory: Path) -> None:
    """Make a rename inside `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, what: str = "index") -> None:
    """Replace `path` with `data` so that readers see the old or the new file, never a mix (a kill mid-write
    leaves the old one whole). `what` the file belongs to is named in the error (`IndexWriteError`)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise IndexWriteError(_explain(path, exc, what)) from exc


def _explain(path: Path, exc: OSError, what: str) -> str:
    if exc.errno == errno.ENOSPC:
        return f"disk full while writing {path}; the previous {what} is intact. Free some space and retry."
    if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
        return f"cannot write {path} ({exc.strerror}); the {what} directory is read-only. The previous {what} is intact."
    return f"cannot write {path}: {exc.strerror or exc}. The previous {what} is intact."
