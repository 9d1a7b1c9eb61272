"""Collection: mark passages with one key, review them, export a Markdown brief and see where it went."""

import pytest

from tests.tui.helpers import ask, settle, text
from tui.app import KbApp

pytestmark = pytest.mark.anyio


async def test_collect_two_passages_and_export_a_brief(kb_index, in_workspace):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, "How did Kenya give pensions to older people who never contributed?")
        citations = app.screen.query_one("#citations")
        first = citations.items[0]
        await pilot.press("m")
        assert "★ collected" in text(citations).split("[2]")[0]
        await ask(pilot, "How is the child grant in Nepal paid and financed?")
        second = app.screen.query_one("#citations").items[0]
        await pilot.press("enter")  # from the source view this time
        await settle(pilot)
        await pilot.press("m", "escape")
        assert app.collected == 2
        assert "Collection (2)" in text(app.screen.query_one("#navbar"))

        await pilot.press("f4")
        await pilot.pause()
        listed = text(app.screen.query_one("#collected"))
        assert first.quote in listed and second.quote in listed
        await pilot.press("e")
        await pilot.pause()
        path_box = app.screen.query_one("#path")
        assert path_box.value == "kb-brief.md"
        path_box.value = "briefs/pensions.md"
        await pilot.press("enter")
        await pilot.pause()

        written = in_workspace / "briefs" / "pensions.md"
        brief = written.read_text(encoding="utf-8")
        for item in (first, second):
            assert f"> {item.quote}" in brief
            assert item.source() in brief.split("## References")[1]
        references = brief.split("## References")[1]
        assert "Kenya: a universal pension at seventy (2019)." in references
        assert "Nepal: the child grant and birth registration (2016)." in references
        assert "/" not in references  # file names, not the paths of this machine
        assert str(written) in text(app.screen.query_one("#export-result"))

        written.write_text("an earlier brief", encoding="utf-8")  # exporting again asks before replacing
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#path").value = "briefs/pensions.md"
        await pilot.press("enter")
        await pilot.pause()
        assert "already exists" in text(app.screen.query_one("#dialog-hint"))
        await pilot.press("n")
        await pilot.pause()
        assert written.read_text(encoding="utf-8") == "an earlier brief"
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#path").value = "briefs/pensions.md"
        await pilot.press("enter", "y")
        await pilot.pause()
        assert written.read_text(encoding="utf-8") == brief


async def test_removing_from_the_collection(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, "monotax for independent workers")
        await pilot.press("m", "down", "m")
        assert app.collected == 2
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("d")
        assert app.collected == 1
        assert "1 passage collected" in text(app.screen.query_one("#collection-summary"))


async def test_a_note_on_a_quote_and_a_word_brief(kb_index, in_workspace):
    from docx import Document

    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, "How did Kenya give pensions to older people who never contributed?")
        quote = app.screen.query_one("#citations").items[0].quote
        await pilot.press("m", "f4")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#path").value = "Quote this in the leaflet"
        await pilot.press("enter")
        await pilot.pause()
        assert app.collection.items[0].note == "Quote this in the leaflet"
        assert "Note: Quote this in the leaflet" in text(app.screen.query_one("#collected"))
        await pilot.press("w")
        await pilot.pause()
        assert app.screen.query_one("#path").value == "kb-brief.docx"
        await pilot.press("enter")
        await pilot.pause()
    paragraphs = [p.text for p in Document(str(in_workspace / "kb-brief.docx")).paragraphs]
    assert paragraphs[0] == "Evidence brief" and f"“{quote}”" in paragraphs
    assert "Note: Quote this in the leaflet" in paragraphs
    assert "How did Kenya give pensions to older people who never contributed?" in paragraphs
