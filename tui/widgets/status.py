"""A one-line status: a small spinner while something runs, and a short message."""

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Static

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class StatusLine(Horizontal):
    """Shows what the screen is doing; `working()` starts the spinner, `idle()` stops it."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._frame = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="spinner")
        yield Static("", classes="status-text", markup=False)

    def working(self, text: str) -> None:
        """Something is running: spin and say what."""
        self.add_class("-working")
        self.query_one(".status-text", Static).update(text)
        if self._timer is None:
            self._timer = self.set_interval(0.1, self._spin)

    def idle(self, text: str = "") -> None:
        """Nothing runs: stop spinning and show `text`."""
        self.remove_class("-working")
        self.query_one(".status-text", Static).update(text)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _spin(self) -> None:
        self._frame = (self._frame + 1) % len(FRAMES)
        self.query_one(".spinner", Static).update(FRAMES[self._frame])

    @property
    def text(self) -> str:
        """The message shown."""
        return str(self.query_one(".status-text", Static).content)

    @property
    def is_working(self) -> bool:
        """Whether the spinner is shown."""
        return self.has_class("-working")
