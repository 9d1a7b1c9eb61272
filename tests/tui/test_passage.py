"""The source view: a citation opened in its document, walked through, copied with its reference."""

import re
from pathlib import Path

import pytest

from tests.tui.helpers import ask, settle, text
from tui.app import KbApp
from tui.screens.passage import PassageScreen

pytestmark = pytest.mark.anyio


async def test_opening_a_citation_shows_its_context(kb_index, in_workspace):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, "How is the child grant in Nepal paid and financed?")
        citations = app.screen.query_one("#citations")
        cited = citations.items[0]
        assert cited.title.startswith("Nepal")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PassageScreen)
        meta = text(screen.query_one("#source-meta"))
        assert "Nepal (NPL) · Asia and the Pacific · 2016 · report · English" in meta
        assert "File: corpus/nepal_child_grant.pdf" in meta
        assert re.search(r"This passage: pp?\. \d", meta)
        current = screen.query_one("#context .current")
        assert cited.quote in text(current)
        assert screen.query("#context .neighbour")  # the passages around it

        before = text(current)
        await pilot.press("right")
        await settle(pilot)
        assert text(screen.query_one("#context .current")) != before
        await pilot.press("left")
        await settle(pilot)
        assert text(screen.query_one("#context .current")) == before

        await pilot.press("escape")
        assert app.screen.query_one("#citations") is citations


async def test_copying_a_quote_puts_it_with_its_reference_on_the_clipboard(kb_index, in_workspace):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, "How did Kenya give pensions to older people who never contributed?")
        cited = app.screen.query_one("#citations").items[0]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        assert app.clipboard.startswith(f"“{cited.quote}” — Kenya: a universal pension at seventy (2019). ")
        assert app.clipboard.endswith(f" {Path(cited.path).name}") and cited.path not in app.clipboard
        assert cited.quote in text(app.screen.query_one("#copied"))
