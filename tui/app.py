"""The kb terminal UI: the App (screens as modes, global keys, palette, shared state); `run()` is `kb tui`.

Start-up stays under a second because nothing here imports `kb.service` (Haystack) or loads the model: a
thread worker does both after the first frame, while the question box already accepts typing.
"""

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen

from kb.core.errors import KbError
from kb.core.filters import SearchFilters
from tui.backend import OPENING, Backend
from tui.collection import Collection
from tui.errors import explain
from tui.evidence import Evidence
from tui.messages import BackendOpened, IngestFinished, ModelReady, ServiceFailed

START_DELAY = 0.1  # seconds between the first frame and the start of the background import


def _ask() -> Screen[None]:
    from tui.screens.ask import AskScreen

    return AskScreen()


def _compare() -> Screen[None]:
    from tui.screens.compare import CompareScreen

    return CompareScreen()


def _collection() -> Screen[None]:
    from tui.screens.collection import CollectionScreen

    return CollectionScreen()


def _library() -> Screen[None]:
    from tui.screens.library import LibraryScreen

    return LibraryScreen()


def _overview() -> Screen[None]:
    from tui.screens.overview import OverviewScreen

    return OverviewScreen()


PAGES = {
    "ask": "Ask a question",
    "compare": "Compare countries, regions or years",
    "collection": "Review and export the collected passages",
    "library": "Indexed documents; add a folder",
    "overview": "What the knowledge base covers",
}


class KbApp(App[int]):
    """Ask, read the evidence, filter, compare, collect and export; one mode (screen stack) per page."""

    TITLE = "kb"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "ask": _ask,
        "compare": _compare,
        "collection": _collection,
        "library": _library,
        "overview": _overview,
    }
    DEFAULT_MODE = "ask"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("f2", "page('ask')", "Ask", show=False),
        Binding("f3", "page('compare')", "Compare", show=False),
        Binding("f4", "page('collection')", "Collection", show=False),
        Binding("f5", "page('library')", "Library", show=False),
        Binding("f6", "page('overview')", "Overview", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    kb_state: reactive[str] = reactive("loading")  # loading | no-index | ready | failed
    model_ready: reactive[bool] = reactive(False)
    index_version: reactive[int] = reactive(0)
    collected: reactive[int] = reactive(0)

    def __init__(
        self, index: Path | str | None = None, store: str | None = None, *, backend: Backend | None = None
    ) -> None:
        super().__init__()
        self.backend = backend or Backend(index, store)
        self.location = str(index or "the default location")
        self.history: list[str] = []
        self.collection = Collection()
        self.filters = SearchFilters()
        self._state_location: str | None = None  # known once the knowledge base is opened

    def on_mount(self) -> None:
        # Let the first frame reach the terminal before the slow import competes for the GIL.
        self.call_after_refresh(self.set_timer, START_DELAY, lambda: self.backend.start(self))

    def on_backend_opened(self, message: BackendOpened) -> None:
        self.location = message.location
        self.kb_state = "ready" if message.has_index else "no-index"
        self._restore(message.location)

    # ---- what lasts between sessions (tui/state.py) ----
    def _restore(self, location: str) -> None:
        """Bring back this knowledge base's history and collection (before anything asked in this session)."""
        from tui import state

        saved = state.load(location)
        self._state_location = location
        self.history[:0] = [q for q in saved.history if q not in self.history]
        fresh = [e for e in self.collection.items if e not in saved.collection]
        self.collection.items[:] = saved.collection + fresh
        self.collection.exported = saved.exported and not fresh
        self.collected = len(self.collection)

    def save_state(self) -> None:
        """Save the history and the collection (atomically); a failure is shown once, never fatal."""
        from tui import state

        if self._state_location is None:
            return
        try:
            state.save(self._state_location, state.SavedState(list(self.history), list(self.collection.items),
                                                              self.collection.exported))
        except KbError as exc:
            self.notify(f"Cannot save the collection: {exc}", severity="warning")

    async def action_quit(self) -> None:
        """Quit; with collected passages not exported, ask first (they are kept for next time either way)."""
        from tui.screens.dialogs import ConfirmDialog

        self.save_state()
        if not self.collection.items or self.collection.exported:
            self.exit()
            return
        question = (f"{len(self.collection)} collected passage(s) are not exported. They are kept for the next "
                    "session; F4 exports them as a brief. Quit now?")
        self.push_screen(ConfirmDialog("Quit kb?", question, yes="Quit"), lambda yes: self.exit() if yes else None)

    def on_model_ready(self, _message: ModelReady) -> None:
        self.model_ready = True

    def on_service_failed(self, message: ServiceFailed) -> None:
        from tui.screens.dialogs import ErrorDialog

        if message.doing == OPENING:
            self.kb_state = "failed"
        if isinstance(self.screen, ErrorDialog) and self.screen.error is message.error:
            return  # workers that waited for a knowledge base that failed to open: already shown
        self.push_screen(ErrorDialog(explain(message.error, message.doing), message.error))

    def on_ingest_finished(self, message: IngestFinished) -> None:
        if message.report.documents_total:
            self.kb_state = "ready"
        self.index_version += 1

    # ---- actions ----
    def action_page(self, name: str) -> None:
        """Show one of the main screens."""
        if self.current_mode != name:
            self.switch_mode(name)

    def action_help(self) -> None:
        """Show the help screen (or close it)."""
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        """Switch between the dark and the light theme."""
        self.theme = "textual-light" if self.theme != "textual-light" else "textual-dark"

    def act_on(self, verb: str, evidence: Evidence, page: int | None = None) -> str:
        """Open, mark, copy, show the page of, or open in a viewer a piece of evidence (from any screen); returns
        what was copied, if anything."""
        if verb == "open":
            from tui.screens.passage import PassageScreen

            self.push_screen(PassageScreen(evidence))
        elif verb == "page":
            from tui.screens.page import PageScreen

            self.push_screen(PageScreen(evidence))
        elif verb == "view":
            self.view_source(evidence, evidence.page if page is None else page)
        elif verb == "mark":
            added = self.collection.toggle(evidence)
            self.collected = len(self.collection)
            self.save_state()
            self.notify(
                f"{'Added to' if added else 'Removed from'} the collection ({self.collected}). F4 reviews it."
            )
        elif verb == "copy":
            text = evidence.citation_text()
            self.copy_to_clipboard(text)
            self.notify(text, title="Copied to the clipboard")
            return text
        return ""

    def view_source(self, evidence: Evidence, page: int | None) -> None:
        """Open the evidence's document in the system viewer at `page`; say why when nothing here can."""
        from tui.viewer import NoViewer, open_source

        try:
            args = open_source(evidence.path, page, evidence.url)
        except NoViewer as exc:
            self.notify(f"{exc}. Press v for the page's text here.", title="Cannot open the file",
                        severity="warning")
            return
        at = f" at p. {page}" if page and any(str(page) in arg for arg in args[1:]) else ""
        self.notify(f"Opened with {args[0]}{at}.", title="Opening the file")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for name, description in PAGES.items():
            yield SystemCommand(
                f"Go to {name.title()}", description, lambda name=name: self.action_page(name)
            )
        yield SystemCommand("Help", "Every screen and key", self.action_help)
        yield SystemCommand(
            "Light/dark theme", "Switch between the light and the dark theme", self.action_toggle_theme
        )
        own = getattr(screen, "commands", None)
        if callable(own):
            for title, help_text, callback in own():
                yield SystemCommand(title, help_text, callback)
        yield from super().get_system_commands(screen)


def run(index: Path | str | None = None, store: str | None = None) -> int:
    """Open the terminal UI on the knowledge base at `index` (or `store`); returns the exit status."""
    from kb.render import quiet_libraries

    quiet_libraries()
    app = KbApp(index=index, store=store)
    app.run()
    code = app.return_code or 0
    if app.backend.loading:  # quit while the model was loading: do not wait for (or tear down) the import
        sys.stdout.flush()
        os._exit(code)
    app.backend.close()
    return code
