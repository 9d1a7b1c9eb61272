"""MilvusStore: the kb store seam (`index.protocol.KnowledgeStore`) on Milvus Lite or a Milvus server.

Passages live in `NAME_passages` (dense vector, BM25 sparse vector from Milvus's BM25 function,
metadata); files, documents, the manifest and the write journal in `NAME_records`. Writes are upserts
keyed by id, so re-running an ingestion never duplicates a passage. A `commit` upserts the passages,
then writes one journal row (the commit point), then applies the record changes and drops the row;
a journal row left by a crash is applied again by the next writer, so a commit that reached its
journal row always completes, and one that did not has only left passages that a rerun rewrites.
"""

import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Self

import numpy as np
from haystack import Document, default_to_dict
from haystack.document_stores.types import DuplicatePolicy

from index.manifest import FORMAT_VERSION, Manifest
from index.milvus import aggregates, ops, rows
from index.milvus.connection import connect
from index.milvus.filters import and_, compile_filters, literal
from index.milvus.journal import Journal
from index.milvus.records import Records
from index.milvus.schema import create_collections
from index.milvus.text import query_text
from index.milvus.uri import MilvusTarget, parse
from index.protocol import check_documents, passages_to_write
from kb.core.errors import IndexCorruptError, IndexIncompatibleError, IndexNotFoundError, UsageError
from kb.core.models import FileRecord, SourceDocument


class MilvusStore:
    """Passages with metadata, hybrid search, files and documents, in two Milvus collections."""

    lock_wait: float = 0.0  # kept for the protocol: Milvus takes concurrent writers, nothing to wait for

    def __init__(
        self,
        target: MilvusTarget,
        *,
        embedding_model: str | None = None,
        dimension: int | None = None,
        chunking: dict[str, Any] | None = None,
        create: bool = True,
        token: str | None = None,
    ) -> None:
        self.target = target
        self._mutex = threading.RLock()
        self._init = {"embedding_model": embedding_model, "dimension": dimension}
        self.client = connect(target, token)
        self.passages = f"{target.name}_passages"
        self.records = Records(self.client, f"{target.name}_records")
        self.manifest = self._open(embedding_model, dimension, chunking, create)
        self._last_order = 0
        self.journal = Journal(self.client, self.passages, self.records, self.manifest.dimension)
        self.journal.recover(everything=target.is_lite)  # Milvus Lite: one process, so any entry is a crash's

    @classmethod
    def from_uri(
        cls,
        uri: str,
        *,
        embedding_model: str | None = None,
        dimension: int | None = None,
        chunking: dict[str, Any] | None = None,
        create: bool = True,
        token: str | None = None,
        name: str | None = None,
    ) -> "MilvusStore":
        """Open (or create) the store at `milvus:PATH.db` or `milvus://host:port[/NAME]`."""
        return cls(parse(uri, name), embedding_model=embedding_model, dimension=dimension,
                   chunking=chunking, create=create, token=token)

    # ---- opening ----
    def _open(self, model: str | None, dimension: int | None, chunking: dict[str, Any] | None, create: bool) -> Manifest:
        stored = None
        if self.client.has_collection(self.records.collection):
            self.client.load_collection(self.records.collection)
            stored = self.records.manifest()
        if stored is None:
            if not create:
                raise IndexNotFoundError(
                    f"there is no kb index named '{self.target.name}' in Milvus at {self.target.uri}; "
                    f"build one with `kb ingest FOLDER --store {self.describe()}`"
                )
            if not model or not dimension:
                raise UsageError("a new index needs the embedding model name and its dimension")
            self._create_collections(dimension)
            if self.records.manifest() is None:  # another machine may have just created the store
                self.records.put_manifest(asdict(Manifest(embedding_model=model, dimension=dimension, chunking=chunking or {})))
            stored = self.records.manifest() or {}
        version = stored.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise IndexIncompatibleError(
                f"the kb index in Milvus at {self.target.uri} has format version {version!r}, newer than this kb "
                f"understands ({FORMAT_VERSION}); upgrade kb or re-index into a new collection name"
            )
        manifest = Manifest(**{k: v for k, v in stored.items() if k in Manifest.__dataclass_fields__})
        manifest.check_compatible(model, dimension)
        if not self.client.has_collection(self.passages):
            raise IndexCorruptError(
                f"the kb index '{self.target.name}' in Milvus at {self.target.uri} has lost its passages collection "
                f"({self.passages}); re-index into a new collection name"
            )
        self.client.load_collection(self.passages)
        return manifest

    def _create_collections(self, dimension: int) -> None:
        create_collections(self.client, self.passages, self.records.collection, dimension,
                           array_index=not self.target.is_lite)

    def describe(self) -> str:
        """The store URI, for messages."""
        if self.target.lite_path is not None:
            suffix = "" if self.target.name == "kb" else f"?name={self.target.name}"
            return f"milvus:{self.target.lite_path}{suffix}"
        scheme, address = self.target.uri.split("://", 1)
        return f"{'milvus+https' if scheme == 'https' else 'milvus'}://{address}/{self.target.name}"

    # ---- Haystack DocumentStore protocol ----
    def to_dict(self) -> dict[str, Any]:
        """Serialise the store's settings (never the token)."""
        return default_to_dict(self, uri=self.describe(), **self._init)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "MilvusStore":
        """Re-open a store from `to_dict` output."""
        return cls.from_uri(**data["init_parameters"])

    def count_documents(self) -> int:
        """Number of passages stored."""
        return ops.count(self.client, self.passages, True)

    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[Document]:
        """Passages matching Haystack `filters`, in insertion order."""
        found = list(ops.scan(self.client, self.passages, compile_filters(filters), rows.WITH_VECTOR))
        found.sort(key=lambda r: r["ord"])
        return [rows.to_document(r) for r in found]

    def write_documents(self, documents: list[Document], policy: DuplicatePolicy = DuplicatePolicy.NONE) -> int:
        """Write passages (upserts); `NONE` behaves as `FAIL`. Returns how many were written."""
        check_documents(documents)
        with self._mutex:
            batch = passages_to_write(documents, self._existing_ids([d.id for d in documents]), policy)
            self._upsert_passages(list(batch.values()))
        return len(batch)

    def delete_documents(self, document_ids: list[str]) -> None:
        """Delete passages by id; unknown ids are ignored."""
        for chunk in ops.chunks(list(document_ids)):
            self.client.delete(self.passages, ids=chunk)

    # ---- Haystack extended operations ----
    def delete_all_documents(self, recreate_index: bool = False) -> None:
        """Delete every passage, document and file record; `recreate_index` drops and recreates the collections."""
        with self._mutex:
            if recreate_index:
                self.client.drop_collection(self.passages)
                self.client.drop_collection(self.records.collection)
                self._create_collections(self.manifest.dimension)
                self.records.put_manifest(asdict(self.manifest))
                return
            self.client.delete(self.passages, filter='id != ""')
            self.records.delete_all()

    def delete_by_filter(self, filters: dict[str, Any]) -> int:
        """Delete passages matching `filters`; returns how many."""
        expr = compile_filters(filters)
        ids = [r["id"] for r in ops.scan(self.client, self.passages, expr, ["id"], ops.SCAN_BATCH_SMALL)]
        self.delete_documents(ids)
        return len(ids)

    def update_by_filter(self, filters: dict[str, Any], meta: dict[str, Any]) -> int:
        """Merge `meta` into the metadata of passages matching `filters`; returns how many."""
        with self._mutex:
            found = list(ops.scan(self.client, self.passages, compile_filters(filters), rows.WITH_VECTOR))
            updated = [rows.with_meta(r, {**r["meta"], **meta}, self.manifest.dimension) for r in found]
            ops.upsert(self.client, self.passages, updated)
        return len(updated)

    def count_documents_by_filter(self, filters: dict[str, Any]) -> int:
        """Number of passages matching `filters`."""
        return ops.count(self.client, self.passages, compile_filters(filters))

    def count_unique_metadata_by_filter(self, filters: dict[str, Any], metadata_fields: list[str]) -> dict[str, int]:
        """For each field, how many distinct values it takes among passages matching `filters`."""
        metas = list(self._metas(filters))
        return {f: len(aggregates.value_counts(metas, _key(f))) for f in metadata_fields}

    def get_metadata_fields_info(self) -> dict[str, dict[str, str]]:
        """Metadata field names and their types."""
        return aggregates.field_types(self._metas(None))

    def get_metadata_field_min_max(self, metadata_field: str) -> dict[str, Any]:
        """Smallest and largest value of a metadata field."""
        low, high = aggregates.min_max(self._metas(None), _key(metadata_field))
        return {"min": low, "max": high}

    def get_metadata_field_unique_values(
        self,
        metadata_field: str,
        search_term: str | None = None,
        from_: int = 0,
        size: int = 10,
        filters: dict[str, Any] | None = None,
    ) -> tuple[list[Any], int]:
        """A page of distinct values (stable order) and the total number of distinct values."""
        values = [v for v, _t, _n in aggregates.value_counts(self._metas(filters), _key(metadata_field))]
        if search_term:
            values = [v for v in values if search_term.lower() in str(v).lower()]
        return values[from_ : from_ + size], len(values)

    def _metas(self, filters: dict[str, Any] | None) -> Any:
        expr = compile_filters(filters)
        return (r["meta"] for r in ops.scan(self.client, self.passages, expr, ["meta"], ops.SCAN_BATCH_SMALL))

    # ---- kb: search ----
    def embedding_search(
        self, query_embedding: list[float] | np.ndarray, filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> list[Document]:
        """The `top_k` passages nearest the query (cosine), exact within `filters` (applied inside the search)."""
        expr = and_(["has_vector == true", compile_filters(filters)])
        query = np.asarray(query_embedding, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.manifest.dimension:
            raise ValueError(f"the query has {query.shape[0]} dimensions but this index holds {self.manifest.dimension}")
        if expr is False or top_k <= 0:
            return []
        return self._search([query.tolist()], "vector", {"metric_type": "COSINE"}, str(expr), top_k)

    def keyword_search(
        self, query: str, filters: dict[str, Any] | None = None, top_k: int = 10, stopwords: frozenset[str] = frozenset()
    ) -> list[Document]:
        """The `top_k` best BM25 matches (accents folded, stemmed) within `filters`, by Milvus's BM25."""
        text = query_text(query, stopwords)
        expr = compile_filters(filters)
        if text is None or expr is False or top_k <= 0:
            return []
        return self._search([text], "sparse", {"metric_type": "BM25"}, "" if expr is True else expr, top_k)

    def _search(self, data: list[Any], field: str, params: dict[str, Any], expr: str, top_k: int) -> list[Document]:
        result = self.client.search(
            self.passages, data=data, anns_field=field, search_params=params, filter=expr,
            limit=min(top_k, ops.MAX_TOP_K), output_fields=rows.READ_FIELDS,
        )
        # Milvus Lite reports BM25 as a negative distance, a server as a positive score: scores are >= 0
        score = abs if field == "sparse" else float
        return [rows.to_document(hit["entity"], embeddings=False, score=score(hit["distance"])) for hit in result[0]]

    def facet_counts(self, field: str, filters: dict[str, Any] | None = None) -> dict[Any, int]:
        """Passages per value of a metadata field, among those matching `filters`."""
        return {v: n for v, _t, n in aggregates.value_counts(self._metas(filters), _key(field))}

    # ---- kb: documents and files ----
    def commit(
        self,
        *,
        passages: list[Document] = (),  # type: ignore[assignment]
        documents: list[SourceDocument] = (),  # type: ignore[assignment]
        files: list[FileRecord] = (),  # type: ignore[assignment]
        replace_doc_ids: list[str] = (),  # type: ignore[assignment]
    ) -> None:
        """Replace documents' passages and record documents and files; see the module docstring for the guarantee."""
        with self._mutex:
            self.journal.recover()
            rows_out = self._rows(list(passages))  # validates everything before the first write
            new_docs = {r["doc_id"] for r in rows_out} | {d.doc_id for d in documents}
            for doc_id in set(replace_doc_ids) & new_docs:  # replaced by itself: drop only passages not rewritten
                self.journal.delete_passages_of(doc_id, keep=frozenset(r["id"] for r in rows_out))
            ops.upsert(self.client, self.passages, rows_out)
            self.journal.run({
                "documents": [d.to_dict() for d in documents],
                "files": [asdict(f) for f in files],
                "delete_docs": [d for d in dict.fromkeys(replace_doc_ids) if d not in new_docs],
            })

    def forget_files(self, paths: list[str]) -> int:
        """Remove file records; documents left without any file are deleted. Returns documents removed."""
        with self._mutex:
            self.journal.recover()
            files = self.records.files()
            gone = [p for p in paths if p in files]
            touched = {files[p].doc_id for p in gone if files[p].doc_id}
            remaining: dict[str, list[str]] = {}
            for rec in self.records.files_of(sorted(touched)):
                if rec.path not in gone and rec.status != "failed":
                    remaining.setdefault(rec.doc_id or "", []).append(rec.path)
            delete = sorted(d for d in touched if d not in remaining)
            repoint = {d: min(ps) for d, ps in remaining.items() if d in touched}
            self.journal.run({"repoint": repoint, "delete_docs": delete, "delete_files": gone})
        return len(delete)

    def file_records(self) -> dict[str, FileRecord]:
        """Bookkeeping rows for every path ingestion has seen."""
        return self.records.files()

    def documents(self) -> list[SourceDocument]:
        """Every indexed source document."""
        return self.records.documents()

    def document(self, doc_id: str) -> SourceDocument | None:
        """One source document."""
        return self.records.document(doc_id)

    def document_passages(self, doc_id: str, start: int | None = None, end: int | None = None) -> list[Document]:
        """A document's passages in reading order, optionally those with `start <= seq <= end`."""
        parts = [f"doc_id == {literal(doc_id)}"]
        parts += [f"seq >= {int(start)}"] if start is not None else []
        parts += [f"seq <= {int(end)}"] if end is not None else []
        found = list(ops.scan(self.client, self.passages, and_(parts), rows.READ_FIELDS))
        found.sort(key=lambda r: (r["seq"] is not None, r["seq"] or 0, r["ord"]))
        return [rows.to_document(r, embeddings=False) for r in found]

    def passages_by_id(self, ids: list[str], *, embeddings: bool = False) -> list[Document]:
        """Passages by Haystack id, in the given order."""
        fields = rows.WITH_VECTOR if embeddings else rows.READ_FIELDS
        found = {r["id"]: r for r in ops.by_keys(self.client, self.passages, "id", list(ids), fields)}
        return [rows.to_document(found[i], embeddings=embeddings) for i in ids if i in found]

    def passage_ids(self) -> list[str]:
        """Every passage id, in insertion order (what migration walks through)."""
        found = list(ops.scan(self.client, self.passages, True, ["id", "ord"], ops.SCAN_BATCH_SMALL))
        return [r["id"] for r in sorted(found, key=lambda r: r["ord"])]

    # ---- writing helpers ----
    def _existing_ids(self, ids: list[str]) -> set[str]:
        return {r["id"] for r in ops.by_keys(self.client, self.passages, "id", ids, ["id"])}

    def _rows(self, docs: list[Document]) -> list[dict[str, Any]]:
        """Rows for `docs` with increasing insertion-order stamps (nanoseconds, unique in this process)."""
        start = max(time.time_ns(), self._last_order + 1)
        self._last_order = start + len(docs)
        return [rows.to_row(doc, self.manifest.dimension, start + i) for i, doc in enumerate(docs)]

    def _upsert_passages(self, docs: list[Document]) -> None:
        ops.upsert(self.client, self.passages, self._rows(docs))

    # ---- housekeeping ----
    @property
    def vector_count(self) -> int:
        """Passages that have a vector."""
        return ops.count(self.client, self.passages, "has_vector == true")

    @property
    def vector_kind(self) -> str:
        """The Milvus vector index type (`flat`: exact search)."""
        return "flat"

    def size_on_disk(self) -> int:
        """Bytes used by a Milvus Lite file (0 for a server, whose storage kb cannot see)."""
        path = self.target.lite_path
        if path is None or not path.exists():
            return 0
        return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())

    def flush(self) -> None:
        """Finish any interrupted write and ask Milvus to persist what was written."""
        with self._mutex:
            self.journal.recover()
            self.client.flush(self.passages)
            self.client.flush(self.records.collection)

    def close(self) -> None:
        """Close the connection (a Milvus Lite engine stays up in this process until it exits)."""
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _key(field: str) -> str:
    return field.removeprefix("meta.")
