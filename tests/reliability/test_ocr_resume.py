"""A run killed while it reads a scanned document keeps every page it finished: the next run reads only the
pages that were not done, and indexes the document whole."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.conftest import ROOT

pytestmark = pytest.mark.slow
pytest.importorskip("rapidocr")

KILLED_RUN = r"""
import os, signal, sys
from pathlib import Path
import ingest.ocr
from kb.service import KnowledgeBase

read, done = ingest.ocr.read_page, []

def read_then_die(engine, image):
    if len(done) == 2:  # two pages finished and cached: die on the third, as a power cut would
        os.kill(os.getpid(), signal.SIGKILL)
    done.append(1)
    return read(engine, image)

ingest.ocr.read_page = read_then_die
with KnowledgeBase(index=Path(sys.argv[2])) as kb:
    kb.ingest([Path(sys.argv[1])])
"""


def test_a_killed_scan_resumes_from_its_finished_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.service import KnowledgeBase
    from tests.ingest.scans import PAGES, image_pdf, scanned_page

    docs = tmp_path / "docs"
    docs.mkdir()
    # Three different pages: identical pages would give identical passages, which the index keeps once.
    pages = [scanned_page(*PAGES[lang], seed=11) for lang in ("en", "fr", "es")]
    (docs / "scan.pdf").write_bytes(image_pdf(pages))
    env = {**os.environ, "KB_OCR_CACHE": str(tmp_path / "ocr-cache"), "KB_OCR": "rapidocr"}
    done = subprocess.run([sys.executable, "-c", KILLED_RUN, str(docs), str(tmp_path / "index")], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == -9, done.stderr[-2000:]
    assert len(list((tmp_path / "ocr-cache").glob("*.json"))) == 2
    monkeypatch.setenv("KB_OCR_CACHE", env["KB_OCR_CACHE"])
    monkeypatch.setenv("KB_OCR", "rapidocr")
    with KnowledgeBase(index=tmp_path / "index") as kb:
        report = kb.ingest([docs])
        indexed = {p.meta["page_start"] for p in kb.store().filter_documents()}
    assert report.added == 1 and not report.failed
    assert (report.ocr_pages_cached, report.ocr_pages_read) == (2, 1)
    assert indexed == {1, 2, 3}
