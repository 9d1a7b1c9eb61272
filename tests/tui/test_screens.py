"""No index yet, help, overview, command palette, themes, and an 80×24 terminal."""

import pytest

from tests.tui.helpers import ask, settle, text
from tui.app import KbApp

pytestmark = pytest.mark.anyio


async def test_without_an_index_the_home_screen_says_how_to_add_documents(tmp_path):
    app = KbApp(index=tmp_path / "nothing here")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = text(app.screen.query_one("#answer"))
        assert "There is no knowledge base at" in shown
        assert "F5 (Library), then a" in shown and "kb ingest FOLDER" in shown
        await ask(pilot, "pensions")  # asking anyway explains again instead of failing
        assert type(app.screen).__name__ == "AskScreen"
        assert "kb ingest FOLDER" in text(app.screen.query_one("#answer"))


async def test_help_screen_opens_and_closes(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        assert "Compare (F3)" in app.screen.query_one("#help").source
        await pilot.press("escape")
        assert type(app.screen).__name__ == "AskScreen"


async def test_overview_charts_show_coverage_and_gaps(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        summary = text(app.screen.query_one("#overview-summary"))
        assert summary.startswith("5 documents · 10 passages · 4 countries · 2012–2023")
        regions = text(app.screen.query_one("#chart-regions"))
        assert "Africa" in regions and "2 docs · 6 pass." in regions
        assert "Arab States" in regions and "no documents" in regions
        years = text(app.screen.query_one("#chart-year"))
        assert "2013" in years  # a year without documents is a visible gap


async def test_the_palette_and_the_mouse_reach_every_screen(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to library")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "LibraryScreen"
        navbar = text(app.screen.query_one("#navbar"))
        await pilot.click("#navbar", offset=(navbar.index("Compare") + 1, 0))
        await settle(pilot)
        assert type(app.screen).__name__ == "CompareScreen"


async def test_every_screen_works_in_the_light_theme_and_at_80x24(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.theme = "textual-light"
        await ask(pilot, "child grant")
        for key in ("f3", "f4", "f5", "f6", "f1", "escape", "f2"):
            await pilot.press(key)
            await settle(pilot)
        await pilot.click("#citations", offset=(10, 1))  # the mouse opens a citation too
        await settle(pilot)
        assert type(app.screen).__name__ == "PassageScreen"
        await pilot.press("escape")
        app.theme = "textual-dark"
        await pilot.pause()
        question = app.screen.query_one("#question")
        assert question.region.width >= 70 and question.region.y < 5  # the question box stays usable
        assert app.screen.query_one("#citations").region.height >= 5
