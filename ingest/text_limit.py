"""A cap on one document's text, whatever its format: a 30 MB HTML page of 29 million characters made 22,690
passages and 1.2 GB more memory. PDFs are cut earlier, page by page (ingest/pdf_converter.py)."""

from haystack import Document, component

from ingest.limits import MAX_TEXT_CHARS
from kb.core.errors import DocumentReadError


@component
class TextLimit:
    """Passes documents on unchanged, or raises DocumentReadError for one whose text is over `max_chars`."""

    def __init__(self, max_chars: int = MAX_TEXT_CHARS) -> None:
        if max_chars < 1:
            raise ValueError(f"max_chars must be at least 1, not {max_chars}")
        self.max_chars = max_chars

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        """The same documents; raises for a text too long to convert in bounded memory and time."""
        for doc in documents:
            size = len(doc.content or "")
            if size > self.max_chars:
                raise DocumentReadError(
                    str(doc.meta.get("file_path") or doc.meta.get("path") or "document"),
                    f"too much text for one document ({size:,} characters; kb indexes up to {self.max_chars:,}): "
                    "split it into smaller files",
                )
        return {"documents": documents}
