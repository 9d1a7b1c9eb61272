"""Open a source in the system's viewer, at the cited page where the viewer takes one.

`KB_VIEWER` names the command (`{path}` and `{page}` are filled in, e.g. `evince -i {page} {path}`); otherwise
a PDF viewer that takes a page on its command line is used when installed, else the desktop's `xdg-open`
(macOS: `open`), which opens the file at its first page. A file no longer on disk opens at its URL when the
document has one. On a remote terminal there is no viewer: the caller says so and offers the page view.
"""

import shlex
import shutil
import subprocess
from pathlib import Path

from kb.core.config import Settings
from kb.core.errors import UsageError

# PDF viewers and how each is told the page to show.
PAGE_VIEWERS = (("evince", "-i {page} {path}"), ("okular", "-p {page} {path}"), ("zathura", "-P {page} {path}"),
                ("qpdfview", "{path}#{page}"), ("mupdf", "{path} {page}"))
DESKTOP_OPENERS = ("xdg-open", "open")


class NoViewer(UsageError):
    """Nothing here can show the file (a remote terminal, a file moved away)."""


def command(path: str, page: int | None = None, url: str = "") -> list[str]:
    """The command that opens `path` (at `page`), or its `url` when the file is gone; raises NoViewer."""
    template = Settings().viewer.strip()
    exists = bool(path) and Path(path).is_file()
    target = path if exists else url
    if not target:
        raise NoViewer(f"{path or 'the document'} is no longer on this machine and has no URL")
    if template:
        words = shlex.split(template)
        return _filled(words if any("{path}" in w for w in words) else [*words, "{path}"], target, page)
    if exists and page and path.lower().endswith(".pdf"):
        for name, flags in PAGE_VIEWERS:
            if shutil.which(name):
                return [name, *_filled(flags.split(), path, page)]
    for opener in DESKTOP_OPENERS:
        if shutil.which(opener):
            return [opener, target]
    raise NoViewer("no viewer is installed here (a remote terminal?); set KB_VIEWER to one")


def _filled(words: list[str], path: str, page: int | None) -> list[str]:
    return [word.replace("{path}", path).replace("{page}", str(page or 1)) for word in words]


def open_source(path: str, page: int | None = None, url: str = "") -> list[str]:
    """Start the viewer (detached: closing the TUI leaves it open); returns the command it ran."""
    args = command(path, page, url)
    try:
        subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as exc:
        raise NoViewer(f"cannot start {args[0]}: {exc.strerror or exc}") from exc
    return args
