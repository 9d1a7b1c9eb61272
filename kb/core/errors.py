"""The one error hierarchy: every user-facing failure is a KbError with a message that says what to do."""

from collections.abc import Iterator


class KbError(Exception):
    """Base of every error kb reports to a user; `exit_code` is what the CLI exits with."""

    exit_code = 1


class UsageError(KbError, ValueError):
    """A wrong argument or option: the message says how to fix it."""

    exit_code = 2


class FilterValueError(UsageError):
    """A facet filter value that the knowledge base does not know (unknown country, type...)."""


class IndexNotFoundError(KbError):
    """No index exists at the given location."""


class IndexIncompatibleError(KbError):
    """The index was built with another format, embedding model, or dimension."""


class IndexCorruptError(KbError):
    """An index file is damaged and cannot be read or repaired."""


class IndexLockedError(KbError):
    """Another process is writing to the index."""


class IndexWriteError(KbError):
    """The index could not be written (disk full, read-only directory); the previous index is intact."""


class ModelLoadError(KbError):
    """The embedding model could not be loaded from its local path."""


class DocumentReadError(KbError):
    """One input file could not be read; ingestion skips it and reports `reason`."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ContentChangedError(DocumentReadError):
    """A file's bytes, read for conversion, are not those it was hashed with: it changed during the run."""

    def __init__(self, path: str) -> None:
        super().__init__(path, "file changed during the run; it will be indexed by the next run")


class OcrUnavailableError(KbError):
    """The OCR engine asked for (`KB_OCR`) is not installed or cannot run."""


class MigrationError(KbError):
    """A migration finished with the destination missing part of the source; rerunning resumes it."""


class StoreUnavailableError(KbError):
    """The store's server failed or stopped answering during an operation; a commit it interrupted is completed
    by the next writer, so nothing is left half-written."""


def kb_cause(exc: BaseException) -> KbError | None:
    """The KbError behind `exc`, if any: Haystack wraps what a pipeline component raises."""
    return next((e for e in _causes(exc) if isinstance(e, KbError)), None)


def as_kb_error(exc: BaseException) -> KbError | None:
    """`exc` as the error kb reports: its KbError cause, or a store library's own failure (pymilvus raises
    its exceptions mid-operation when a server goes away or refuses; recognised without importing pymilvus,
    which may not be installed)."""
    found = kb_cause(exc)
    if found is not None:
        return found
    for cause in _causes(exc):
        if type(cause).__module__.startswith("pymilvus."):
            message = getattr(cause, "message", None) or str(cause)
            return StoreUnavailableError(f"the Milvus server failed during the operation ({message}); "
                                         "check that it is running and try again")
    return None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and its chain of causes, each once (some libraries chain an exception to itself: pymilvus)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__
