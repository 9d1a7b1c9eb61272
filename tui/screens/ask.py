"""The home screen: ask a question, read the cited answer, open, mark or copy its evidence, filter."""

from collections.abc import Iterator
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from kb.core.filters import SearchFilters
from tui.backend import Backend, deliver, reporting
from tui.evidence import Evidence, grouped, passage_text
from tui.format import country_name, display_path, marked_answer
from tui.messages import AnswerReady, FacetsReady, NoIndexYet, ServiceFailed
from tui.screens.base import Command, KbScreen
from tui.widgets.evidence_list import EvidenceList
from tui.widgets.filters import FACETS, ActiveFilters, FilterSidebar, without
from tui.widgets.question import QuestionInput
from tui.widgets.status import StatusLine

INTRO = (
    "Ask a question about the documents in the knowledge base, for example:\n"
    "  “How did countries extend pensions to older people who never contributed?”\n\n"
    "The answer is made of sentences quoted from the documents, each with its source. "
    "ctrl+f narrows by country, region, type, year, language or topic. F1 shows every key."
)


def welcome(location: str) -> str:
    """What the home screen says when no documents were added yet."""
    return (
        f"There is no knowledge base at {display_path(location)} yet.\n\n"
        "To add documents (PDF, Word, HTML, Markdown or text files):\n"
        "  • press F5 (Library), then a, and type the folder that holds them; or\n"
        "  • in a terminal, run:  kb ingest FOLDER\n\n"
        "Then come back here with F2 and ask a question."
    )


class AskScreen(KbScreen):
    """Question box, status, active filters, answer and citations; the Filters sidebar on the left."""

    PAGE = "ask"
    CSS_PATH = "ask.tcss"
    AUTO_FOCUS = "#question"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+f", "toggle_filters", "Filters"),
        Binding("ctrl+r", "clear_filters", "Clear filters"),
        Binding("slash", "focus_question", "Question", show=False),
        Binding("escape", "focus_question", "Question", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = SearchFilters()
        self.question = ""
        self._asking = False
        self._facets_version = -1

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield FilterSidebar(id="filters")
            with Vertical(id="main"):
                yield QuestionInput(
                    self.kb_app.history,
                    id="question",
                    placeholder="Type a question and press Enter (↑/↓: earlier questions)",
                )
                yield StatusLine(id="status")
                yield ActiveFilters(
                    id="active-filters", change="ctrl+f opens the Filters sidebar", clear="ctrl+r clears"
                )
                with VerticalScroll(id="answer-box"):
                    yield Static(INTRO, id="answer", markup=False)
                yield EvidenceList(id="citations")

    def on_mount(self) -> None:
        self.query_one(ActiveFilters).show(self.filters)
        self.watch(self.app, "kb_state", self._state_changed)
        self.watch(self.app, "model_ready", self._state_changed)
        self.watch(self.app, "collected", self._collection_changed, init=False)

    def on_screen_resume(self) -> None:
        if self.kb_app.kb_state == "ready" and self._facets_version != self.kb_app.index_version:
            self.load_facets(self.kb_app.backend, self.filters)

    # ---- state ----
    def _state_changed(self, _value: object = None) -> None:
        state, status = self.kb_app.kb_state, self.query_one(StatusLine)
        if state == "no-index":
            self.query_one("#answer", Static).update(welcome(self.kb_app.location))
            self.query_one(EvidenceList).show([])
        elif state == "ready" and self._facets_version != self.kb_app.index_version:
            if not self.question:
                self.query_one("#answer", Static).update(INTRO)
            self.load_facets(self.kb_app.backend, self.filters)
        if self._asking:
            if self.kb_app.model_ready:
                status.working("Searching…")
            return
        if state == "failed":
            status.idle("The knowledge base could not be opened (see the message).")
        elif state == "loading":
            status.working("Opening the knowledge base… you can type your question now.")
        elif not self.kb_app.model_ready and state == "ready":
            status.working("Loading the language model… you can type your question now.")
        elif state == "no-index":
            status.idle("No documents yet: add a folder in the Library (F5).")
        elif not self.question:
            status.idle("Ready. Type a question and press Enter.")

    def _collection_changed(self, _count: int) -> None:
        self.query_one(EvidenceList).refresh_marks(self.kb_app.collection.items)

    # ---- asking ----
    @on(QuestionInput.Submitted, "#question")
    def _submitted(self, event: QuestionInput.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        self.query_one(QuestionInput).remember(question)
        self.kb_app.save_state()
        self.ask(question)

    def ask(self, question: str) -> None:
        """Answer `question` under the current filters (after the model has loaded, if it has not yet)."""
        self.question = question
        self._asking = True
        waiting = (
            "Waiting for the language model, then searching…" if not self.kb_app.model_ready else "Searching…"
        )
        self.query_one(StatusLine).working(waiting)
        self.run_ask(self.kb_app.backend, question, self.filters)

    @work(thread=True, exclusive=True, group="ask")
    def run_ask(self, backend: Backend, question: str, filters: SearchFilters) -> None:
        """Ask the service; post the answer with its evidence (each citation's passage text)."""
        with reporting(self, "answering the question"):
            kb = backend.get()
            if not backend.has_index():
                deliver(self, NoIndexYet(kb.location))
                return
            answer = kb.ask(question, filters)
            evidence = grouped([
                Evidence.from_citation(c, passage_text(kb, answer, c.passage_id), question)
                for c in answer.citations
            ])
            if not evidence:
                evidence = [Evidence.from_related(r, question) for r in answer.related]
            deliver(self, AnswerReady(question, answer, evidence, filters))

    def on_answer_ready(self, message: AnswerReady) -> None:
        self._asking = False
        answer, items = message.answer, message.evidence
        self.query_one("#answer", Static).update(marked_answer(answer.answer))
        listing = self.query_one(EvidenceList)
        listing.show(items, self.kb_app.collection.items)
        if answer.abstained:
            text = "No passage answers this." + (" The nearest passages are listed below." if items else "")
        else:
            text = f"{len(items)} citation{'s' if len(items) != 1 else ''} — enter opens, m marks, c copies."
        self.query_one(StatusLine).idle(text)
        box = self.query_one(QuestionInput)
        if items and self.focused is box and box.value.strip() == message.question:
            listing.focus()  # the user waits in the question box: make enter open the first citation

    def on_no_index_yet(self, message: NoIndexYet) -> None:
        self._asking = False
        self.query_one("#answer", Static).update(welcome(message.location))
        self.query_one(StatusLine).idle("No documents yet: add a folder in the Library (F5).")

    def on_service_failed(self, _message: ServiceFailed) -> None:
        self._asking = False
        self.query_one(StatusLine).idle("That did not work (see the message).")

    # ---- evidence ----
    def on_evidence_list_action(self, message: EvidenceList.Action) -> None:
        self.kb_app.act_on(message.verb, message.evidence)

    # ---- filters ----
    @work(thread=True, exclusive=True, group="facets")
    def load_facets(self, backend: Backend, filters: SearchFilters) -> None:
        """Passages per facet value: every value, and its count under `filters` less the value's facet."""
        with reporting(self, "counting passages per filter value"):
            kb = backend.get()
            values = kb.facets(SearchFilters())
            counts = dict(values) if filters.is_empty() else kb.facets(filters)
            for facet in [*FACETS, "year"]:
                loose = without(filters, facet)
                if loose != filters:
                    counts[facet] = kb.facets(loose)[facet]
            for code in values.get("countries", {}):
                country_name(str(code))  # look names up here, not on the UI thread
            deliver(self, FacetsReady(values, counts))

    async def on_facets_ready(self, message: FacetsReady) -> None:
        self._facets_version = self.kb_app.index_version
        sidebar = self.query_one(FilterSidebar)
        await sidebar.build()
        sidebar.set_counts(message.values, message.counts)

    def on_filter_sidebar_changed(self, message: FilterSidebar.Changed) -> None:
        self.set_filters(message.filters, from_sidebar=True)

    def set_filters(self, filters: SearchFilters, *, from_sidebar: bool = False) -> None:
        """Apply `filters`: show them, recount, and ask the current question again."""
        if not from_sidebar:
            self.query_one(FilterSidebar).show(filters)
        self.filters = filters
        self.kb_app.filters = filters
        self.query_one(ActiveFilters).show(filters)
        if self.kb_app.kb_state == "ready":
            self.load_facets(self.kb_app.backend, filters)
        if self.question:
            self.ask(self.question)

    async def action_toggle_filters(self) -> None:
        """Show or hide the Filters sidebar (focusing it when shown)."""
        sidebar = self.query_one(FilterSidebar)
        await sidebar.build()
        sidebar.toggle_class("-shown")
        if sidebar.has_class("-shown"):
            sidebar.query("SelectionList").first().focus()
        else:
            self.action_focus_question()

    def action_clear_filters(self) -> None:
        """Remove every filter."""
        self.set_filters(SearchFilters())

    def action_focus_question(self) -> None:
        """Put the cursor in the question box."""
        self.query_one(QuestionInput).focus()

    def commands(self) -> Iterator[Command]:
        yield (
            "Filters: show or hide",
            "Narrow by country, region, type, year, language, topic",
            self.action_toggle_filters,
        )
        yield "Filters: clear", "Remove every filter", self.action_clear_filters
        for code in self.query_one(FilterSidebar).countries:
            yield (
                f"Filter: only {country_name(str(code))}",
                f"Show only passages about {code}",
                lambda code=code: self.set_filters(SearchFilters(countries=[code])),
            )
