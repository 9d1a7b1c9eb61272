"""The collection and the question history outlast the session: saved per knowledge base, atomically."""

import json

import pytest

from kb.core.errors import IndexWriteError
from tests.tui.helpers import settle
from tui import state
from tui.app import KbApp
from tui.evidence import Evidence

pytestmark = pytest.mark.anyio

ITEM = Evidence("p1", "Pensions in Testland", "/docs/t.pdf", countries=("KEN",), year=2020, page=3,
                quote="Everyone over 70 receives a pension.", section=("3 Benefits",), doc_id="d1")


def test_state_round_trips_and_a_kill_during_a_save_leaves_the_old_file(tmp_path, monkeypatch):
    saved = state.SavedState(["Who pays?"], [ITEM], exported=False)
    path = state.save("/some/index", saved)
    assert path.parent.name == "kb" and state.load("/some/index") == saved
    assert state.load("/another/index") == state.SavedState()

    def killed(*_args):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr("os.replace", killed)
        with pytest.raises(IndexWriteError, match="previous saved collection is intact"):
            state.save("/some/index", state.SavedState(["Something else?"], []))
    assert state.load("/some/index") == saved  # the previous file, whole
    assert not [p for p in path.parent.iterdir() if ".tmp-" in p.name]


def test_a_damaged_or_foreign_file_is_set_aside_not_misread(tmp_path):
    path = state.state_file("/some/index")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"version": 99, "history": ["x"]}))
    assert state.load("/some/index") == state.SavedState()
    assert path.with_suffix(".unreadable").is_file() and not path.exists()
    path.write_text("{not json")
    assert state.load("/some/index") == state.SavedState()


async def test_quit_and_restart_keeps_collection_and_history(kb_index, in_workspace):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.history.append("How are pensions financed?")
        app.act_on("mark", ITEM)
        await pilot.press("ctrl+q")  # one passage not exported: kb asks
        await pilot.pause()
        assert "not exported" in str(app.screen.question)
        await pilot.press("n")  # stay
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    again = KbApp(index=kb_index)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.collection.items == [ITEM] and again.collected == 1
        assert again.history == ["How are pensions financed?"]
        assert again.collection.items[0].section == ("3 Benefits",)
        await pilot.press("ctrl+q")  # nothing new since the last session: still not exported, so it asks again
        await pilot.pause()
        await pilot.press("y")
