"""The one-line bar naming the screens and their keys; the current screen stands out, a click switches."""

from textual.content import Content
from textual.widgets import Static

PAGES = (
    ("ask", "F2", "Ask"),
    ("compare", "F3", "Compare"),
    ("collection", "F4", "Collection"),
    ("library", "F5", "Library"),
    ("overview", "F6", "Overview"),
)


class NavBar(Static):
    """`kb  F2 Ask  F3 Compare  F4 Collection 2  F5 Library  F6 Overview  F1 Help`."""

    def __init__(self, current: str) -> None:
        super().__init__(id="navbar")
        self.current = current

    def on_mount(self) -> None:
        self.watch(self.app, "collected", self._redraw)

    def _redraw(self, collected: int) -> None:
        parts: list[Content | str | tuple[str, str]] = [(" kb ", "bold $text-accent"), " "]
        for name, key, label in PAGES:
            if name == "collection" and collected:
                label = f"{label} ({collected})"
            style = "bold reverse" if name == self.current else ""
            parts += [(f"{key}", "dim"), " ", (label, f"{style} @click=app.page('{name}')".strip()), "  "]
        parts += [("F1", "dim"), " ", ("Help", "@click=app.help")]
        self.update(Content.assemble(*parts))
