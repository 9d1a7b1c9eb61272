"""OCR speed: pages/s of kb's OCR path against the engine alone, and the time to ingest a scanned report.

Usage: `.venv/bin/python -m bench.ocr_speed [--pages 8] [--runs 3] [--report-pages 100]`.

The pages are scans made here (tests/ingest/scans.py): pages of the bundled corpus PDFs rendered at 200 dpi,
turned 1.2°, blurred and speckled. Each round, interleaved: `engine` is the engine's own call on each page
image (`lines`: detection and recognition); `kb` is what ingestion calls (`PageReader.read`: the same call,
reading order, the orientation check and the cache write, into an empty cache). Figures are medians over
rounds, for each engine installed (RapidOCR always; Tesseract when on the PATH with fra and spa data). Then one
image-only PDF of `--report-pages` pages is ingested end to end (`KnowledgeBase.ingest`, default OCR engine,
empty cache): seconds and pages/s. Results: bench/results/ocr_speed.json.
"""

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import kb  # noqa: F401  (keeps the hub offline)
from bench.common import ROOT, header, log, median, target, write_json

TARGET_RATIO = 0.9


def _pages(count: int) -> list[Any]:
    """`count` scanned page images cycling over the bundled corpus PDFs' pages (a different speckle each)."""
    import pypdfium2 as pdfium

    from tests.ingest.scans import scanned_page

    sources = []
    for pdf in sorted((ROOT / "corpus" / "docs").rglob("*.pdf")):
        sources += [(pdf, index) for index in range(len(pdfium.PdfDocument(pdf)))]
    return [scanned_page(*sources[i % len(sources)], seed=i) for i in range(count)]


def _engines() -> dict[str, Any]:
    from ingest.ocr import RapidOcrEngine, TesseractEngine, _tesseract_has_languages

    engines: dict[str, Any] = {"rapidocr": RapidOcrEngine()}
    if _tesseract_has_languages():
        engines["tesseract"] = TesseractEngine()
    return engines


def _round(engine: Any, images: list[Any]) -> dict[str, float]:
    """Pages/s of the engine alone and of kb's reader over the same images, one after the other."""
    from ingest.ocr import OcrCache, PageReader

    started = time.perf_counter()
    for image in images:
        engine.lines(image)
    alone = len(images) / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory(prefix="kb-ocr-bench-") as cache:
        reader = PageReader(engine.name, lambda: engine, OcrCache(Path(cache)))
        started = time.perf_counter()
        for image in images:
            reader.read(image)
        through_kb = len(images) / (time.perf_counter() - started)
    return {"engine": round(alone, 3), "kb": round(through_kb, 3)}


def _report_ingest(pages: int) -> dict[str, Any]:
    """Ingest one image-only PDF of `pages` scanned pages into a fresh index with an empty OCR cache."""
    import os

    from kb.service import KnowledgeBase
    from tests.ingest.scans import image_pdf

    with tempfile.TemporaryDirectory(prefix="kb-ocr-report-") as folder:
        root = Path(folder)
        (root / "docs").mkdir()
        (root / "docs" / "scanned-report.pdf").write_bytes(image_pdf(_pages(pages)))
        before = os.environ.get("KB_OCR_CACHE")
        os.environ["KB_OCR_CACHE"] = str(root / "ocr-cache")  # empty: every page is read
        try:
            started = time.perf_counter()
            with KnowledgeBase(index=root / "index") as base:
                report = base.ingest([root / "docs"])
            seconds = time.perf_counter() - started
        finally:
            if before is None:
                os.environ.pop("KB_OCR_CACHE", None)
            else:
                os.environ["KB_OCR_CACHE"] = before
    return {"pages": pages, "seconds": round(seconds, 1), "pages_per_s": round(pages / seconds, 3),
            "passages": report.passages_added, "ocr_pages_read": report.ocr_pages_read,
            "failed": report.failed}


def targets(results: dict[str, Any], report: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for name, figures in results.items():
        ratio = figures["kb_pages_per_s"] / figures["engine_pages_per_s"]
        rows.append(target(
            f"OCR through kb vs the engine alone ({name})", f">= {TARGET_RATIO}x the engine's pages/s",
            f"{figures['kb_pages_per_s']:.2f} vs {figures['engine_pages_per_s']:.2f} pages/s: {ratio:.2f}x "
            f"({1 / figures['kb_pages_per_s']:.1f} s a page)",
            ratio >= TARGET_RATIO, f"{name} alone, same rounds"))
    if report:
        rows.append(target(
            f"ingest a {report['pages']}-page scanned report", "informational",
            f"{report['seconds']:.0f} s ({report['pages_per_s']:.2f} pages/s, {report['passages']} passages)",
            None, "default engine, empty OCR cache"))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8, help="scanned pages read per round")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--report-pages", type=int, default=100, help="pages of the ingested report (0: none)")
    args = parser.parse_args(argv)
    images = _pages(args.pages)
    results: dict[str, Any] = {}
    for name, engine in _engines().items():
        engine.lines(images[0])  # warm-up: sessions and first-call allocations
        rounds = []
        for run in range(args.runs):
            rounds.append(_round(engine, images))
            log(f"  {name} round {run + 1}: engine {rounds[-1]['engine']:.2f} pages/s, kb {rounds[-1]['kb']:.2f}")
        results[name] = {"rounds": rounds, "engine_pages_per_s": median([r["engine"] for r in rounds]),
                         "kb_pages_per_s": median([r["kb"] for r in rounds])}
    report = _report_ingest(args.report_pages) if args.report_pages else None
    if report:
        log(f"  {report['pages']}-page scanned report ingested in {report['seconds']} s")
    payload = {**header({"pages": args.pages, "runs": args.runs, "report_pages": args.report_pages}),
               "results": results, "report": report, "targets": targets(results, report)}
    for row in payload["targets"]:
        log(f"{row['target']}: {row['measured']}")
    print(f"written to {write_json('ocr_speed', payload)}")


if __name__ == "__main__":
    main()
