"""Start-up: the question box is usable at once; Haystack and the model load in the background."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.tui.helpers import settle, text
from tui.app import KbApp

pytestmark = pytest.mark.anyio


def test_importing_the_app_does_not_import_haystack():
    heavy = ("haystack", "kb.service", "torch")
    code = f"import sys, tui.app\nprint(sorted(m for m in {heavy!r} if m in sys.modules))"
    root = Path(__file__).parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


async def test_question_box_accepts_typing_before_the_model_is_loaded(kb_index, monkeypatch):
    from kb.service import KnowledgeBase

    release = threading.Event()
    real_warm_up = KnowledgeBase.warm_up

    def slow_warm_up(self):
        release.wait(timeout=60)
        real_warm_up(self)

    monkeypatch.setattr(KnowledgeBase, "warm_up", slow_warm_up)
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        box = app.screen.query_one("#question")
        assert app.focused is box
        await pilot.press(*"pension")
        assert box.value == "pension"
        assert not app.model_ready
        status = app.screen.query_one("#status")
        assert status.is_working
        assert "you can type your question now" in status.text
        await pilot.press("enter")
        await pilot.pause()
        assert status.is_working
        assert "Waiting for the language model" in status.text
        release.set()
        await settle(pilot)
        assert app.model_ready
        assert not status.is_working
        assert "citation" in status.text
        assert "[1]" in text(app.screen.query_one("#answer"))
