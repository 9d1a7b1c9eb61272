"""The question box: an Input that remembers the questions asked (up/down walk through them)."""

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input


class QuestionInput(Input):
    """A question box with history; `history` is shared with the app so every box sees every question."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous question", show=False),
        Binding("down", "history(1)", "Next question", show=False),
    ]

    def __init__(self, history: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history = history
        self._position: int | None = None
        self._draft = ""

    def remember(self, question: str) -> None:
        """Add a question to the history (once, as the most recent)."""
        if question in self.history:
            self.history.remove(question)
        self.history.append(question)
        self._position = None

    def action_history(self, step: int) -> None:
        """Show the previous (-1) or next (+1) question; past the newest, the draft comes back."""
        if not self.history:
            return
        if self._position is None:
            if step > 0:
                return
            self._draft = self.value
            self._position = len(self.history)
        self._position = max(0, self._position + step)
        if self._position >= len(self.history):
            self._position = None
            self.value = self._draft
        else:
            self.value = self.history[self._position]
        self.cursor_position = len(self.value)
