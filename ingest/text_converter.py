"""Plain-text and Markdown files → Documents, decoding UTF-8/UTF-16 (BOM), else cp1252/Latin-1."""

from pathlib import Path
from typing import Any, Literal

from haystack import Document, component
from haystack.components.converters.utils import get_bytestream_from_source, normalize_metadata
from haystack.dataclasses import ByteStream

from ingest.decoding import decode_text


@component
class DecodingTextFileToDocument:
    """
    Like Haystack's TextFileToDocument, but it finds the encoding itself and refuses binary data.

    TextFileToDocument decodes with one fixed encoding and only logs a warning on failure, so a Latin-1 or UTF-16
    file is skipped and binary data named .txt gives no reason (measured in ingest/NOTES.md).
    """

    def __init__(self, source_format: Literal["text", "markdown"] = "text") -> None:
        """Create the converter; `source_format` is recorded in each Document's meta."""
        if source_format not in ("text", "markdown"):
            raise ValueError(f"source_format must be 'text' or 'markdown', not {source_format!r}")
        self.source_format = source_format

    @component.output_types(documents=list[Document])
    def run(
        self,
        sources: list[str | Path | ByteStream],
        meta: dict[str, Any] | list[dict[str, Any]] | None = None,
    ) -> dict[str, list[Document]]:
        """Decode each file; raises DocumentReadError for empty, binary or undecodable files."""
        documents = []
        for source, extra in zip(sources, normalize_metadata(meta, sources_count=len(sources)), strict=True):
            stream = get_bytestream_from_source(source)
            text = decode_text(stream.data, str(stream.meta.get("file_path", source)))
            documents.append(
                Document(content=text, meta={**stream.meta, **extra, "source_format": self.source_format})
            )
        return {"documents": documents}
