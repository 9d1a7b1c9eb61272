"""Images (PNG, JPEG, TIFF with any number of pages) → one Document per file, each page read by OCR."""

import io
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from haystack import Document, component
from haystack.dataclasses import ByteStream
from PIL import Image, ImageSequence, UnidentifiedImageError

from ingest.ocr import PageReader
from ingest.pdf_headings import StyledLine, mark_headings
from ingest.scanned import OCR_HEADING_SCALE
from ingest.sources import read_sources
from kb.core.errors import DocumentReadError, OcrUnavailableError

# An A4 page scanned at 600 dpi is 35 million pixels; far larger "images" are decompression bombs (a few KB
# of PNG that inflate to gigabytes in memory).
MAX_PIXELS = 60_000_000
MAX_FRAMES = 2_000  # pages of one multi-page TIFF
MIN_CHARS = 20  # an image with less text (a logo, a stamp, a photograph) is not a document
SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


@component
class ImageToDocument:
    """Reads scanned pages stored as image files; refuses bombs, truncated files and images without text."""

    def __init__(self, ocr: PageReader | None = None) -> None:
        self.ocr = ocr

    @component.output_types(documents=list[Document])
    def run(
        self,
        sources: list[str | Path | ByteStream],
        meta: dict[str, Any] | list[dict[str, Any]] | None = None,
    ) -> dict[str, list[Document]]:
        """OCR each image file; raises DocumentReadError for a file that cannot be read or holds no text."""
        return {"documents": [self._convert(data, name, extra) for data, name, extra in read_sources(sources, meta)]}

    def _convert(self, data: bytes, name: str, meta: dict[str, Any]) -> Document:
        if self.ocr is None:
            raise DocumentReadError(name, "image file: needs OCR, which is off (KB_OCR=off or no OCR engine)")
        pages: list[list[StyledLine]] = []
        confidences: dict[str, float] = {}
        for number, (frame, count) in enumerate(_frames(data, name), start=1):
            try:
                read = self.ocr.read(frame, name, number, count)
            except OcrUnavailableError as error:
                raise DocumentReadError(name, f"OCR failed on page {number} ({error})") from None
            pages.append([StyledLine(text, size) for text, size in read.lines()])
            if read.text.strip():
                confidences[str(number)] = read.confidence
        text = "".join(line.text for page in pages for line in page)
        if sum(not char.isspace() for char in text) < MIN_CHARS:  # logos, stamps, noise
            raise DocumentReadError(name, "OCR found no text in the image")
        return Document(content="\f".join(mark_headings(pages, scale=OCR_HEADING_SCALE)), meta={
            **meta, "source_format": "image", "heading_markup": True, "pages": len(pages), "ocr_pages": confidences,
        })


def _frames(data: bytes, name: str) -> Iterator[tuple[Image.Image, int]]:
    """Each page of the image in grey levels with the image's page count, one at a time (a long TIFF is never
    held whole); DocumentReadError for bombs and broken files."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                width, height = frame.size
                if width * height > MAX_PIXELS:
                    raise DocumentReadError(name, f"image too large (page {number}: {width:,} x {height:,} "
                                                  f"pixels; kb reads up to {MAX_PIXELS:,})")
                if number > MAX_FRAMES:
                    raise DocumentReadError(name, f"too many pages in one image file (over {MAX_FRAMES:,})")
                yield frame.convert("L"), min(getattr(image, "n_frames", 1), MAX_FRAMES)
    except DocumentReadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DocumentReadError(name, "image too large (decompression bomb)") from None
    except UnidentifiedImageError:
        raise DocumentReadError(name, "not an image kb can read (corrupt, or an unsupported format)") from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:  # how PIL reports truncated, malformed data
        raise DocumentReadError(name, f"truncated or corrupt image ({error})") from None
