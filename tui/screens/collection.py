"""Collection: the passages marked while researching; reorder, remove, annotate, open, and export a brief (Markdown
or Word)."""

from collections.abc import Iterator
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static

from kb.core.errors import KbError
from tui.collection import DEFAULT_NAME, WORD_NAME, occupied
from tui.messages import ServiceFailed
from tui.screens.base import Command, KbScreen
from tui.widgets.evidence_list import EvidenceList

EMPTY = (
    "Nothing collected yet. While reading answers, comparisons or sources, press m on a passage to "
    "collect it; then come back here (F4) to review it and export a brief with e."
)


class CollectionScreen(KbScreen):
    """The collected evidence as cards; e exports (w as Word), n notes, d removes, ctrl+↑/↓ reorder, enter opens."""

    PAGE = "collection"
    CSS_PATH = "collection.tcss"
    AUTO_FOCUS = "#collected"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "export", "Export brief"),
        Binding("w", "export('docx')", "Word brief"),
        Binding("n", "note", "Note"),
        Binding("d,delete", "remove", "Remove"),
        Binding("ctrl+up", "move(-1)", "Move up", show=False),
        Binding("ctrl+down", "move(1)", "Move down", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield Static("", id="collection-summary")
        yield EvidenceList(id="collected")
        yield Static("", id="export-result")

    def on_mount(self) -> None:
        self.watch(self.app, "collected", self._refresh)

    def _refresh(self, _count: int = 0) -> None:
        items = self.kb_app.collection.items
        listing = self.query_one("#collected", EvidenceList)
        listing.show(items, items, numbered=True)
        summary = (
            f"{len(items)} passage{'s' if len(items) != 1 else ''} collected — e exports them as a "
            "Markdown brief with quotes and references, w as a Word document; n adds a note to a quote."
            if items
            else EMPTY
        )
        self.query_one("#collection-summary", Static).update(summary)

    def on_evidence_list_action(self, message: EvidenceList.Action) -> None:
        self.kb_app.act_on(message.verb, message.evidence)

    def action_remove(self) -> None:
        """Remove the highlighted passage from the collection."""
        listing = self.query_one("#collected", EvidenceList)
        if listing.current is not None:
            self.kb_app.act_on("mark", listing.current)

    def action_move(self, step: int) -> None:
        """Move the highlighted passage up or down (the brief keeps this order)."""
        listing = self.query_one("#collected", EvidenceList)
        if listing.highlighted is None or not self.kb_app.collection.items:
            return
        target = self.kb_app.collection.move(listing.highlighted, step)
        self.kb_app.save_state()
        self._refresh()
        listing.highlighted = target

    def action_note(self) -> None:
        """Ask for a note on the highlighted quote (it is printed under the quote in the brief)."""
        from tui.screens.dialogs import PathDialog

        listing = self.query_one("#collected", EvidenceList)
        index = listing.highlighted
        if index is None or index >= len(self.kb_app.collection.items):
            self.notify("Highlight a collected passage first.", severity="warning")
            return
        current = self.kb_app.collection.items[index].note
        dialog = PathDialog("Note on this quote", "Printed under the quote in the brief (empty: no note).",
                            current, ok="Save", paths=False)
        self.app.push_screen(dialog, lambda note: self._annotate(index, note))

    def _annotate(self, index: int, note: str | None) -> None:
        if note is None or index >= len(self.kb_app.collection.items):
            return
        self.kb_app.collection.annotate(index, note)
        self.kb_app.save_state()
        self._refresh()
        self.query_one("#collected", EvidenceList).highlighted = index

    def action_export(self, kind: str = "md") -> None:
        """Ask where to write the brief (default: kb-brief.md, or kb-brief.docx for Word, in the export folder),
        then write it."""
        from tui.screens.dialogs import PathDialog

        if not self.kb_app.collection.items:
            self.notify(
                "The collection is empty: press m on a passage to collect it first.", severity="warning"
            )
            return
        word = kind == "docx"
        dialog = PathDialog(
            f"Export the collection as a {'Word' if word else 'Markdown'} brief",
            "Where should the brief be written? (a name ending in .docx writes a Word document, any other a "
            "Markdown file)",
            WORD_NAME if word else DEFAULT_NAME,
            ok="Export",
        )
        self.app.push_screen(dialog, self.export_to)

    def export_to(self, path: str | None) -> None:
        """Write the brief to `path` (asking before replacing a file) and show where it went."""
        from tui.screens.dialogs import ConfirmDialog

        if not path:
            return
        target = self.kb_app.collection.target(path)
        if occupied(target):
            what = "is a symbolic link" if target.is_symlink() else "already exists"
            question = f"{target} {what}. Replace it with this brief?"
            self.app.push_screen(
                ConfirmDialog("Replace the file?", question, yes="Replace"),
                lambda yes: self._write(path, overwrite=True) if yes else None,
            )
            return
        self._write(path, overwrite=False)

    def _write(self, path: str, *, overwrite: bool) -> None:
        try:
            written = self.kb_app.collection.export(path, overwrite=overwrite)
        except KbError as exc:
            self.post_message(ServiceFailed(exc, "exporting the brief"))
            return
        self.kb_app.save_state()
        self.query_one("#export-result", Static).update(
            Content.assemble(("Brief written to ", "bold"), str(written))
        )
        self.notify(str(written), title="Brief written")

    def commands(self) -> Iterator[Command]:
        yield (
            "Collection: export brief",
            "Write the collected passages as a Markdown brief",
            self.action_export,
        )
        yield (
            "Collection: export Word brief",
            "Write the collected passages as a Word document (.docx)",
            lambda: self.action_export("docx"),
        )
