"""DOCX → Document with python-docx, Heading/Title styles kept as Markdown heading lines."""

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph
from haystack import Document, component
from haystack.dataclasses import ByteStream

from ingest.archive import check_docx_archive
from ingest.sources import read_sources
from kb.core.errors import DocumentReadError

_HEADING_STYLE = re.compile(r"^(?:heading|titre|t[íi]tulo)\s*(\d)$", re.IGNORECASE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@component
class DocxToDocument:
    """
    Converts DOCX files to text whose headings are Markdown heading lines ('## Section').

    Written because Haystack's DOCXToDocument flattens Heading styles into plain paragraphs, so no passage could
    know its section (measured in ingest/NOTES.md).
    """

    @component.output_types(documents=list[Document])
    def run(
        self,
        sources: list[str | Path | ByteStream],
        meta: dict[str, Any] | list[dict[str, Any]] | None = None,
    ) -> dict[str, list[Document]]:
        """Convert each DOCX; raises DocumentReadError for a file that cannot be read."""
        documents = []
        for data, name, source_meta in read_sources(sources, meta):
            document = _open(data, name)
            text = "\n\n".join(block for block in _blocks(document) if block.strip())
            if not text.strip():
                raise DocumentReadError(name, "no text in DOCX")
            properties = _properties(document)
            doc_meta = {
                **source_meta,
                "source_format": "docx",
                "heading_markup": True,
                "properties": properties,
            }
            documents.append(Document(content=text, meta=doc_meta))
        return {"documents": documents}


def _open(data: bytes, name: str) -> DocxDocument:
    """The parsed DOCX, or a DocumentReadError saying why it is not one."""
    if data.startswith(_OLE_MAGIC):
        raise DocumentReadError(name, "not a valid DOCX (encrypted or legacy .doc file)")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocumentReadError(name, "not a valid DOCX (not a zip archive)")
    check_docx_archive(data, name)
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - python-docx raises KeyError, ValueError or lxml errors
        raise DocumentReadError(name, f"not a valid DOCX ({type(error).__name__})") from None


def _blocks(document: DocxDocument) -> list[str]:
    """Paragraphs (headings marked with '#') and table rows ('a | b'), in reading order."""
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.append(_paragraph(item))
        elif isinstance(item, Table):
            rows = [" | ".join(_unique_cells(row.cells)) for row in item.rows]
            blocks.append("\n".join(row for row in rows if row.strip(" |")))
    return blocks


def _paragraph(paragraph: Paragraph) -> str:
    """A paragraph's text, prefixed with '#'s when its style is Title or Heading N."""
    text = " ".join(paragraph.text.split())
    style = paragraph.style.name if paragraph.style is not None else ""
    if not text:
        return ""
    if style == "Title":
        return f"# {text}"
    match = _HEADING_STYLE.match(style)
    return f"{'#' * min(6, int(match.group(1)))} {text}" if match else text


def _unique_cells(cells: list[Any]) -> list[str]:
    """Cell texts of a row, merged cells (repeated by python-docx) kept once."""
    texts: list[str] = []
    seen: set[int] = set()
    for cell in cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            texts.append(" ".join(cell.text.split()))
    return texts


def _properties(document: DocxDocument) -> dict[str, Any]:
    """Title, author, language and dates from the DOCX core properties."""
    core = document.core_properties
    created = core.created or core.modified
    return {
        "title": core.title or None,
        "author": core.author or None,
        "lang": core.language or None,
        "file_date": str(created.year) if created else None,
        "keywords": core.keywords or None,
    }
