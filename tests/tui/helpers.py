"""Driving the app in tests: wait until the knowledge base is settled, read what a widget shows."""

from typing import Any

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.worker import WorkerCancelled


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the knowledge base is open, the model loaded, and no worker is running."""
    app: Any = pilot.app
    for _ in range(2000):
        await pilot.pause()
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker superseded by a newer one (new filters): wait again
            continue
        opened = app.kb_state != "loading"
        loaded = app.model_ready or app.kb_state == "failed"
        if opened and loaded and not any(not w.is_finished for w in app.workers):
            await pilot.pause()
            return
    raise AssertionError("the app never settled")


def text(widget: Widget) -> str:
    """The plain text a Static shows, or every option of an OptionList."""
    if isinstance(widget, OptionList):
        return "\n".join(str(getattr(o.prompt, "plain", o.prompt)) for o in widget.options)
    if isinstance(widget, Static):
        content = widget.render()
        return str(getattr(content, "plain", content))
    return str(widget.render())


def screen_text(pilot: Pilot[Any]) -> str:
    """Everything the current screen shows in Statics and option lists (for 'the user sees X')."""
    found = [text(w) for w in pilot.app.screen.query("Static, OptionList, Label") if w.display]
    return "\n".join(found)


async def ask(pilot: Pilot[Any], question: str, *, typed: bool = False) -> None:
    """Put a question in the question box (typed key by key, or pasted), press enter, wait for the answer."""
    box: Any = pilot.app.screen.query_one("#question")
    box.focus()
    box.value = ""
    if typed:
        await pilot.press(*question)
    else:
        box.insert_text_at_cursor(question)
    await pilot.press("enter")
    await settle(pilot)
