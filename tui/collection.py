"""The passages a user collects while researching, and their export as a brief (Markdown or Word)."""

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

from kb.core.errors import UsageError
from kb.core.locations import default_export_dir
from tui import brief
from tui.evidence import Evidence

DEFAULT_NAME = "kb-brief.md"
WORD_NAME = "kb-brief.docx"


class Collection:
    """An ordered set of evidence; marking the same passage and quote twice removes it."""

    def __init__(self, items: list[Evidence] | None = None, exported: bool = True) -> None:
        self.items: list[Evidence] = list(items or [])
        self.exported = exported  # the items as they are were written to a brief (quitting need not ask)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, item: Evidence) -> bool:
        return item in self.items

    def toggle(self, item: Evidence) -> bool:
        """Add `item`, or remove it if it is already collected; returns whether it is now collected."""
        self.exported = False
        if item in self.items:
            self.items.remove(item)
            return False
        self.items.append(item)
        return True

    def remove(self, index: int) -> None:
        """Forget the item at `index`."""
        del self.items[index]
        self.exported = False

    def annotate(self, index: int, note: str) -> None:
        """Set the note of the item at `index` (printed under its quote in a brief; empty removes it)."""
        self.items[index] = replace(self.items[index], note=" ".join(note.split()))
        self.exported = False

    def move(self, index: int, step: int) -> int:
        """Move the item at `index` up (-1) or down (+1); returns its new index."""
        target = min(max(index + step, 0), len(self.items) - 1)
        self.items.insert(target, self.items.pop(index))
        self.exported = False
        return target

    def to_markdown(self, today: date | None = None) -> str:
        """The brief as Markdown (see `tui.brief`)."""
        return brief.to_markdown(self.items, today)

    def to_docx(self, today: date | None = None) -> bytes:
        """The brief as a Word document."""
        return brief.to_docx(self.items, today)

    @staticmethod
    def target(path: str | Path | None = None) -> Path:
        """The absolute file a brief for `path` goes to (a folder gets `kb-brief.md`)."""
        target = Path(path).expanduser() if path else default_export_dir() / DEFAULT_NAME
        if target.is_dir():
            target = target / DEFAULT_NAME
        if not target.is_absolute():
            target = default_export_dir() / target
        return target

    def export(self, path: str | Path | None = None, *, overwrite: bool = False) -> Path:
        """Write the brief to `path` (a Word document when it ends in .docx, else Markdown); an existing file is
        replaced only with `overwrite`. Returns the path."""
        if not self.items:
            raise UsageError("the collection is empty; mark passages with m before exporting")
        target = self.target(path)
        if occupied(target) and not overwrite:
            what = f"is a symbolic link (to {os.readlink(target)})" if target.is_symlink() else "already exists"
            raise UsageError(f"{target} {what}; choose another name or confirm replacing it")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            data = self.to_docx() if is_word(target) else self.to_markdown().encode("utf-8")
            _replace(target, data)
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror or exc}; choose another path") from exc
        self.exported = True
        return target


def is_word(target: Path) -> bool:
    """Whether a brief written to `target` is a Word document."""
    return target.suffix.lower() == ".docx"


def occupied(target: Path) -> bool:
    """Whether something is at `target`: a file, or a symbolic link even when it points nowhere (a dangling
    link is not `exists()`, and writing to it would create the file it points to, elsewhere)."""
    return os.path.lexists(target)


def _replace(target: Path, data: bytes) -> None:
    """Write `data` to a new file beside `target` and rename it over `target`: a symbolic link there is replaced
    itself, never written through."""
    tmp = target.with_name(f".{target.name}.kb-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
