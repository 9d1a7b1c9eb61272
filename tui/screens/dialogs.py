"""Modal dialogs: an error with what to do about it, a path prompt (export, add a folder), a yes/no question."""

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.errors import Explanation
from tui.widgets.path_input import PathSuggester


class ErrorDialog(ModalScreen[None]):
    """An error's title, its message and the advice; enter or escape closes it."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, explanation: Explanation, error: Exception | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.explanation = explanation
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="-error"):
            yield Label(self.explanation.title, id="dialog-title")
            yield Static(self.explanation.message, id="error-message", markup=False)
            yield Static(self.explanation.advice, id="error-advice", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(None)

    async def action_dismiss(self, result: None = None) -> None:
        """Close the dialog."""
        self.dismiss(None)


class PathDialog(ModalScreen[str | None]):
    """Asks for a path, with completion (or, with `paths=False`, for any line of text); enter confirms, escape
    cancels (the result is None)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, title: str, hint: str, value: str = "", *, folders_only: bool = False, ok: str = "OK",
        paths: bool = True,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.hint, self.value, self.ok = title, hint, value, ok
        self.folders_only, self.paths = folders_only, paths

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self.hint, id="dialog-hint", markup=False)
            yield Input(self.value, id="path", suggester=PathSuggester(self.folders_only) if self.paths else None)
            with Horizontal(classes="buttons"):
                yield Button(self.ok, variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#ok")
    def _confirm(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        self.dismiss(value if value or not self.paths else None)  # an empty note is a note removed

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without a path."""
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; `y` or the first button confirms, `n` or escape declines."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, title: str, question: str, yes: str = "Yes") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.question, self.yes = title, question, yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self.question, id="dialog-hint", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="warning", id="yes")
                yield Button("No", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
