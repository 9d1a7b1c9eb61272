"""The knowledge base behind the UI: opened and warmed up in a background thread, awaited by the workers.

`kb.service` imports Haystack and the model takes seconds to load, so both happen in a daemon thread (not a
Textual worker: quitting must not wait for a half-finished import). Workers wait for it in `get()`, which a
cancelled worker leaves at once.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.worker import NoActiveWorker, get_current_worker

from kb.core.errors import IndexNotFoundError, KbError
from tui.messages import BackendOpened, ModelReady, ServiceFailed

if TYPE_CHECKING:
    from kb.service import KnowledgeBase

OPENING = "opening the knowledge base"
POLL = 0.1  # seconds between checks for cancellation while waiting


class Cancelled(Exception):
    """A worker waiting for the knowledge base was cancelled (replaced by a newer request, or quitting)."""


class Backend:
    """Owns the one `KnowledgeBase`: `start()` opens it and loads the model; `get()` waits for both."""

    def __init__(
        self,
        index: Path | str | None = None,
        store: str | None = None,
        *,
        factory: Callable[..., Any] | None = None,
    ) -> None:
        self.index = index
        self.store_uri = store
        self.factory = (
            factory  # builds the knowledge base; default `kb.service.KnowledgeBase` (tests pass a fake)
        )
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._kb: KnowledgeBase | None = None
        self._error: Exception | None = None

    def start(self, target: Any) -> None:
        """Open the knowledge base and load the model in the background, posting progress to `target`."""
        self._thread = threading.Thread(target=self._load, args=(target,), name="kb-loader", daemon=True)
        self._thread.start()

    @property
    def loading(self) -> bool:
        """Whether the background thread is still importing or loading."""
        return self._thread is not None and self._thread.is_alive()

    def _load(self, target: Any) -> None:
        try:
            factory = self.factory
            if factory is None:
                from kb.service import KnowledgeBase as factory

            self._kb = kb = factory(index=self.index, store=self.store_uri)
            target.post_message(BackendOpened(self._has_index(kb), kb.location))
            kb.warm_up()
            target.post_message(ModelReady())
        except Exception as exc:  # noqa: BLE001 — shown in a dialog; get() re-raises it to the workers
            self._error = exc
            target.post_message(ServiceFailed(exc, OPENING))
        finally:
            self._ready.set()

    def get(self) -> "KnowledgeBase":
        """The knowledge base, once its model is loaded; re-raises what made loading fail."""
        while not self._ready.wait(POLL):
            if cancelled():
                raise Cancelled
        if self._kb is None or self._error is not None:
            raise self._error or KbError("the knowledge base could not be opened")
        return self._kb

    def has_index(self) -> bool:
        """Whether an index exists at the knowledge base's location (waits for `get()`)."""
        return self._has_index(self.get())

    @staticmethod
    def _has_index(kb: "KnowledgeBase") -> bool:
        try:
            kb.store()
        except IndexNotFoundError:
            return False
        return True

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._kb is not None:
            self._kb.close()


@contextmanager
def reporting(target: Any, doing: str) -> Iterator[None]:
    """Turn an error raised in a worker into a `ServiceFailed` message to `target` (shown in a dialog)."""
    try:
        yield
    except Cancelled:
        pass
    except Exception as exc:  # noqa: BLE001 — every failure reaches the user as a dialog, never a traceback
        if not cancelled():
            target.post_message(ServiceFailed(exc, doing))


def cancelled() -> bool:
    """Whether the current thread worker was cancelled (a newer request replaced it, or the app quits)."""
    try:
        return get_current_worker().is_cancelled
    except NoActiveWorker:
        return False


def deliver(target: Any, message: Message) -> None:
    """Post a worker's result unless the worker was cancelled meanwhile."""
    if not cancelled():
        target.post_message(message)
