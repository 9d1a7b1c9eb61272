"""The one error hierarchy: every user-facing failure is a KbError with a message that says what to do."""


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


class MigrationError(KbError):
    """A migration finished with the destination missing part of the source; rerunning resumes it."""


def kb_cause(exc: BaseException) -> KbError | None:
    """The KbError behind `exc`, if any: Haystack wraps what a pipeline component raises."""
    cause: BaseException | None = exc
    seen: set[int] = set()
    while cause is not None and not isinstance(cause, KbError):
        if id(cause) in seen:  # some libraries chain an exception back to itself (pymilvus over gRPC)
            return None
        seen.add(id(cause))
        cause = cause.__cause__
    return cause
