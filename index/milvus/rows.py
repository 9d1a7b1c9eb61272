"""Haystack `Document` ↔ Milvus passage row, losslessly.

The `vector` field is FLOAT_VECTOR (float32). A vector that float32 cannot hold exactly (Haystack's
test documents carry random float64 values) is searched as float32 but its exact float64 bytes are
kept in the `extra` JSON side field and returned instead, as the local store keeps float64 when
float32 would round. Blobs and sparse embeddings ride in `extra` too; metadata is stored whole in the
`meta` JSON field, with the filter tokens and ranges of `index.milvus.meta` beside it.
"""

import base64
import json
from dataclasses import replace
from typing import Any

import numpy as np
from haystack import Document
from haystack.dataclasses import ByteStream, SparseEmbedding

from index.milvus import meta as metaindex
from index.milvus.text import MAX_BYTES, analysed
from index.passages import context_of

DOC_ID_BYTES = 512  # the `doc_id` column's size (kb's doc ids are 64-character digests)
READ_FIELDS = ["id", "content", "meta", "has_vector", "extra", "seq", "ord"]
WITH_VECTOR = [*READ_FIELDS, "vector"]


def to_row(doc: Document, dimension: int, order: int) -> dict[str, Any]:
    """The Milvus row for a passage; raises ValueError (before anything is written) when it cannot be stored."""
    if not isinstance(doc.id, str) or not doc.id:
        raise ValueError("every document needs a non-empty string id")
    try:
        json.dumps(doc.meta, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"document {doc.id} has metadata that is not JSON-serialisable: {exc}") from exc
    if doc.content is not None and len(doc.content.encode("utf-8")) > MAX_BYTES:
        raise ValueError(
            f"document {doc.id} has {len(doc.content.encode('utf-8'))} bytes of text; a Milvus passage holds "
            f"at most {MAX_BYTES} — split it into smaller passages"
        )
    terms, ranges = metaindex.index_fields(doc.meta)
    vector, extra = _vector(doc, dimension)
    if doc.blob is not None:
        extra["blob"] = {
            "data": base64.b64encode(doc.blob.data).decode("ascii"),
            "mime_type": doc.blob.mime_type,
            "meta": doc.blob.meta,
        }
    if doc.sparse_embedding is not None:
        extra["sparse"] = doc.sparse_embedding.to_dict()
    doc_id, seq = doc.meta.get("doc_id"), doc.meta.get("seq")
    if isinstance(doc_id, str) and len(doc_id.encode("utf-8")) > DOC_ID_BYTES:
        raise ValueError(f"document {doc.id} has a doc_id longer than {DOC_ID_BYTES} bytes")
    return {
        "id": doc.id,
        "content": doc.content,
        "search_text": analysed(f"{doc.content or ''} {context_of(doc.meta)}"),
        "vector": vector,
        "has_vector": doc.embedding is not None,
        "meta": doc.meta,
        "mterms": terms,
        "mrange": ranges,
        "doc_id": doc_id if isinstance(doc_id, str) else "",
        "seq": seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
        "ord": order,
        "extra": extra,
    }


def _vector(doc: Document, dimension: int) -> tuple[list[float], dict[str, Any]]:
    if doc.embedding is None:  # a placeholder (never searched: `has_vector` is false); unit length for COSINE
        return [1.0] + [0.0] * (dimension - 1), {}
    exact = np.asarray(doc.embedding, dtype=np.float64)
    if exact.ndim != 1 or exact.shape[0] != dimension:
        raise ValueError(f"embedding has {exact.size} dimensions but this index holds {dimension}-dimensional vectors")
    single = exact.astype(np.float32)
    if np.array_equal(single.astype(np.float64), exact):
        return single.tolist(), {}
    return single.tolist(), {"vector64": base64.b64encode(exact.tobytes()).decode("ascii")}


def to_document(row: dict[str, Any], *, embeddings: bool = True, score: float | None = None) -> Document:
    """The Haystack document for a row read back from Milvus."""
    extra = row.get("extra") or {}
    embedding = None
    if embeddings and row.get("has_vector"):
        if "vector64" in extra:
            embedding = np.frombuffer(base64.b64decode(extra["vector64"]), dtype=np.float64).tolist()
        else:
            embedding = np.asarray(row["vector"], dtype=np.float32).tolist()
    blob = None
    if "blob" in extra:
        info = extra["blob"]
        blob = ByteStream(data=base64.b64decode(info["data"]), mime_type=info.get("mime_type"), meta=info.get("meta") or {})
    sparse = SparseEmbedding.from_dict(extra["sparse"]) if "sparse" in extra else None
    return Document(
        id=row["id"],
        content=row.get("content"),
        meta=row.get("meta") or {},
        embedding=embedding,
        blob=blob,
        sparse_embedding=sparse,
        score=score,
    )


def with_meta(row: dict[str, Any], meta: dict[str, Any], dimension: int) -> dict[str, Any]:
    """A full row read back from Milvus, re-indexed with new metadata (its order and vector kept)."""
    return to_row(replace(to_document(row), meta=meta), dimension, row["ord"])
