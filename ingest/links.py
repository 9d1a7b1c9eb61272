"""Links that lead out of an ingested folder: a symbolic link to a file or folder elsewhere, or a file with hard
links the scan did not find. By default they are skipped and reported (`KB_OUTSIDE_LINKS=skip`): a link planted in
a shared folder would otherwise index, and quote, a file its owner never put there. `follow` indexes them."""

import os
from collections import Counter
from pathlib import Path
from typing import Literal

OutsideLinks = Literal["skip", "follow"]
HINT = "set KB_OUTSIDE_LINKS=follow to index it"


def folder_refusal(folder: Path, root: Path, policy: OutsideLinks) -> str | None:
    """Why a folder met during the walk is not entered, or None (a symlinked folder leading outside `root`)."""
    if policy == "follow" or not folder.is_symlink():
        return None
    target = folder.resolve()
    if target.is_relative_to(root):
        return None
    return f"symbolic link to {target}, outside the ingested folder; its files were skipped ({HINT})"


class FileLinks:
    """Decides, for the files of one scan, which lead outside their ingested folder."""

    def __init__(self, files: list[Path], policy: OutsideLinks) -> None:
        self.policy = policy
        self._files = files
        self._inodes: Counter[tuple[int, int]] | None = None

    def refusal(self, path: Path, root: Path, st: os.stat_result, explicit: bool) -> str | None:
        """Why `path` (whose stat is `st`) is skipped, or None. A file named on the command line is always taken."""
        if self.policy == "follow" or explicit:
            return None
        target = path.resolve()
        if not target.is_relative_to(root):
            return f"symbolic link to {target}, outside the ingested folder ({HINT})"
        if st.st_nlink > 1 and st.st_nlink > self._found((st.st_dev, st.st_ino)):
            return (f"has {st.st_nlink} hard links and not all are in the ingested folder: it may be a file from "
                    f"elsewhere ({HINT})")
        return None

    def _found(self, inode: tuple[int, int]) -> int:
        """How many distinct names of the scan (links resolved) are this inode."""
        if self._inodes is None:
            self._inodes = Counter()
            for name in {f.resolve() for f in self._files}:
                try:
                    st = name.stat()
                except OSError:
                    continue
                self._inodes[(st.st_dev, st.st_ino)] += 1
        return self._inodes[inode]
