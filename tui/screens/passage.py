"""The source view: a passage among its neighbours, its document's record; copy the quote, mark it."""

from dataclasses import replace
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from kb.core.models import PassageMeta, page_label
from tui.backend import Backend, deliver, reporting
from tui.evidence import Evidence
from tui.format import countries_label, display_path, highlighted, topic_label, type_label
from tui.messages import ContextReady
from tui.widgets.filters import LANGUAGE_NAMES

AROUND = 2  # passages shown before and after


class PassageScreen(Screen[None]):
    """One passage with its neighbours; ←/→ walk through the document, m marks, c copies, v shows the page, o opens
    the file, escape returns."""

    CSS_PATH = "passage.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("left,p", "step(-1)", "Previous"),
        Binding("right,n", "step(1)", "Next"),
        Binding("m", "mark", "Mark"),
        Binding("c", "copy", "Copy quote"),
        Binding("v", "page", "Page"),
        Binding("o", "view", "File"),
    ]

    def __init__(self, evidence: Evidence) -> None:
        super().__init__()
        self.evidence = evidence
        self.context: Any = None

    @property
    def backend(self) -> Backend:
        """The app's knowledge base."""
        return self.app.backend  # type: ignore[attr-defined,no-any-return]

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(self.evidence.title or "Untitled", "bold"), id="source-title")
        yield Static("Loading the passage…", id="source-meta")
        yield VerticalScroll(id="context", can_focus=True)
        yield Static("", id="copied")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#context").focus()
        self.load_context(self.backend, self.evidence.passage_id)

    @work(thread=True, exclusive=True, group="context")
    def load_context(self, backend: Backend, passage_id: str) -> None:
        """Fetch the passage, its neighbours and its document."""
        with reporting(self, "opening the passage"):
            deliver(self, ContextReady(backend.get().passage_context(passage_id, AROUND, AROUND)))

    async def on_context_ready(self, message: ContextReady) -> None:
        self.context = ctx = message.context
        self.query_one("#source-title", Static).update(
            Content.styled(ctx.passage.meta.get("title") or "", "bold")
        )
        self.query_one("#source-meta", Static).update(describe(ctx))
        box = self.query_one("#context", VerticalScroll)
        await box.remove_children()
        parts = [passage_block(p, "", "neighbour") for p in ctx.before]
        current = passage_block(ctx.passage, self.evidence.quote, "current")
        parts += [current] + [passage_block(p, "", "neighbour") for p in ctx.after]
        await box.mount_all(parts)
        self.call_after_refresh(current.scroll_visible, top=True, animate=False)

    def action_step(self, step: int) -> None:
        """Show the previous (-1) or next (+1) passage of the document."""
        if self.context is None:
            return
        near = self.context.before[-1:] if step < 0 else self.context.after[:1]
        if not near:
            self.notify(f"This is the {'first' if step < 0 else 'last'} passage of the document.")
            return
        here = self.evidence  # the same document: its author, publisher and URL carry over
        self.evidence = replace(Evidence.from_passage(near[0], question=here.question),
                                author=here.author, publisher=here.publisher, url=here.url)
        self.load_context(self.backend, self.evidence.passage_id)

    def action_mark(self) -> None:
        """Mark (or unmark) this passage's quote for the collection."""
        self.app.act_on("mark", self.evidence)  # type: ignore[attr-defined]

    def action_copy(self) -> None:
        """Copy the quote with its full reference, and show what was copied."""
        text = self.app.act_on("copy", self.evidence)  # type: ignore[attr-defined]
        self.query_one("#copied", Static).update(Content.assemble(("Copied: ", "bold"), text))

    def action_page(self) -> None:
        """Show the whole page this passage's quote is on."""
        self.app.act_on("page", self.evidence)  # type: ignore[attr-defined]

    def action_view(self) -> None:
        """Open the document in the system viewer at this passage's page."""
        self.app.act_on("view", self.evidence)  # type: ignore[attr-defined]

    def commands(self) -> Any:
        yield "Passage: page view", "The whole page of this passage, the quote highlighted", self.action_page
        yield "Passage: open file", "Open the document in the system viewer at this page", self.action_view
        yield "Passage: previous", "The passage before this one", lambda: self.action_step(-1)
        yield "Passage: next", "The passage after this one", lambda: self.action_step(1)
        yield "Passage: mark", "Add this passage to the collection", self.action_mark
        yield "Passage: copy quote", "Copy the quote with its reference", self.action_copy


def describe(ctx: Any) -> Content:
    """The document's record and where this passage sits in it."""
    meta, doc = ctx.passage.meta, ctx.document
    countries = list(doc.countries if doc else meta.get("countries") or [])
    facts = [countries_label(countries, codes_too=True)]
    facts += list(doc.regions if doc else meta.get("regions") or [])
    facts += [
        str(meta.get("year") or "n.d."),
        type_label(meta.get("doc_type")),
        LANGUAGE_NAMES.get(str(meta.get("lang")), str(meta.get("lang") or "")),
    ]
    topics = ", ".join(topic_label(t) for t in (meta.get("topics") or []))
    where = [page_label(meta.get("page_start"), meta.get("page_end"), bool(meta.get("ocr_pages")))
             or "no page numbers"]
    total = doc.passages if doc else None
    where.append(f"passage {int(meta.get('seq', 0)) + 1}" + (f" of {total}" if total else ""))
    passage = PassageMeta.of(meta)
    if passage.section:
        where.append(f"section “{passage.section_text}”")
    if passage.role != "body":
        where.append(passage.role.replace("_", " "))
    if passage.countries and list(passage.countries) != countries:
        where.append(f"about {countries_label(list(passage.countries))}")
    lines = [
        Content.assemble(" · ".join(f for f in facts if f), ("  " + topics if topics else "", "dim")),
        Content.assemble(("File: ", "bold"), display_path(meta.get("path") or (doc.path if doc else ""))),
        Content.assemble(("This passage: ", "bold"), " · ".join(where)),
    ]
    return Content("\n").join(lines)


def passage_block(passage: Any, quote: str, kind: str) -> Static:
    """One passage as a block: its page label, then its text (the quote highlighted in the current one)."""
    meta = passage.meta
    label = (
        page_label(meta.get("page_start"), meta.get("page_end"), bool(meta.get("ocr_pages")))
        or f"passage {int(meta.get('seq', 0)) + 1}"
    )
    text = highlighted(passage.content or "", quote) if kind == "current" else Content(passage.content or "")
    block = Static(Content("\n").join([Content.styled(label, "dim"), text]), classes=kind)
    block.border_title = "this passage" if kind == "current" else None
    return block
