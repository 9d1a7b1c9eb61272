"""Ask: the answer with its markers, the citations with their facts and the quote in its passage."""

import pytest

from tests.tui.helpers import ask, settle, text
from tui.app import KbApp

pytestmark = pytest.mark.anyio

QUESTION = "How did Kenya give pensions to older people who never contributed?"


async def test_answer_and_citations_are_shown(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, QUESTION, typed=True)
        answer = text(app.screen.query_one("#answer"))
        assert "[1]" in answer and "[2]" in answer
        citations = app.screen.query_one("#citations")
        shown = text(citations)
        assert "[1] Kenya: a universal pension at seventy" in shown
        assert "Kenya (KEN) · 2019 · country study" in shown
        first = citations.items[0]
        assert first.quote and first.quote in shown  # the quoted sentence, inside its passage
        assert first.quote in answer
        assert app.focused is citations  # ready to open a citation with enter


async def test_question_history_walks_back_and_forth(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, "child grant")
        await ask(pilot, "monotax")
        box = app.screen.query_one("#question")
        box.focus()
        box.value = "draft"
        await pilot.press("up")
        assert box.value == "monotax"
        await pilot.press("up")
        assert box.value == "child grant"
        await pilot.press("down", "down")
        assert box.value == "draft"


async def test_a_question_the_corpus_cannot_answer_says_so(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, "volcanic eruptions on the moon")
        assert "no passage that answers" in text(app.screen.query_one("#answer"))
        assert "No passage answers this" in app.screen.query_one("#status").text
