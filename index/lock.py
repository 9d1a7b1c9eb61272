"""One writer at a time: an advisory lock file in the index directory."""

import errno
import fcntl
import os
import stat
import time
from pathlib import Path

from kb.core.errors import IndexLockedError, IndexWriteError

LOCK_NAME = "write.lock"


class WriterLock:
    """An exclusive `flock` on `DIR/write.lock`; readers never take it."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this process holds the lock."""
        return self._fd is not None

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock, waiting up to `wait` seconds; raise `IndexLockedError` if another writer keeps it."""
        if self._fd is not None:
            return
        fd = self._open()
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise IndexLockedError(
                        f"another kb process{holder} is writing to {self.path.parent}; "
                        "wait for it to finish (or use --wait SECONDS) and retry"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def _open(self) -> int:
        """The lock file's descriptor, never through a symbolic link: a planted link would make kb truncate and
        write into the file it points to."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise IndexWriteError(
                    f"{self.path} is a symbolic link; kb will not write through it. Remove it and retry "
                    "(nothing was changed)."
                ) from None
            raise IndexWriteError(
                f"cannot write to the index in {self.path.parent} ({exc.strerror}): it is read-only here. "
                "Searching it still works; nothing was changed."
            ) from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:  # a hard link would also be written through
            os.close(fd)
            raise IndexWriteError(
                f"{self.path} is not a plain file of this index (a device, or a hard link to another file); "
                "remove it and retry (nothing was changed)."
            )
        return fd

    def release(self) -> None:
        """Give the lock back."""
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


def _read_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
