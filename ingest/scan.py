"""Find the files to ingest under the given paths: supported types, `.kbignore` honoured, no loops."""

import fnmatch
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

from ingest.formats import SUFFIXES
from ingest.links import OutsideLinks, folder_refusal
from kb.core.errors import ContentChangedError, DocumentReadError, UsageError

IGNORE_FILE = ".kbignore"
CATALOG_NAMES = {"catalog.csv", "catalog.yaml", "catalog.yml"}
# A folder's own paperwork, skipped when a folder is walked (a file named on the command line is indexed):
# a collection's README describes its files, it is not a country study.
DEFAULT_IGNORED = ("readme*", "license*", "licence*", "copying*", "changelog*", "changes*", "contributing*",
                   "code_of_conduct*", "authors*", "notice*", "security*", "manifest*")


@dataclass(frozen=True)
class FoundFile:
    """A candidate file: its absolute path and the root it was found under."""

    path: Path
    root: Path
    explicit: bool = False  # named on the command line (not found in a folder)


def check_paths(paths: list[Path]) -> None:
    """Raise `UsageError` for a given path that does not exist or cannot be read."""
    if not paths:
        raise UsageError("name at least one file or folder to ingest")
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            raise UsageError(f"{given}: no such file or folder")
        if not os.access(path, os.R_OK):
            raise UsageError(f"{given}: permission denied")


def scan(
    paths: list[Path],
    on_error: Callable[[str, str], None] | None = None,
    outside_links: OutsideLinks = "skip",
    skipped: list[Path] | None = None,
) -> Iterator[FoundFile]:
    """Yield supported files under `paths` (files or folders), each once, in a stable order.

    A folder that cannot be listed (or, by `outside_links`, a symlinked folder leading outside) is passed to
    `on_error(path, reason)`, appended to `skipped` and not walked: its files are unknown, not gone.
    """
    skipped = skipped if skipped is not None else []
    check_paths(paths)
    seen: set[Path] = set()
    for given in paths:
        path = Path(given).expanduser()
        root = path.resolve() if path.is_dir() else path.resolve().parent
        report = _recording(on_error or (lambda _path, _reason: None), skipped)
        explicit = path.is_file()
        files = [path.resolve()] if explicit else _walk(path.resolve(), report, outside_links)
        for file in files:
            if file not in seen:
                seen.add(file)
                yield FoundFile(file, root, explicit)


def _recording(on_error: Callable[[str, str], None], skipped: list[Path]) -> Callable[[str, str], None]:
    """`on_error` that also records the folder it was called for (an ignore file stands for its folder)."""

    def report(path: str, reason: str) -> None:
        folder = Path(path)
        skipped.append(folder.parent if folder.name == IGNORE_FILE else folder)
        on_error(path, reason)

    return report


def _walk(root: Path, on_error: Callable[[str, str], None], outside_links: OutsideLinks) -> Iterator[Path]:
    visited: set[tuple[int, int]] = set()
    ignores: dict[Path, GitIgnoreSpec] = {}

    def unreadable(error: OSError) -> None:
        reason = f"cannot read folder: {error.strerror or error}; its files were skipped"
        on_error(str(error.filename), reason)

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=unreadable):
        here = Path(dirpath)
        try:
            st = here.stat()
        except OSError:
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in visited:  # a symlink loop or a second link to a seen folder
            dirnames[:] = []
            continue
        visited.add((st.st_dev, st.st_ino))
        if (here / IGNORE_FILE).is_file():
            try:
                ignores[here] = _read_ignore(here / IGNORE_FILE)
            except OSError as exc:  # indexing what the user meant to exclude would be worse than skipping
                on_error(str(here / IGNORE_FILE), f"cannot read it ({exc.strerror}); the folder was skipped")
                dirnames[:] = []
                continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not _ignored(here / d, ignores, True))
        for name in list(dirnames):
            refusal = folder_refusal(here / name, root, outside_links)
            if refusal:
                on_error(str(here / name), refusal)
                dirnames.remove(name)
        for name in sorted(filenames):
            file = here / name
            wanted = Path(name).suffix.lower() in SUFFIXES and not name.startswith(".") and not _paperwork(name)
            if wanted and not _ignored(file, ignores, False):
                yield file


def _paperwork(name: str) -> bool:
    """Whether a file name is a folder's README, licence or changelog (`DEFAULT_IGNORED`)."""
    lowered = name.lower()
    return any(fnmatch.fnmatch(lowered, pattern) for pattern in DEFAULT_IGNORED)


def _read_ignore(path: Path) -> GitIgnoreSpec:
    """A `.kbignore` file: gitignore patterns (`**`, `!`, trailing `/` for folders, `#` comments)."""
    return GitIgnoreSpec.from_lines(path.read_text(encoding="utf-8", errors="replace").splitlines())


def _ignored(path: Path, ignores: dict[Path, GitIgnoreSpec], is_dir: bool) -> bool:
    """Whether a `.kbignore` of a folder above `path` matches it (relative to that folder, as git does)."""
    for base, spec in ignores.items():
        try:
            rel = path.relative_to(base).as_posix()
        except ValueError:
            continue
        if spec.match_file(f"{rel}/" if is_dir else rel):
            return True
    return False


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks (memory stays bounded)."""
    with _reading(path), open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def read_verified(path: Path, sha256: str) -> bytes:
    """The bytes of `path`, read once, if they still hash to `sha256`; else ContentChangedError. What is converted
    is then exactly what the document id (the hash) names, even when the file is edited during the run."""
    with _reading(path):
        data = Path(path).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ContentChangedError(str(path))
    return data


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn the OS errors of reading `path` into DocumentReadError with a reason."""
    try:
        yield
    except FileNotFoundError:
        raise DocumentReadError(str(path), "file disappeared during the run") from None
    except PermissionError:
        raise DocumentReadError(str(path), "permission denied") from None
    except IsADirectoryError:
        raise DocumentReadError(str(path), "is a directory") from None
    except OSError as exc:
        raise DocumentReadError(str(path), f"cannot read file: {exc.strerror or exc}") from None
