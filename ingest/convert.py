"""The entry point the rest of kb calls: one file in, its SourceDocument and citable passages out."""

import os
from pathlib import Path
from typing import Any

from haystack import Document
from haystack.core.errors import PipelineRuntimeError
from haystack.dataclasses import ByteStream

from ingest.catalog import CatalogEntry
from ingest.chunking import MAX_TOKENS, OVERLAP_SENTENCES
from ingest.formats import MIME_TYPES, TEXT_SUFFIXES
from ingest.limits import MAX_FILE_BYTES, MAX_TEXT_FILE_BYTES, megabytes
from ingest.ocr import PageReader
from ingest.pipeline import build_pipeline
from ingest.scan import read_verified
from kb.core.errors import DocumentReadError
from kb.core.models import SourceDocument

_MIN_HTML_WORDS = 5  # trafilatura returns a stray menu word ('Home') for pages without main text
_SILENT_FAILURES = {
    ".html": "no main text found in HTML",
    ".htm": "no main text found in HTML",
}


class Converter:
    """Converts files to passages with one Haystack pipeline, built and warmed up once."""

    def __init__(
        self, tokenizer_path: Path, max_tokens: int = MAX_TOKENS, overlap_sentences: int = OVERLAP_SENTENCES, ocr: PageReader | None = None
    ) -> None:
        """Build the pipeline; `tokenizer_path` is the local sentence-transformers model directory, `ocr` reads
        scanned pages and images (without it they are reported as needing OCR)."""
        tokenizer_path = Path(tokenizer_path)
        if not (tokenizer_path / "tokenizer.json").exists() and not (tokenizer_path / "vocab.txt").exists():
            raise ValueError(
                f"no tokenizer in {tokenizer_path}: pass the local sentence-transformers model directory"
            )
        self.max_tokens = max_tokens
        self.ocr = ocr
        self.pipeline = build_pipeline(tokenizer_path, max_tokens, overlap_sentences, ocr)
        self.pipeline.warm_up()

    def convert(
        self, path: Path, *, doc_id: str, stored_path: str, catalog: CatalogEntry | None = None,
        sha256: str | None = None,
    ) -> tuple[SourceDocument, list[Document]]:
        """The document record and its passages in reading order; DocumentReadError if the file is unreadable.

        With `sha256`, the file is read once and converted only if its bytes still have that hash
        (ContentChangedError otherwise).
        """
        path = Path(path)
        _check_readable(path)
        source: Path | ByteStream = path if sha256 is None else _verified_stream(path, sha256)
        result = self._run(source, path, doc_id, stored_path, catalog)
        routed = result.get("router", {})
        if routed.get("unclassified"):
            raise DocumentReadError(str(path), f"unsupported file type ({path.suffix or 'no extension'})")
        if routed.get("failed"):
            raise DocumentReadError(str(path), "cannot read file")
        documents = result.get("facets", {}).get("documents", [])
        if not documents:
            raise DocumentReadError(str(path), _SILENT_FAILURES.get(path.suffix.lower(), "no text found"))
        passages = result.get("attribution", {}).get("documents", [])
        words = sum(len(p.content.split()) for p in passages)
        if documents[0].meta.get("source_format") == "html" and words < _MIN_HTML_WORDS:
            raise DocumentReadError(str(path), _SILENT_FAILURES[".html"])
        if not passages:
            raise DocumentReadError(str(path), "no text found")
        return _source_document(documents[0].meta, doc_id, stored_path, len(passages)), passages

    def _run(
        self, source: Path | ByteStream, path: Path, doc_id: str, stored_path: str, catalog: CatalogEntry | None
    ) -> dict[str, Any]:
        """Run the pipeline on one file, turning a component's DocumentReadError back into itself."""
        data = {
            "router": {"sources": [source], "meta": {"doc_id": doc_id, "path": stored_path}},
            "facets": {"catalog": catalog.facets() if catalog else None},
        }
        try:
            return self.pipeline.run(data, include_outputs_from={"router", "facets"})
        except PipelineRuntimeError as error:
            cause = error.__cause__
            if isinstance(cause, DocumentReadError):
                raise DocumentReadError(str(path), cause.reason) from None
            raise


def _verified_stream(path: Path, sha256: str) -> ByteStream:
    """The file's bytes as the router would type them (Haystack's own guess from the name), hash checked."""
    mime_type = MIME_TYPES.get(path.suffix.lower())
    return ByteStream(data=read_verified(path, sha256), meta={"file_path": str(path)}, mime_type=mime_type)


def _check_readable(path: Path) -> None:
    """Raise DocumentReadError for missing, special, empty or unreadable files."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DocumentReadError(str(path), "file not found") from None
    except OSError as error:
        raise DocumentReadError(str(path), f"cannot read file ({error.strerror})") from None
    if not path.is_file():
        raise DocumentReadError(str(path), "not a regular file")
    if stat.st_size == 0:
        raise DocumentReadError(str(path), "empty file")
    _check_size(path, stat.st_size)
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except PermissionError:
        raise DocumentReadError(str(path), "permission denied") from None
    except OSError as error:
        raise DocumentReadError(str(path), f"cannot read file ({error.strerror})") from None
    if not os.access(path, os.R_OK):
        raise DocumentReadError(str(path), "permission denied")


def _check_size(path: Path, size: int) -> None:
    """Refuse files too large to convert in bounded memory and time (see ingest/limits.py)."""
    if path.suffix.lower() in TEXT_SUFFIXES and size > MAX_TEXT_FILE_BYTES:
        raise DocumentReadError(
            str(path),
            f"text file too large ({megabytes(size)}; kb indexes text files of up to "
            f"{megabytes(MAX_TEXT_FILE_BYTES)} as one document): split it into smaller files",
        )
    if size > MAX_FILE_BYTES:
        raise DocumentReadError(
            str(path), f"file too large ({megabytes(size)}; kb reads files up to {megabytes(MAX_FILE_BYTES)})"
        )


def _source_document(meta: dict[str, Any], doc_id: str, stored_path: str, passages: int) -> SourceDocument:
    """The SourceDocument of a converted file from its facet metadata."""
    return SourceDocument(
        doc_id=doc_id,
        path=stored_path,
        title=meta["title"],
        countries=list(meta["countries"]),
        regions=list(meta["regions"]),
        doc_type=meta["doc_type"],
        year=meta["year"],
        lang=meta["lang"],
        topics=list(meta["topics"]),
        pages=int(meta.get("pages") or 0),
        passages=passages,
        author=str(meta.get("author") or ""),
        publisher=str(meta.get("publisher") or ""),
        url=str(meta.get("url") or ""),
    )
