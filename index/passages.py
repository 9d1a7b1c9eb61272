"""SQL operations on passages: rows in and out, metadata index, filtered ids, keyword search, facets."""

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from haystack import Document
from haystack.dataclasses import ByteStream, SparseEmbedding

from index import metaindex
from index.columns import MetaColumns, parse_vids
from index.filters import FilterSets
from index.keywords import RANKED, KeywordCache, match_expression, query_terms, selective_terms

CHUNK = 500
CONTEXT_FIELDS = ("title", "heading")
_COLUMNS = "vid, id, content, meta, embedding, blob, blob_meta, sparse"


def encode_embedding(embedding: list[float] | None, dimension: int) -> bytes | None:
    """Store float32 when that is lossless (model output always is), float64 otherwise."""
    if embedding is None:
        return None
    exact = np.asarray(embedding, dtype=np.float64)
    if exact.ndim != 1 or exact.shape[0] != dimension:
        raise ValueError(f"embedding has {exact.size} dimensions but this index holds {dimension}-dimensional vectors")
    single = exact.astype(np.float32)
    if np.array_equal(single.astype(np.float64), exact):
        return single.tobytes()
    return exact.tobytes()


def decode_embedding(data: bytes | None, dimension: int) -> np.ndarray | None:
    """The stored vector, in the precision it was stored in."""
    if data is None:
        return None
    dtype = np.float32 if len(data) == 4 * dimension else np.float64
    return np.frombuffer(data, dtype=dtype)


def context_of(meta: dict[str, Any]) -> str:
    """Text searched by keyword beside the passage (title, heading) but never quoted."""
    return " ".join(str(meta[k]) for k in CONTEXT_FIELDS if meta.get(k))


class PassageTable:
    """Passages with their metadata index and FTS5 table, on one SQLite connection."""

    def __init__(self, con: sqlite3.Connection, dimension: int) -> None:
        self.con = con
        self.dimension = dimension

    # ---- writing (callers hold a transaction) ----
    def insert(self, docs: Iterable[Document]) -> list[tuple[int, np.ndarray | None]]:
        """Insert documents; returns (vid, vector) for each, vector None when it has no embedding."""
        out = []
        for doc in docs:
            row = self._row(doc)
            cur = self.con.execute(
                "INSERT INTO passages (id, content, context, meta, embedding, blob, blob_meta, sparse, doc_id, seq)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            vid = int(cur.lastrowid or 0)
            self._index_meta(vid, doc.meta)
            out.append((vid, decode_embedding(row[4], self.dimension)))
        return out

    def _row(self, doc: Document) -> tuple[Any, ...]:
        try:
            meta = json.dumps(doc.meta, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"document {doc.id} has metadata that is not JSON-serialisable: {exc}") from exc
        blob = blob_meta = None
        if doc.blob is not None:
            blob = doc.blob.data
            blob_meta = json.dumps({"mime_type": doc.blob.mime_type, "meta": doc.blob.meta})
        sparse = json.dumps(doc.sparse_embedding.to_dict()) if doc.sparse_embedding is not None else None
        doc_id = doc.meta.get("doc_id") if isinstance(doc.meta.get("doc_id"), str) else None
        seq = doc.meta.get("seq") if isinstance(doc.meta.get("seq"), int) else None
        embedding = encode_embedding(doc.embedding, self.dimension)
        return (doc.id, doc.content, context_of(doc.meta), meta, embedding, blob, blob_meta, sparse, doc_id, seq)

    def _index_meta(self, vid: int, meta: dict[str, Any]) -> None:
        self.con.executemany(
            "INSERT INTO meta_index (key, value, vtype, vid) VALUES (?, ?, ?, ?)",
            [(k, v, t, vid) for k, v, t in metaindex.flatten(meta)],
        )

    def delete(self, vids: list[int]) -> None:
        """Delete passages by vid (triggers clean FTS and the metadata index)."""
        for chunk in _chunks(vids):
            self.con.execute(f"DELETE FROM passages WHERE vid IN ({_marks(chunk)})", chunk)

    def delete_all(self) -> None:
        """Empty the passage tables."""
        self.con.execute("DELETE FROM passages")
        self.con.execute("DELETE FROM meta_index")
        self.con.execute("INSERT INTO passages_fts(passages_fts) VALUES ('rebuild')")

    def update_meta(self, vids: list[int], meta: dict[str, Any]) -> None:
        """Merge `meta` into each passage's metadata and re-index it."""
        for vid in vids:
            (old,) = self.con.execute("SELECT meta FROM passages WHERE vid = ?", (vid,)).fetchone()
            merged = {**json.loads(old), **meta}
            self.con.execute(
                "UPDATE passages SET meta = ?, context = ? WHERE vid = ?",
                (json.dumps(merged, ensure_ascii=False), context_of(merged), vid),
            )
            self.con.execute("DELETE FROM meta_index WHERE vid = ?", (vid,))
            self._index_meta(vid, merged)

    # ---- reading ----
    def vids_by_ids(self, ids: list[str]) -> dict[str, int]:
        """Map existing Haystack ids to vids."""
        found: dict[str, int] = {}
        for chunk in _chunks(ids):
            rows = self.con.execute(f"SELECT id, vid FROM passages WHERE id IN ({_marks(chunk)})", chunk)
            found.update({i: v for i, v in rows})
        return found

    def matching(self, filters: dict[str, Any] | None, columns: MetaColumns | None = None) -> np.ndarray | None:
        """Sorted vids matching `filters`, or None when there is no filter (`columns`: in-memory metadata)."""
        return FilterSets(self.con, columns).evaluate(filters)

    def vids(self, filters: dict[str, Any] | None) -> list[int]:
        """vids of passages matching `filters`, in insertion order."""
        found = self.matching(filters)
        if found is None:
            return [r[0] for r in self.con.execute("SELECT vid FROM passages ORDER BY vid")]
        return found.tolist()

    def count(self, filters: dict[str, Any] | None = None) -> int:
        """Number of passages matching `filters`."""
        found = self.matching(filters)
        if found is None:
            return int(self.con.execute("SELECT count(*) FROM passages").fetchone()[0])
        return len(found)

    def documents(self, vids: list[int], *, embeddings: bool = True) -> list[Document]:
        """Documents for `vids`, in the given order."""
        by_vid: dict[int, Document] = {}
        for chunk in _chunks(vids):
            rows = self.con.execute(f"SELECT {_COLUMNS} FROM passages WHERE vid IN ({_marks(chunk)})", chunk)
            for row in rows:
                by_vid[row[0]] = self._document(row, embeddings)
        return [by_vid[v] for v in vids if v in by_vid]

    def _document(self, row: tuple[Any, ...], embeddings: bool) -> Document:
        _vid, doc_id, content, meta, embedding, blob, blob_meta, sparse = row
        vector = decode_embedding(embedding, self.dimension) if embeddings else None
        stream = None
        if blob is not None:
            info = json.loads(blob_meta or "{}")
            stream = ByteStream(data=blob, mime_type=info.get("mime_type"), meta=info.get("meta") or {})
        return Document(
            id=doc_id,
            content=content,
            meta=json.loads(meta),
            embedding=vector.tolist() if vector is not None else None,
            blob=stream,
            sparse_embedding=SparseEmbedding.from_dict(json.loads(sparse)) if sparse else None,
        )

    def embedding_rows(self, vids: list[int] | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(vids, vectors) in chunks, for building or reconciling the vector index."""
        if vids is None:
            cursor = self.con.execute("SELECT vid, embedding FROM passages WHERE embedding IS NOT NULL ORDER BY vid")
            while rows := cursor.fetchmany(10_000):
                yield self._stack(rows)
            return
        for chunk in _chunks(vids, 10_000):
            rows = self.con.execute(
                f"SELECT vid, embedding FROM passages WHERE vid IN ({_marks(chunk)}) AND embedding IS NOT NULL", chunk
            ).fetchall()
            if rows:
                yield self._stack(rows)

    def _stack(self, rows: list[tuple[int, bytes]]) -> tuple[np.ndarray, np.ndarray]:
        vids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.vstack([decode_embedding(r[1], self.dimension).astype(np.float32) for r in rows])
        return vids, vectors

    def embedded_vids(self) -> np.ndarray:
        """All vids that have a vector, as int64."""
        rows = self.con.execute("SELECT vid FROM passages WHERE embedding IS NOT NULL").fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def keyword(
        self,
        query: str,
        filters: dict[str, Any] | None,
        top_k: int,
        allowed: np.ndarray | None = None,
        cache: KeywordCache | None = None,
    ) -> list[tuple[int, float]]:
        """(vid, BM25 score) for the best `top_k` keyword matches inside `filters` (or `allowed` vids).

        `cache` (the store's, for the current data version) keeps term counts and ranked prefixes.
        """
        terms = query_terms(query)
        if not terms or top_k <= 0:
            return []
        if allowed is None:
            allowed = self.matching(filters)
        if allowed is not None and len(allowed) == 0:
            return []
        total = self.con.execute("SELECT max(vid) FROM passages").fetchone()[0] or 0
        match = match_expression(selective_terms(self.con, terms, total, cache.counts if cache else None))
        if cache is not None and top_k <= cache.PREFIX:
            rows, complete = cache.ranked(self.con, match)
            found = _keep(rows, allowed)
            if len(found) >= top_k or complete:
                return [(vid, -score) for vid, score in found[:top_k]]
        cursor = self.con.execute(RANKED, [match])
        hits: list[tuple[int, float]] = []
        while len(hits) < top_k and (rows := cursor.fetchmany(max(4 * top_k, 256))):
            hits += [(vid, -score) for vid, score in _keep(rows, allowed)]  # filtered as they stream: exact top-k
        cursor.close()
        return hits[:top_k]

    # ---- metadata aggregates ----
    def value_counts(
        self, key: str, filters: dict[str, Any] | None, allowed: np.ndarray | None = None
    ) -> list[tuple[Any, str, int]]:
        """(value, vtype, passages) for every non-null value of `key` among passages matching `filters`
        (or `allowed` vids)."""
        if allowed is None:
            allowed = self.matching(filters)
        head = "SELECT value, vtype, {} FROM meta_index WHERE key = ? AND vtype != 'null'"
        tail = " GROUP BY vtype, value ORDER BY vtype, value"
        if allowed is None:
            rows = self.con.execute(head.format("count(DISTINCT vid)") + tail, (key,))
            return [(metaindex.restore(v, t), t, n) for v, t, n in rows]
        out = []
        for value, vtype, vids in self.con.execute(head.format("group_concat(vid)") + tail, (key,)):
            inside = np.isin(parse_vids(vids), allowed, assume_unique=True)
            if count := int(inside.sum()):
                out.append((metaindex.restore(value, vtype), vtype, count))
        return out

    def field_types(self) -> dict[str, str]:
        """Metadata keys and their stored type (the first non-null type seen)."""
        rows = self.con.execute("SELECT key, vtype FROM meta_index GROUP BY key, vtype ORDER BY key, vtype = 'null'")
        types: dict[str, str] = {}
        for key, vtype in rows:
            types.setdefault(key, vtype)
        return types

    def min_max(self, key: str) -> tuple[Any, Any]:
        """Smallest and largest value of `key` (numbers if any are numeric, else strings)."""
        for types in ("'int', 'float'", "'str'"):
            row = self.con.execute(
                f"SELECT min(value), max(value), count(*) FROM meta_index WHERE key = ? AND vtype IN ({types})", (key,)
            ).fetchone()
            if row[2]:
                return row[0], row[1]
        return None, None


def _marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values)


def _chunks(values: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _keep(rows: list[tuple[int, float]], allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """The rows whose vid is in `allowed` (all of them when it is None), in order."""
    if allowed is None or not rows:
        return rows
    keep = np.isin(np.fromiter((r[0] for r in rows), np.int64, len(rows)), allowed, assume_unique=True)
    return [r for r, k in zip(rows, keep.tolist()) if k]
