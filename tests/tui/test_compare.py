"""Compare: one row per group with its best cited finding, "no evidence" rows, a row's source opens."""

import pytest

from tests.tui.helpers import settle, text
from tui.app import KbApp
from tui.screens.compare import NO_EVIDENCE
from tui.screens.passage import PassageScreen

pytestmark = pytest.mark.anyio


async def test_comparing_two_countries_gives_one_row_each(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await pilot.pause()
        screen = app.screen
        screen.query_one(
            "#compare-question"
        ).value = "How are older people without contributions given a pension?"
        screen.query_one("#compare-groups").focus()
        await pilot.press(*"Kenya, France", "enter")
        await settle(pilot)
        table = screen.query_one("#compare-table")
        assert table.row_count == 2
        kenya, france = (table.get_row_at(i) for i in range(2))
        assert text_of(kenya[0]) == "Kenya (KEN)"
        assert "contributed" in text_of(kenya[1])
        assert "Kenya: a universal pension" in text_of(kenya[2])
        assert text_of(france[0]) == "France (FRA)"
        assert text_of(france[1]) == NO_EVIDENCE
        assert "1 with evidence" in screen.query_one("#compare-status").text

        assert app.focused is table
        await pilot.press("m")  # collect Kenya's finding from its row
        assert app.collected == 1 and "contributed" in app.collection.items[0].quote
        await pilot.press("down", "m")  # France has no evidence: nothing to collect
        assert app.collected == 1
        await pilot.press("up")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PassageScreen)
        assert "Kenya (KEN)" in text(app.screen.query_one("#source-meta"))


async def test_an_unknown_country_explains_itself_in_a_dialog(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await pilot.pause()
        app.screen.query_one("#compare-question").value = "pensions"
        app.screen.query_one("#compare-groups").focus()
        await pilot.press(*"Kenya", "enter")
        await settle(pilot)
        assert app.screen.query_one("#compare-table").row_count == 1
        app.screen.query_one("#compare-groups").value = ""
        app.screen.query_one("#compare-groups").focus()
        await pilot.press(*"Atlantis", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ErrorDialog"
        assert "unknown country" in text(app.screen.query_one("#error-message"))
        advice = text(app.screen.query_one("#error-advice"))
        assert "groups typed in the Compare box" in advice and "Filters sidebar" not in advice
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#compare-table").row_count == 0  # Kenya's row is not left under the error


def text_of(cell: object) -> str:
    return " ".join(str(getattr(cell, "plain", cell)).split())
