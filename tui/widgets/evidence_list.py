"""A list of evidence cards: reference, facts, and the quoted sentence highlighted inside its passage."""

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.evidence import Evidence
from tui.format import highlighted

WINDOW = 160  # characters of passage shown on each side of the quote


class EvidenceList(OptionList):
    """Cards for citations (or any evidence); enter opens, m marks, c copies (handled by the screen)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open"),
        Binding("m", "mark", "Mark"),
        Binding("c", "copy", "Copy"),
        Binding("v", "page", "Page"),
        Binding("o", "view", "File"),
    ]

    @dataclass
    class Action(Message):
        """The user asked to `open`, `mark` or `copy` one piece of evidence."""

        verb: str
        evidence: Evidence

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.items: list[Evidence] = []
        self.numbered = False

    def show(
        self, items: list[Evidence], collected: list[Evidence] | None = None, *, numbered: bool = False
    ) -> None:
        """Replace the cards; items already in `collected` carry a star; `numbered` numbers them 1, 2, …"""
        self.items = list(items)
        self.numbered = numbered
        keep = self.highlighted
        self.set_options([Option(self._card(i, e, collected or [])) for i, e in enumerate(self.items)])
        if self.items:
            self.highlighted = min(keep or 0, len(self.items) - 1)

    def refresh_marks(self, collected: list[Evidence]) -> None:
        """Redraw the stars after the collection changed."""
        for index, item in enumerate(self.items):
            self.replace_option_prompt_at_index(index, self._card(index, item, collected))

    def _card(self, index: int, item: Evidence, collected: list[Evidence]) -> Content:
        return card(item, item in collected, index + 1 if self.numbered else item.n)

    @property
    def current(self) -> Evidence | None:
        """The highlighted evidence."""
        if self.highlighted is None or not self.items:
            return None
        return self.items[self.highlighted]

    def _act(self, verb: str) -> None:
        if self.current is not None:
            self.post_message(self.Action(verb, self.current))

    def action_mark(self) -> None:
        """Mark (or unmark) the highlighted evidence for the collection."""
        self._act("mark")

    def action_copy(self) -> None:
        """Copy the highlighted quote with its reference."""
        self._act("copy")

    def action_page(self) -> None:
        """Show the whole page the highlighted quote is on."""
        self._act("page")

    def action_view(self) -> None:
        """Open the highlighted quote's document in the system viewer at its page."""
        self._act("view")

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._act("open")


def card(item: Evidence, collected: bool = False, number: int | None = None) -> Content:
    """Three parts: `[n] Title · section · page ★`, the facts line, and the passage excerpt with the quote
    highlighted; then the user's note, if any."""
    marker = f"[{number}] " if number is not None else "• "
    where = item.location()
    head = Content.assemble(
        (marker, "bold $text-accent"),
        (item.title or "Untitled", "bold"),
        (f" · {where}", "") if where else "",
        ("  ★ collected", "$text-success") if collected else "",
    )
    facts = Content.styled(item.facts(), "dim")
    body = highlighted(item.passage or item.quote, item.quote, window=WINDOW)
    note = [Content.assemble(("Note: ", "bold $text-warning"), item.note)] if item.note else []
    return Content("\n").join([head, facts, body, *note, Content("")])
