"""A scanned copy of corpus documents answers their dev questions as the text version does: the three country
studies in English, French and Spanish, every page rendered, turned, blurred and speckled into a PDF without a
text layer, indexed by OCR, and asked the dev questions whose answers they hold."""

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from kb.evaluate import evaluate_one, load_questions
from kb.service import KnowledgeBase
from tests.ingest.scans import CORPUS, image_pdf, scanned_page

pytestmark = pytest.mark.slow
pytest.importorskip("rapidocr")

STUDIES = ["kenya_inua_jamii.pdf", "senegal_couverture_maladie_universelle.pdf", "espana_ingreso_minimo_vital.pdf"]
QUESTIONS = CORPUS.parent / "questions.jsonl"



def _outcomes(index: Path, questions: Path) -> dict[str, object]:
    """The graded dev questions whose answers the three studies hold."""
    with KnowledgeBase(index=index) as kb:
        return {q.id: evaluate_one(kb, q, "hybrid") for q in load_questions(questions)
                if q.answerable and any(a.path.name in STUDIES for a in q.answers)}


def test_scanned_copies_answer_like_the_text_pdfs(corpus_index, ocr_cache, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KB_OCR_CACHE", str(ocr_cache))
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS.parent, copy, ignore=shutil.ignore_patterns("sources", "*.py", "__pycache__"))
    for name in STUDIES:
        source = CORPUS / "country_studies" / name
        pages = len(pdfium.PdfDocument(source))
        (copy / "docs" / "country_studies" / name).write_bytes(
            image_pdf([scanned_page(source, i, seed=i) for i in range(pages)]))
    with KnowledgeBase(index=tmp_path / "index") as kb:
        report = kb.ingest([copy])
    assert not report.failed and report.ocr_pages_read + report.ocr_pages_cached == 10  # every scanned page
    text = _outcomes(corpus_index, QUESTIONS)
    scan = _outcomes(tmp_path / "index", copy / "questions.jsonl")  # answer paths resolve inside the copy
    assert text.keys() == scan.keys() and len(text) >= 10

    def hit5(outcomes) -> float:
        return sum(1 for o in outcomes.values() if o.hit_rank and o.hit_rank <= 5) / len(outcomes)

    assert hit5(scan) >= hit5(text) - 0.05, {q: (text[q].hit_rank, scan[q].hit_rank) for q in text}

    def pages(outcome) -> set[tuple[str, int | None]]:
        return {(Path(c.path).name, c.page) for c in outcome.answer.citations if Path(c.path).name in STUDIES}

    same = sum(1 for q in text if pages(text[q]) == pages(scan[q]))
    assert same >= 0.7 * len(text), {q: (pages(text[q]), pages(scan[q])) for q in text}
    for outcome in scan.values():
        assert all(c.ocr for c in outcome.answer.citations if Path(c.path).name in STUDIES)  # said to be scans
        assert outcome.valid_quotes == outcome.quotes  # verbatim to the OCR text
