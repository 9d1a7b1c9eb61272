"""What every main screen has: the navigation bar on top, the footer below, and palette commands."""

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from tui.widgets.navbar import NavBar

if TYPE_CHECKING:
    from tui.app import KbApp

Command = tuple[str, str, Callable[[], Any]]


class KbScreen(Screen[None]):
    """A main screen (one per app mode); subclasses yield their body from `compose_body`."""

    PAGE = "ask"

    @property
    def kb_app(self) -> "KbApp":
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield NavBar(self.PAGE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def commands(self) -> Iterator[Command]:
        """(title, help, callback) for the command palette while this screen is shown."""
        yield from ()
