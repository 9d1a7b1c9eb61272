"""Plain-text and Markdown files → Documents, decoding UTF-8/UTF-16 (BOM), else cp1252/Latin-1; a plain-text
heading underlined with '===' or '---' becomes a Markdown heading line, so its section is recorded."""

import re
from pathlib import Path
from typing import Any, Literal

from haystack import Document, component
from haystack.dataclasses import ByteStream

from ingest.decoding import decode_text
from ingest.sources import read_sources

_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")
_MAX_HEADING_WORDS = 15


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
        for data, name, source_meta in read_sources(sources, meta):
            text = decode_text(data, name)
            extra_meta: dict[str, Any] = {"source_format": self.source_format}
            if self.source_format == "text":
                text, found = underlined_headings(text)
                if found:
                    extra_meta["heading_markup"] = True
            documents.append(Document(content=text, meta={**source_meta, **extra_meta}))
        return {"documents": documents}


def underlined_headings(text: str) -> tuple[str, bool]:
    """The text with each underlined heading ('2. DESIGN' over '---------') as a '#'/'##' line, and whether it
    had any. Body lines that start like a Markdown heading keep a full-width sign."""
    lines = text.split("\n")
    out: list[str] = []
    found = False
    index = 0
    while index < len(lines):
        line = lines[index]
        under = _UNDERLINE.match(lines[index + 1]) if index + 1 < len(lines) else None
        words = line.split()
        if under and words and len(words) <= _MAX_HEADING_WORDS and len(under.group(1)) >= 3:
            out.append(f"{'#' if under.group(1)[0] == '=' else '##'} {line.strip()}")
            found = True
            index += 2
            continue
        out.append(f"＃{line[1:]}" if re.match(r"^#{1,6}\s", line) else line)
        index += 1
    return ("\n".join(out), True) if found else (text, False)
