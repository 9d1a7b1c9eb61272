"""A scanned report through the CLI: `kb ingest` reads it by OCR, `kb ask` quotes it and says "(OCR)" next to
the page; `--no-ocr` and `KB_OCR=off` report it as needing OCR instead; a second run reads no page again."""

import json
from pathlib import Path

import pytest

from kb import cli
from tests.ingest.scans import PAGES, image_pdf, scanned_page

pytestmark = pytest.mark.slow
pytest.importorskip("rapidocr")


@pytest.fixture(scope="module")
def scans_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scans")
    pdf, index = PAGES["en"]
    (folder / "kenya-scan.pdf").write_bytes(image_pdf([scanned_page(pdf, index)]))
    return folder


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().out


def test_a_scanned_report_is_indexed_quoted_and_cited_as_ocr(scans_folder, tmp_path, monkeypatch, capsys) -> None:
    cache = tmp_path / "ocr-cache"
    monkeypatch.setenv("KB_OCR_CACHE", str(cache))
    monkeypatch.setenv("KB_OCR", "rapidocr")
    index = str(tmp_path / "index")
    code, out = _run(capsys, "ingest", str(scans_folder), "--index", index, "--json")
    assert code == 0, out
    assert json.loads(out)["passages_added"] > 0 and json.loads(out)["ocr_pages_read"] == 1
    code, out = _run(capsys, "ask", "At what age does Kenya pay a pension to every citizen?", "--index", index,
                     "--json")
    answer = json.loads(out)
    assert not answer["abstained"], answer
    assert any(c["ocr"] and c["page"] == 1 for c in answer["citations"])
    code, out = _run(capsys, "ask", "At what age does Kenya pay a pension to every citizen?", "--index", index)
    assert "p. 1 (OCR)" in out
    pages = sorted(cache.glob("*.json"))
    assert len(pages) == 1  # one page, read once
    before = pages[0].stat().st_mtime_ns
    code, out = _run(capsys, "ingest", str(scans_folder), "--index", str(tmp_path / "other-index"), "--json")
    assert code == 0 and pages[0].stat().st_mtime_ns == before  # another index: the page comes from the cache
    assert json.loads(out)["ocr_pages_read"] == 0 and json.loads(out)["ocr_pages_cached"] == 1


@pytest.mark.parametrize("how", ["--no-ocr", "KB_OCR=off"])
def test_without_ocr_the_scan_is_reported_as_needing_it(scans_folder, tmp_path, monkeypatch, capsys, how) -> None:
    monkeypatch.setenv("KB_OCR_CACHE", str(tmp_path / "ocr-cache"))
    argv = ["ingest", str(scans_folder), "--index", str(tmp_path / "index"), "--json"]
    if how == "--no-ocr":
        argv.append("--no-ocr")
    else:
        monkeypatch.setenv("KB_OCR", "off")
    code, out = _run(capsys, *argv)
    report = json.loads(out)
    assert code == 1
    assert any("needs OCR" in str(failure) for failure in report["failed"]), report["failed"]


def test_progress_counts_scanned_pages_with_the_time_their_document_still_needs(tmp_path, monkeypatch) -> None:
    from kb.service import KnowledgeBase

    monkeypatch.setenv("KB_OCR_CACHE", str(tmp_path / "ocr-cache"))
    monkeypatch.setenv("KB_OCR", "rapidocr")
    folder = tmp_path / "docs"
    folder.mkdir()
    pdf, index = PAGES["es"]
    (folder / "two-pages.pdf").write_bytes(image_pdf([scanned_page(pdf, index), scanned_page(pdf, index, seed=7)]))
    events = []
    with KnowledgeBase(index=tmp_path / "index") as kb:
        kb.ingest([folder], progress=events.append)
    labels = [e.current for e in events if e.current.startswith("OCR")]
    assert labels[0].startswith("OCR p. 1/2 of two-pages.pdf, ~") and labels[0].endswith(" s left")
    assert labels[1] == "OCR p. 2/2 of two-pages.pdf"
    assert events[-1].ocr_pages == 2 and events[-1].files_done == 1
