"""The records collection: files (ingestion bookkeeping), source documents, the manifest, the write journal.

One row per record, keyed `file:PATH`, `doc:DOC_ID`, `journal:UUID` or `manifest`; file rows carry
their document id in `ref`, so "which files hold this document" is an indexed query.
"""

import time
import uuid
from dataclasses import asdict
from typing import Any

from pymilvus import MilvusClient

from index.milvus import ops
from index.milvus.filters import literal
from index.milvus.schema import RECORD_VECTOR_DIM
from kb.core.models import FileRecord, SourceDocument

_ZERO = [0.0] * RECORD_VECTOR_DIM
_FIELDS = ["key", "kind", "ref", "data"]


def _row(key: str, kind: str, data: dict[str, Any], ref: str = "") -> dict[str, Any]:
    return {"key": key, "kind": kind, "ref": ref, "data": data, "v": _ZERO}


class Records:
    """Files, documents, manifest and journal rows in one Milvus collection."""

    def __init__(self, client: MilvusClient, collection: str) -> None:
        self.client = client
        self.collection = collection

    # ---- manifest ----
    def manifest(self) -> dict[str, Any] | None:
        """The stored manifest, or None."""
        rows = self.client.query(self.collection, filter='key == "manifest"', output_fields=["data"], limit=1)
        return dict(rows[0]["data"]) if rows else None

    def put_manifest(self, data: dict[str, Any]) -> None:
        """Store the manifest."""
        self.client.upsert(self.collection, [_row("manifest", "manifest", data)])

    # ---- files ----
    def files(self) -> dict[str, FileRecord]:
        """Every file record by path."""
        rows = ops.scan(self.client, self.collection, 'kind == "file"', ["data"])
        return {r["data"]["path"]: FileRecord(**r["data"]) for r in rows}

    def files_of(self, doc_ids: list[str]) -> list[FileRecord]:
        """File records that point at any of `doc_ids`."""
        found: list[FileRecord] = []
        for chunk in ops.chunks(doc_ids):
            expr = f'kind == "file" and ref in [{", ".join(literal(d) for d in chunk)}]'
            found += [FileRecord(**r["data"]) for r in ops.scan(self.client, self.collection, expr, ["data"])]
        return found

    def put_files(self, records: list[FileRecord]) -> None:
        """Insert or replace file records."""
        ops.upsert(self.client, self.collection, [_row(f"file:{r.path}", "file", asdict(r), r.doc_id or "") for r in records])

    def delete_files(self, paths: list[str]) -> None:
        """Forget file records."""
        self._delete([f"file:{p}" for p in paths])

    # ---- documents ----
    def documents(self) -> list[SourceDocument]:
        """Every source document, by title."""
        rows = ops.scan(self.client, self.collection, 'kind == "document"', ["data"])
        docs = [SourceDocument.from_dict(r["data"]) for r in rows]
        return sorted(docs, key=lambda d: (d.title.lower(), d.path))

    def document(self, doc_id: str) -> SourceDocument | None:
        """One source document."""
        rows = ops.by_keys(self.client, self.collection, "key", [f"doc:{doc_id}"], ["data"])
        return SourceDocument.from_dict(rows[0]["data"]) if rows else None

    def put_documents(self, docs: list[SourceDocument]) -> None:
        """Insert or replace source documents."""
        ops.upsert(self.client, self.collection, [_row(f"doc:{d.doc_id}", "document", d.to_dict()) for d in docs])

    def delete_documents(self, doc_ids: list[str]) -> None:
        """Remove source documents."""
        self._delete([f"doc:{d}" for d in doc_ids])

    # ---- journal ----
    def journal(self, plan: dict[str, Any]) -> str:
        """Record a plan of record changes before applying it: the commit point of a kb write."""
        key = f"journal:{uuid.uuid4().hex}"
        self.client.upsert(self.collection, [_row(key, "journal", {**plan, "created": time.time()})])
        return key

    def pending(self) -> list[tuple[str, dict[str, Any]]]:
        """Journal entries not yet marked done, oldest first."""
        rows = list(ops.scan(self.client, self.collection, 'kind == "journal"', ["key", "data"]))
        rows.sort(key=lambda r: (r["data"].get("created", 0.0), r["key"]))
        return [(r["key"], dict(r["data"])) for r in rows]

    def done(self, key: str) -> None:
        """Drop an applied journal entry."""
        self._delete([key])

    # ---- housekeeping ----
    def delete_all(self) -> None:
        """Forget every file, document and journal entry (the manifest stays)."""
        self.client.delete(self.collection, filter='kind in ["file", "document", "journal"]')

    def _delete(self, keys: list[str]) -> None:
        for chunk in ops.chunks(keys):
            self.client.delete(self.collection, ids=chunk)
