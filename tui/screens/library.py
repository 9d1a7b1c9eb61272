"""Library: the indexed documents (sortable), and adding a folder with live progress and listed failures."""

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Label, ProgressBar, Static
from textual.worker import Worker, get_current_worker

from kb.core.models import SourceDocument
from tui.backend import Backend, deliver, reporting
from tui.format import countries_label, display_path, type_label, wrap
from tui.messages import DocumentsReady, IngestFinished, IngestProgress, ServiceFailed
from tui.screens.base import Command, KbScreen

COLUMNS: list[tuple[str, str, Any]] = [
    ("title", "Title", lambda d: d.title.casefold()),
    ("countries", "Countries", lambda d: ", ".join(d.countries)),
    ("year", "Year", lambda d: d.year or 0),
    ("type", "Type", lambda d: d.doc_type),
    ("lang", "Lang", lambda d: d.lang),
    ("passages", "Passages", lambda d: d.passages),
    ("file", "File", lambda d: d.path),
]

# The columns after the title take about this many cells (values, padding, 25 of the file name); the title gets the
# rest, so that every column is on screen without scrolling sideways (a report's title can run to 200 characters).
_OTHER_COLUMNS = 86
_MIN_TITLE, _COUNTRIES = 18, 18


class LibraryScreen(KbScreen):
    """Documents table on top; below it, while adding a folder, the progress and the failures."""

    PAGE = "library"
    CSS_PATH = "library.tcss"
    AUTO_FOCUS = "#documents"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_folder", "Add folder"),
        Binding("s", "sort", "Sort"),
        Binding("x", "stop", "Stop adding"),
        Binding("d", "dismiss_report", "Hide report"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.documents: list[SourceDocument] = []
        self.sort_column, self.reverse = "title", False
        self._version = -1
        self._ingesting: Worker[None] | None = None
        self._stop_ingest = threading.Event()
        self.progress_events = 0

    def compose_body(self) -> ComposeResult:
        yield Static("Loading the documents…", id="library-summary")
        documents: DataTable[object] = DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield documents
        with Vertical(id="ingest"):
            yield Label("", id="ingest-status")
            yield ProgressBar(id="ingest-progress", show_eta=False)
            yield Label("Files that could not be added", id="failures-title")
            failures: DataTable[object] = DataTable(id="failures", cursor_type="row")
            yield failures

    def on_mount(self) -> None:
        table = self.query_one("#documents", DataTable)
        for key, label, _sort in COLUMNS:
            table.add_column(label, key=key)
        self.query_one("#failures", DataTable).add_columns("File", "Reason")
        self.watch(self.app, "kb_state", self._state_changed)

    def _state_changed(self, state: str) -> None:
        if state in ("ready", "no-index") and self._version != self.kb_app.index_version:
            self.load_documents(self.kb_app.backend)

    def on_screen_resume(self) -> None:
        self._state_changed(self.kb_app.kb_state)

    def on_resize(self) -> None:
        if self.documents:
            self._fill()  # the title column takes the width there is

    # ---- documents ----
    @work(thread=True, exclusive=True, group="documents")
    def load_documents(self, backend: Backend) -> None:
        """Fetch the indexed documents."""
        with reporting(self, "listing the documents"):
            kb = backend.get()
            docs = kb.documents() if backend.has_index() else []
            deliver(self, DocumentsReady(docs, sum(d.passages for d in docs), kb.location))

    def on_documents_ready(self, message: DocumentsReady) -> None:
        self._version = self.kb_app.index_version
        self.documents = message.documents
        self.location = message.location
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#documents", DataTable)
        table.clear()
        sort_key = next(key for name, _label, key in COLUMNS if name == self.sort_column)
        title_width = max(_MIN_TITLE, self.size.width - _OTHER_COLUMNS)
        for doc in sorted(self.documents, key=sort_key, reverse=self.reverse):
            table.add_row(
                wrap(doc.title, title_width, 1),
                wrap(countries_label(doc.countries), _COUNTRIES, 1),
                str(doc.year or "n.d."),
                type_label(doc.doc_type),
                doc.lang,
                str(doc.passages),
                display_path(doc.path),
                key=doc.doc_id,
            )
        label = next(lbl for name, lbl, _key in COLUMNS if name == self.sort_column)
        passages = sum(d.passages for d in self.documents)
        summary = (
            f"{len(self.documents)} documents · {passages} passages in {display_path(self.location)}"
            f" — sorted by {label} {'↓' if self.reverse else '↑'} (s: next sort column; a: add a folder)"
            if self.documents
            else f"No documents in {display_path(self.location)} yet. Press a to add a folder of documents."
        )
        self.query_one("#library-summary", Static).update(summary)

    @on(DataTable.HeaderSelected, "#documents")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        name = str(event.column_key.value)
        self.reverse = not self.reverse if name == self.sort_column else False
        self.sort_column = name
        self._fill()

    def action_sort(self) -> None:
        """Sort by the next column (Title → Countries → Year → … → File)."""
        names = [name for name, _label, _key in COLUMNS]
        self.sort_column = names[(names.index(self.sort_column) + 1) % len(names)]
        self.reverse = self.sort_column in ("year", "passages")
        self._fill()

    # ---- adding a folder ----
    def action_add_folder(self) -> None:
        """Ask for a folder, then add its documents to the knowledge base."""
        from tui.screens.dialogs import PathDialog

        if self.ingesting:
            self.notify("A folder is being added already; x stops it.", severity="warning")
            return
        dialog = PathDialog(
            "Add a folder to the knowledge base",
            "Folder (or file) to add: PDF, DOCX, HTML, Markdown and text files are read. "
            "Right arrow completes names.",
            str(Path.cwd()) + "/",
            folders_only=True,
            ok="Add",
        )
        self.app.push_screen(dialog, self.add_folder)

    def add_folder(self, folder: str | None) -> None:
        """Start adding `folder` (shows the progress panel)."""
        if not folder:
            return
        self.add_class("-ingesting")
        self.query_one("#failures", DataTable).clear()
        self.query_one("#ingest-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#ingest-status", Label).update(f"Adding {folder}: reading the files…")
        self.progress_events = 0
        self._stop_ingest = threading.Event()
        self._ingesting = self.run_ingest(self.kb_app.backend, folder, self._stop_ingest)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="ingest")
    def run_ingest(self, backend: Backend, folder: str, stop: threading.Event) -> None:
        """Run the service's ingestion, posting its progress; stopping (x, quitting) ends it cleanly."""
        worker = get_current_worker()

        def progress(p: Any) -> None:
            if worker.is_cancelled:  # quitting cancels the worker without the stop key
                stop.set()
            self.post_message(IngestProgress(p.files_done, p.files_total, p.passages_done, p.rate, p.current))

        with reporting(self, f"adding {folder}"):
            report = backend.get().ingest([Path(folder).expanduser()], progress=progress, cancel=stop)
            self.post_message(IngestFinished(folder, report, list(report.failed)))

    def on_ingest_progress(self, message: IngestProgress) -> None:
        self.progress_events += 1
        self.query_one("#ingest-progress", ProgressBar).update(
            total=message.files_total, progress=message.files_done
        )
        self.query_one("#ingest-status", Label).update(
            f"{message.files_done} of {message.files_total} files · {message.passages_done} passages · "
            f"{message.rate:.1f} passages/s · {message.current}"
        )

    def on_ingest_finished(self, message: IngestFinished) -> None:
        report = message.report
        bar = self.query_one("#ingest-progress", ProgressBar)
        bar.update(total=max(bar.total or 0, 1), progress=max(bar.total or 0, 1))
        stopped = " (stopped: what was added is kept)" if report.interrupted else ""
        self.query_one("#ingest-status", Label).update(
            f"Added {report.added}, updated {report.updated + report.refreshed}, unchanged {report.unchanged}, "
            f"failed {len(report.failed)} · {report.passages_added} passages{stopped}."
        )
        failures = self.query_one("#failures", DataTable)
        for item in report.failed:
            failures.add_row(display_path(item["path"]), item["reason"])
        self.set_class(bool(report.failed), "-failures")
        self.call_after_refresh(self.refresh_bindings)
        self.load_documents(self.kb_app.backend)

    def on_service_failed(self, message: ServiceFailed) -> None:
        if message.doing.startswith("adding"):
            self.query_one("#ingest-status", Label).update(
                "Adding the folder did not work (see the message)."
            )
            self.query_one("#ingest-progress", ProgressBar).update(total=1, progress=0)
            self.call_after_refresh(self.refresh_bindings)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer `x` (stop adding) only while a folder is being added."""
        if action == "stop":
            return self.ingesting
        if action == "dismiss_report":  # the finished run's report, failures included, gives its rows back
            return self.has_class("-ingesting") and not self.ingesting
        return True

    def action_dismiss_report(self) -> None:
        """Hide the report of the last folder added (its failures too): the table gets the whole screen."""
        self.remove_class("-ingesting", "-failures")
        self.refresh_bindings()

    @property
    def ingesting(self) -> bool:
        """Whether a folder is being added."""
        return self._ingesting is not None and not self._ingesting.is_finished

    def action_stop(self) -> None:
        """Stop adding the folder (after the current file; what was added is kept)."""
        if self._ingesting is not None and self.ingesting:
            self._stop_ingest.set()
            self._ingesting.cancel()
            self.query_one("#ingest-status", Label).update("Stopping after the current file…")

    def commands(self) -> Iterator[Command]:
        yield "Library: add a folder", "Index the documents in a folder", self.action_add_folder
        yield "Library: sort", "Sort the documents by the next column", self.action_sort
