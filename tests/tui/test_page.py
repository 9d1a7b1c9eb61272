"""The page view (v) and opening the source in the system viewer at the cited page (o)."""

import os
import stat

import pytest

from tests.tui.helpers import ask, settle, text
from tui.app import KbApp
from tui.screens.page import PageScreen
from tui.screens.passage import PassageScreen

pytestmark = pytest.mark.anyio

NEPAL = "How is the child grant in Nepal paid and financed?"


def fake_viewer(folder, name="fake-viewer"):
    """A viewer that writes the arguments it was started with to `opened.txt`."""
    script = folder / name
    script.write_text(f"#!/bin/sh\necho \"$@\" > {folder / 'opened.txt'}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


async def wait_for(pilot, path):
    for _ in range(200):
        if path.exists() and path.read_text().strip():
            return path.read_text().split()
        await pilot.pause(0.02)
    raise AssertionError("the viewer was never started")


async def test_the_page_view_shows_the_whole_page_with_the_quote_and_turns_pages(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NEPAL)
        cited = next(c for c in app.screen.query_one("#citations").items if c.path.endswith(".pdf"))
        app.act_on("open", cited)
        await settle(pilot)
        assert isinstance(app.screen, PassageScreen)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, PageScreen)
        shown = text(app.screen.query_one("#page-text"))
        assert cited.quote in " ".join(shown.split())
        where = text(app.screen.query_one("#page-where"))
        assert where.startswith(f"Page {cited.page} of 2") and "the quote is highlighted" in where
        await pilot.press("right" if cited.page == 1 else "left")
        await settle(pilot)
        assert text(app.screen.query_one("#page-where")).startswith(f"Page {3 - cited.page} of 2")
        assert text(app.screen.query_one("#page-text")) != shown
        await pilot.press("escape")
        assert isinstance(app.screen, PassageScreen)


async def test_o_opens_the_file_at_the_cited_page_in_the_viewer_kb_viewer_names(kb_index, tmp_path, monkeypatch):
    viewer = fake_viewer(tmp_path)
    monkeypatch.setenv("KB_VIEWER", f"{viewer} --page={{page}}")
    app = KbApp(index=kb_index)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NEPAL)
        listing = app.screen.query_one("#citations")
        listing.focus()
        listing.highlighted = next(i for i, c in enumerate(listing.items) if c.path.endswith(".pdf"))
        cited = listing.items[listing.highlighted]
        await pilot.press("o")
        assert await wait_for(pilot, tmp_path / "opened.txt") == [f"--page={cited.page}", cited.path]


async def test_without_any_viewer_o_says_so_and_points_to_the_page_view(kb_index, tmp_path, monkeypatch):
    monkeypatch.delenv("KB_VIEWER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no xdg-open, no PDF viewer: a remote terminal
    app = KbApp(index=kb_index)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NEPAL)
        shown = []
        monkeypatch.setattr(app, "notify", lambda message, **kw: shown.append((message, kw.get("title"))))
        app.screen.query_one("#citations").focus()
        await pilot.press("o")
        assert shown and shown[-1][1] == "Cannot open the file" and "Press v for the page's text" in shown[-1][0]
    assert os.environ["PATH"] == str(tmp_path)
