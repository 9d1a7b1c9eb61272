"""The help screen: `tui/help.md`, rendered as Markdown."""

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown

HELP_FILE = Path(__file__).parents[1] / "help.md"


class HelpScreen(Screen[None]):
    """Everything the UI can do, and how; escape (or F1 again) returns."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-scroll"):
            yield Markdown(HELP_FILE.read_text(encoding="utf-8"), id="help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()
