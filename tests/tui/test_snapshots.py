"""Snapshots of the main screens at a fixed size, with deterministic content (no clocks, no timings).

The knowledge base is `FakeKnowledgeBase` (fixed answers), so that tuning retrieval never changes them.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.fake_kb import FakeKnowledgeBase
from tests.tui.helpers import ask, settle
from tui.app import KbApp
from tui.backend import Backend

SIZE = (100, 30)
Drive = Callable[[Pilot[Any]], Awaitable[None]]


def fake_app() -> KbApp:
    """The app on the fake knowledge base."""
    return KbApp(backend=Backend(factory=FakeKnowledgeBase))


async def nothing(pilot: Pilot[Any]) -> None:
    """Leave the screen as it opens."""


def snapshot(snap_compare: Any, app: KbApp, drive: Drive = nothing, size: tuple[int, int] = SIZE) -> bool:
    """Drive `app`, let it settle, steady the cursors, drop the toasts, and compare the screen."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await drive(pilot)
        await settle(pilot)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        pilot.app.clear_notifications()
        await pilot.pause()

    return bool(snap_compare(app, run_before=run_before, terminal_size=size))


async def asked(pilot: Pilot[Any]) -> None:
    await ask(pilot, "How did Kenya give pensions to older people who never contributed?")


def test_ask_screen(snap_compare, in_workspace):
    assert snapshot(snap_compare, fake_app(), asked)


def test_ask_screen_80x24(snap_compare, in_workspace):
    assert snapshot(snap_compare, fake_app(), asked, size=(80, 24))


def test_ask_screen_with_filters(snap_compare, in_workspace):
    async def drive(pilot: Pilot[Any]) -> None:
        await ask(pilot, "How is the benefit financed?")
        await pilot.press("ctrl+f")
        await settle(pilot)
        await pilot.press("space")  # the first country

    assert snapshot(snap_compare, fake_app(), drive)


def test_no_index_home_screen(snap_compare, in_workspace):
    assert snapshot(snap_compare, KbApp(index=in_workspace / "no-index-yet"))


def test_passage_screen(snap_compare, in_workspace):
    async def drive(pilot: Pilot[Any]) -> None:
        await asked(pilot)
        await pilot.press("enter")

    assert snapshot(snap_compare, fake_app(), drive)


def test_compare_screen(snap_compare, in_workspace):
    async def drive(pilot: Pilot[Any]) -> None:
        await pilot.press("f3")
        await pilot.pause()
        pilot.app.screen.query_one(
            "#compare-question"
        ).value = "How are older people without contributions given a pension?"
        pilot.app.screen.query_one("#compare-groups").value = "Kenya, Nepal, France"
        pilot.app.screen.query_one("#compare-groups").focus()
        await pilot.press("enter")

    assert snapshot(snap_compare, fake_app(), drive)


def test_collection_screen(snap_compare, in_workspace):
    async def drive(pilot: Pilot[Any]) -> None:
        await asked(pilot)
        await pilot.press("m", "down", "m", "f4")

    assert snapshot(snap_compare, fake_app(), drive)


def test_library_screen(snap_compare, in_workspace):
    async def drive(pilot: Pilot[Any]) -> None:
        await pilot.press("f5")

    assert snapshot(snap_compare, fake_app(), drive)


def test_overview_screen(snap_compare, in_workspace):
    async def drive(pilot: Pilot[Any]) -> None:
        await pilot.press("f6")

    assert snapshot(snap_compare, fake_app(), drive, size=(120, 40))


def test_help_screen(snap_compare, in_workspace):
    async def drive(pilot: Pilot[Any]) -> None:
        await pilot.press("f1")

    assert snapshot(snap_compare, fake_app(), drive)


def test_light_theme(snap_compare, in_workspace):
    async def drive(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "textual-light"
        await asked(pilot)

    assert snapshot(snap_compare, fake_app(), drive)
