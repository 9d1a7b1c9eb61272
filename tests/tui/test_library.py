"""Library: the documents table (sortable); adding a folder with progress, failures listed with reasons."""

import pytest

from tests.tui.corpus import KENYA, URUGUAY, unwrap
from tests.tui.helpers import settle, text
from tui.app import KbApp

pytestmark = pytest.mark.anyio


async def test_documents_are_listed_and_sortable(kb_index, in_workspace):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one("#documents")
        assert table.row_count == 5
        assert "5 documents · 10 passages" in text(app.screen.query_one("#library-summary"))
        titles = [str(table.get_row_at(i)[0]) for i in range(5)]
        assert titles == sorted(titles, key=str.casefold)
        await pilot.press("s")  # countries
        await pilot.press("s")  # year, newest first
        years = [str(table.get_row_at(i)[2]) for i in range(5)]
        assert years == ["2023", "2021", "2019", "2016", "2012"]
        assert "sorted by Year ↓" in text(app.screen.query_one("#library-summary"))


async def test_adding_a_folder_shows_progress_documents_and_failures(tmp_path):
    folder = tmp_path / "new docs"
    folder.mkdir()
    (folder / "kenya.md").write_text(unwrap(KENYA), encoding="utf-8")
    (folder / "uruguay.txt").write_text(unwrap(URUGUAY), encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"")
    app = KbApp(index=tmp_path / "index")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.kb_state == "no-index"
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert "No documents" in text(screen.query_one("#library-summary"))
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#path").value = str(folder)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#ingest").display  # the progress panel is shown while adding
        await settle(pilot)

        assert screen.progress_events >= 1
        bar = screen.query_one("#ingest-progress")
        assert bar.total and bar.progress == bar.total
        status = text(screen.query_one("#ingest-status"))
        assert "Added 2" in status and "failed 1" in status
        failures = screen.query_one("#failures")
        assert failures.display and failures.row_count == 1
        path, reason = failures.get_row_at(0)
        assert str(path).endswith("broken.pdf") and reason == "empty file"
        rows_before = screen.query_one("#documents").size.height
        await pilot.press("d")  # hide the report: the table takes the screen back
        await pilot.pause()
        assert not screen.query_one("#ingest").display and not failures.display
        assert screen.query_one("#documents").size.height > rows_before
        table = screen.query_one("#documents")
        assert table.row_count == 2
        assert app.kb_state == "ready"

        await pilot.press("f2")  # the home screen no longer asks for documents
        await settle(pilot)
        assert "There is no knowledge base" not in text(app.screen.query_one("#answer"))


async def test_an_unreadable_folder_is_explained_in_a_dialog(tmp_path):
    app = KbApp(index=tmp_path / "index")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#path").value = str(tmp_path / "no such folder")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert type(dialog).__name__ == "ErrorDialog"
        assert "no such file or folder" in text(dialog.query_one("#error-message"))
        assert "try again" in text(dialog.query_one("#error-advice"))
        await pilot.press("escape")
        assert type(app.screen).__name__ == "LibraryScreen"


async def test_stop_key_ends_adding_and_keeps_what_was_added(tmp_path, monkeypatch):
    from ingest.run import IngestRunner

    monkeypatch.setattr("ingest.run.EMBED_GROUP", 1)  # one document per commit
    commit = IngestRunner._embed_and_commit

    def commit_then_wait_for_stop(runner, group):  # the second document waits until the stop key is pressed
        if runner.report.added:
            assert runner.cancel.wait(timeout=30)
        commit(runner, group)

    monkeypatch.setattr(IngestRunner, "_embed_and_commit", commit_then_wait_for_stop)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(4):
        (folder / f"kenya{i}.md").write_text(f"Copy {i}. " + unwrap(KENYA), encoding="utf-8")
    app = KbApp(index=tmp_path / "index")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#path").value = str(folder)
        await pilot.press("enter")
        for _ in range(300):
            await pilot.pause(0.05)
            if screen.progress_events:
                break
        assert screen.ingesting and screen.progress_events
        await pilot.press("x")
        await settle(pilot)
        assert not screen.ingesting
        assert "stopped: what was added is kept" in text(screen.query_one("#ingest-status"))
        assert 1 <= screen.query_one("#documents").row_count < 4


async def test_every_column_fits_at_140_columns(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    long_title = "# " + "A very long report title about the extension of social protection " * 3
    (folder / "kenya.md").write_text(long_title + "\n\n" + unwrap(KENYA), encoding="utf-8")
    app = KbApp(index=tmp_path / "index")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.backend.get().ingest([folder])
        app.index_version += 1
        await pilot.press("f5")
        await settle(pilot)
        table = app.screen.query_one("#documents")
        assert table.row_count == 1
        widths = {str(key.value): c.get_render_width(table) for key, c in table.columns.items()}
        assert sum(w for key, w in widths.items() if key != "file") <= 140 - 20  # and the file name starts on screen
        title = str(table.get_row_at(0)[0])
        assert title.endswith("…") and len(title) <= 140 - 86
