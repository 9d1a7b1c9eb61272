"""Scans the tests make themselves: pages of the bundled corpus PDFs rendered to images, turned a little,
blurred and speckled as a photocopier would, and saved as image files or as PDFs without a text layer."""

import io
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "docs"
# One page each in English, French and Spanish (country studies and a report of the bundled corpus).
PAGES = {
    "en": (CORPUS / "country_studies" / "kenya_inua_jamii.pdf", 0),
    "fr": (CORPUS / "country_studies" / "senegal_couverture_maladie_universelle.pdf", 0),
    "es": (CORPUS / "country_studies" / "espana_ingreso_minimo_vital.pdf", 0),
}


def page_text(pdf_path: Path, index: int) -> str:
    """The page's own text layer (what the scan must read back)."""
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        page = pdf[index]
        text = page.get_textpage().get_text_bounded()
        page.close()
        return text
    finally:
        pdf.close()


def scanned_page(pdf_path: Path, index: int, *, dpi: int = 200, angle: float = 1.2, blur: float = 0.6,
                 noise: int = 18, seed: int = 0) -> Image.Image:
    """A grey-level image of one page as a scanner gives it: slightly turned, soft and speckled."""
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        page = pdf[index]
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        page.close()
    finally:
        pdf.close()
    image = image.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BILINEAR)
    image = image.filter(ImageFilter.GaussianBlur(blur))
    pixels = np.asarray(image).astype(np.int16)
    pixels += np.random.default_rng(seed).integers(-noise, noise + 1, pixels.shape, dtype=np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def image_pdf(images: list[Image.Image], dpi: int = 200) -> bytes:
    """A PDF whose pages are the images only (no text layer), as a scanner writes it."""
    out = io.BytesIO()
    first, *rest = [image.convert("RGB") for image in images]
    first.save(out, format="PDF", save_all=True, append_images=rest, resolution=dpi)
    return out.getvalue()


def mixed_pdf(text_pdf: Path, scan: Image.Image, dpi: int = 200) -> bytes:
    """The text PDF's first page as it is (text layer), followed by one scanned page."""
    pdf = pdfium.PdfDocument(text_pdf)
    scanned = pdfium.PdfDocument(image_pdf([scan], dpi))
    try:
        out = pdfium.PdfDocument.new()
        out.import_pages(pdf, [0])
        out.import_pages(scanned, [0])
        buffer = io.BytesIO()
        out.save(buffer)
        out.close()
        return buffer.getvalue()
    finally:
        scanned.close()
        pdf.close()
