"""The seam between the service and a store backend: what `kb` calls, whatever holds the passages.

`index.store.LocalStore` (FAISS + SQLite) is the reference implementation; a second backend
(Milvus) implements the same methods so that ingestion, answers and the TUI work unchanged.
Passages are Haystack `Document`s whose `meta` carries the keys documented in `ingest/convert.py`.
"""

from collections.abc import Collection
from typing import Any, Protocol

from haystack import Document
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy

from index.manifest import Manifest
from kb.core.models import FileRecord, SourceDocument


class KnowledgeStore(Protocol):
    """A knowledge-base store: passages with vectors and metadata, their documents and files."""

    manifest: Manifest  # embedding model identity, dimension, chunking; checked on open
    lock_wait: float  # seconds a writer waits for another writer before `IndexLockedError`

    # Haystack DocumentStore protocol (plus delete_by_filter, update_by_filter, metadata aggregates)
    def count_documents(self) -> int: ...
    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[Document]: ...
    def write_documents(self, documents: list[Document], policy: Any = ...) -> int: ...
    def delete_documents(self, document_ids: list[str]) -> None: ...

    # retrieval: filters are Haystack filter dicts applied inside the search (exact filtered top-k)
    def embedding_search(self, query_embedding: Any, filters: dict[str, Any] | None = None, top_k: int = 10) -> list[Document]: ...
    def keyword_search(self, query: str, filters: dict[str, Any] | None = None, top_k: int = 10) -> list[Document]: ...
    def facet_counts(self, field: str, filters: dict[str, Any] | None = None) -> dict[Any, int]: ...

    # documents, passages in reading order, files (ingestion bookkeeping)
    def commit(
        self,
        *,
        passages: list[Document] = ...,
        documents: list[SourceDocument] = ...,
        files: list[FileRecord] = ...,
        replace_doc_ids: list[str] = ...,
    ) -> None: ...
    def forget_files(self, paths: list[str]) -> int: ...
    def file_records(self) -> dict[str, FileRecord]: ...
    def documents(self) -> list[SourceDocument]: ...
    def document(self, doc_id: str) -> SourceDocument | None: ...
    def document_passages(self, doc_id: str, start: int | None = None, end: int | None = None) -> list[Document]: ...
    def passages_by_id(self, ids: list[str], *, embeddings: bool = False) -> list[Document]: ...
    def passage_ids(self) -> list[str]: ...

    # housekeeping
    @property
    def vector_kind(self) -> str: ...
    def size_on_disk(self) -> int: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...


def check_documents(documents: Any) -> None:
    """`write_documents`' argument check (Haystack's contract): a list of Documents, else ValueError."""
    if not isinstance(documents, list) or not all(isinstance(d, Document) for d in documents):
        raise ValueError("write_documents() expects a list of haystack Document objects")


def passages_to_write(
    documents: list[Document], existing: Collection[str], policy: DuplicatePolicy
) -> dict[str, Document]:
    """The passages a `write_documents` call writes, by id, under Haystack's `policy` (`NONE` behaves as `FAIL`;
    `OVERWRITE`: the last of repeated ids wins), the same for every backend; `documents` passed `check_documents`."""
    batch: dict[str, Document] = {}
    for doc in documents:
        if doc.id in existing or doc.id in batch:
            if policy in (DuplicatePolicy.NONE, DuplicatePolicy.FAIL):
                raise DuplicateDocumentError(f"a document with id '{doc.id}' already exists")
            if policy == DuplicatePolicy.SKIP:
                continue
            batch.pop(doc.id, None)
        batch[doc.id] = doc
    return batch
