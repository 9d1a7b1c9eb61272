"""Scanned documents through the whole conversion: image-only and mixed PDFs, image files (multi-page TIFF
too), the bad inputs of image files, and OCR passages cited as such."""

import io
from pathlib import Path

import pytest
from PIL import Image

from ingest.convert import Converter
from ingest.ocr import page_reader
from kb.core.errors import DocumentReadError
from tests.ingest.scans import PAGES, image_pdf, mixed_pdf, scanned_page

pytestmark = pytest.mark.slow
pytest.importorskip("rapidocr")


@pytest.fixture(scope="module")
def ocr_converter(model_path, ocr_cache) -> Converter:
    """A Converter with RapidOCR and the session's cache: each distinct scan is read once."""
    return Converter(model_path, ocr=page_reader("rapidocr", ocr_cache))


@pytest.fixture(scope="module")
def scans() -> dict[str, Image.Image]:
    return {lang: scanned_page(pdf, index) for lang, (pdf, index) in PAGES.items()}


def _convert(converter: Converter, path: Path):
    return converter.convert(path, doc_id="doc1", stored_path=path.name)


def test_an_image_only_pdf_becomes_passages_marked_as_ocr_on_their_pages(ocr_converter, scans, tmp_path) -> None:
    path = tmp_path / "scanned-study.pdf"
    path.write_bytes(image_pdf([scans["en"], scans["fr"]]))
    document, passages = _convert(ocr_converter, path)
    assert document.pages == 2
    text = " ".join(p.content for p in passages)
    assert "Kenya" in text and "Sénégal" in text
    for passage in passages:
        meta = passage.meta
        assert meta["ocr_pages"] and set(meta["ocr_pages"]) <= {1, 2}
        assert meta["page_start"] in meta["ocr_pages"] and 0.9 < meta["ocr_confidence"] <= 1.0


def test_a_mixed_pdf_keeps_its_text_page_and_reads_only_the_scanned_one(ocr_converter, scans, tmp_path) -> None:
    path = tmp_path / "mixed.pdf"
    path.write_bytes(mixed_pdf(PAGES["en"][0], scans["es"]))
    _, passages = _convert(ocr_converter, path)
    first = [p for p in passages if p.meta["page_end"] == 1]
    second = [p for p in passages if p.meta["page_start"] == 2]
    assert first and second
    assert all("ocr_pages" not in p.meta for p in first)  # the text layer, as it is
    assert all(p.meta["ocr_pages"] == [2] for p in second)


def test_image_files_and_multi_page_tiffs_are_documents(ocr_converter, scans, tmp_path) -> None:
    png = tmp_path / "decree.png"
    scans["es"].save(png)
    document, passages = _convert(ocr_converter, png)
    assert document.pages == 1 and passages[0].meta["page_start"] == 1 and passages[0].meta["ocr_pages"] == [1]
    tiff = tmp_path / "annex.tiff"
    scans["en"].save(tiff, save_all=True, append_images=[scans["fr"]], compression="tiff_deflate")
    document, passages = _convert(ocr_converter, tiff)
    assert document.pages == 2 and {p.meta["page_start"] for p in passages} == {1, 2}
    assert document.lang in ("en", "fr")


def _bomb() -> bytes:
    """A PNG of a few kilobytes that declares 400 million pixels."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000), 1).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _truncated(scans: dict[str, Image.Image]) -> bytes:
    out = io.BytesIO()
    scans["en"].save(out, format="PNG")
    return out.getvalue()[: len(out.getvalue()) // 2]


def _noise() -> bytes:
    import numpy as np

    pixels = np.random.default_rng(3).integers(0, 256, (900, 700), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("bomb.png", lambda scans: _bomb(), "image too large"),
    ("cut.png", _truncated, "truncated or corrupt image"),
    ("empty.jpg", lambda scans: b"", "empty file"),
    ("fake.tiff", lambda scans: b"II*\x00 not really a tiff at all", "not an image kb can read"),
    ("noise.png", lambda scans: _noise(), "OCR found no text in the image"),
])
def test_bad_image_files_are_refused_with_a_reason(ocr_converter, scans, tmp_path, name, make, reason) -> None:
    path = tmp_path / name
    path.write_bytes(make(scans))
    with pytest.raises(DocumentReadError) as info:
        _convert(ocr_converter, path)
    assert info.value.reason.startswith(reason), info.value.reason


def test_without_ocr_scans_are_reported_as_needing_it(converter, scans, tmp_path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf([scans["en"]]))
    with pytest.raises(DocumentReadError, match="needs OCR"):
        _convert(converter, path)
    image = tmp_path / "scan.png"
    scans["en"].save(image)
    with pytest.raises(DocumentReadError, match="needs OCR"):
        _convert(converter, image)
