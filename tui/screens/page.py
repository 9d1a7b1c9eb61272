"""The page view: the whole text of the cited page as the index holds it, the quote highlighted; for users on a
remote terminal, where no viewer can open the file."""

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.backend import Backend, deliver, reporting
from tui.evidence import Evidence
from tui.format import highlighted
from tui.messages import PageReady


class PageScreen(Screen[None]):
    """One page of a document; ←/→ turn the page, o opens the file in a viewer, escape returns."""

    CSS_PATH = "page.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("left", "turn(-1)", "Previous page"),
        Binding("right", "turn(1)", "Next page"),
        Binding("o", "open_file", "Open file"),
    ]

    def __init__(self, evidence: Evidence) -> None:
        super().__init__()
        self.evidence = evidence
        self.page: int | None = evidence.page
        self.pages = 0  # the document's page count, once known

    @property
    def backend(self) -> Backend:
        """The app's knowledge base."""
        return self.app.backend  # type: ignore[attr-defined,no-any-return]

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(self.evidence.title or "Untitled", "bold"), id="page-title")
        yield Static("Loading the page…", id="page-where")
        with VerticalScroll(id="page-box", can_focus=True):
            yield Static("", id="page-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#page-box").focus()
        self.load_page(self.backend, self.evidence.passage_id, self.page)

    @work(thread=True, exclusive=True, group="page")
    def load_page(self, backend: Backend, passage_id: str, page: int | None) -> None:
        """Fetch the page's text."""
        with reporting(self, "showing the page"):
            deliver(self, PageReady(backend.get().page_view(passage_id, page)))

    def on_page_ready(self, message: PageReady) -> None:
        view = message.view
        self.page, self.pages = view.page, view.document.pages if view.document else 0
        self.query_one("#page-where", Static).update(where(self.evidence, view.page, self.pages))
        quote = self.evidence.quote if view.page == self.evidence.page else ""
        body = highlighted(view.text, quote) if view.text else Content.styled("Nothing indexed on this page.", "dim")
        self.query_one("#page-text", Static).update(body)
        self.query_one("#page-box", VerticalScroll).scroll_home(animate=False)

    def action_turn(self, step: int) -> None:
        """Show the page before (-1) or after (+1) this one."""
        if self.page is None:
            self.notify("This document has no pages: the view shows the quote's section.")
            return
        target = self.page + step
        if target < 1 or (self.pages and target > self.pages):
            self.notify(f"This is the {'first' if step < 0 else 'last'} page of the document.")
            return
        self.load_page(self.backend, self.evidence.passage_id, target)

    def action_open_file(self) -> None:
        """Open the document in the system viewer at this page."""
        self.app.act_on("view", self.evidence, page=self.page)  # type: ignore[attr-defined]

    def commands(self) -> Any:
        yield "Page: previous", "The page before this one", lambda: self.action_turn(-1)
        yield "Page: next", "The page after this one", lambda: self.action_turn(1)
        yield "Page: open file", "Open the document in the system viewer at this page", self.action_open_file


def where(evidence: Evidence, page: int | None, pages: int) -> Content:
    """`Page 3 of 12 · the quote is highlighted` (or the section, for documents without pages)."""
    if page is None:
        head = f"Section “{evidence.heading}”" if evidence.heading else "The quote's passages"
    else:
        head = f"Page {page}" + (f" of {pages}" if pages else "")
    tail = " · the quote is highlighted" if page == evidence.page and evidence.quote else ""
    return Content.assemble((head, "bold"), tail, ("  ←/→ turn the page · o opens the file", "dim"))
