"""Command-line rendering: the ingestion progress bar says what it knows, never "0/None files"."""

import io

from rich.console import Console

from ingest.run import Progress
from kb import render


def test_files_label_before_and_after_the_number_of_files_is_known():
    assert "None" not in render.files_label(0, None) and "preparing" in render.files_label(0, None)
    assert render.files_label(3, 12) == "3/12 files"


def test_progress_bar_shows_preparing_until_the_first_report():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160)
    with render.ingest_progress(console=console) as update:
        assert update is not None
        first = out.getvalue()  # drawn once on entering, before the runner has reported anything
        update(Progress(files_done=1, files_total=3, passages_done=10, seconds=2.0, current="kenya.md"))
    assert "preparing" in first and "None" not in first
    assert "1/3 files" in out.getvalue() and "None" not in out.getvalue()


def test_no_progress_bar_when_disabled():
    with render.ingest_progress(enabled=False, console=Console(file=io.StringIO())) as update:
        assert update is None
