"""LocalStore: the default knowledge-base store, a Haystack DocumentStore over SQLite + FAISS.

SQLite is the source of truth (passages, metadata, vectors, FTS5); a write batch is one SQLite
transaction. FAISS is derived: updated in memory after each commit, saved under a content-named
file on `flush()`, and reconciled with SQLite by id set when opened or when another process wrote.
"""

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import Any, Self

import numpy as np
from haystack import Document, default_from_dict, default_to_dict
from haystack.document_stores.types import DuplicatePolicy

from index import schema, vector_sync
from index.columns import MetaColumns
from index.keywords import KeywordCache
from index.lock import WriterLock
from index.manifest import Manifest, read_manifest, write_manifest
from index.passages import PassageTable
from index.protocol import check_documents, passages_to_write
from index.records import RecordTables
from index.store_aggregates import MetadataAggregates, _key
from index.store_records import DocumentRecords
from index.vectors import VectorIndex
from kb.core.errors import IndexCorruptError, IndexNotFoundError, IndexWriteError, KbError, UsageError


class LocalStore(MetadataAggregates, DocumentRecords):
    """Passages with metadata, keyword and vector search, files and documents, in one index directory."""

    def __init__(
        self,
        path: str | Path,
        *,
        embedding_model: str | None = None,
        dimension: int | None = None,
        chunking: dict[str, Any] | None = None,
        index_type: str = "auto",
        create: bool = True,
    ) -> None:
        self.path = Path(path).expanduser()
        self.index_type = index_type
        self._init = {"embedding_model": embedding_model, "dimension": dimension, "index_type": index_type}
        self._mutex = threading.RLock()
        self._generation = 0  # bumped by every commit of this process (invalidates cached filter results)
        self._filter_cache: dict[tuple[str, int, int], np.ndarray | None] = {}
        # per data version: metadata columns for filters, keyword term counts and ranked prefixes
        self._caches: tuple[tuple[int, int], MetaColumns, KeywordCache] | None = None
        self._checked = False  # integrity checked since this process took the writer lock
        self._lock = WriterLock(self.path)
        self.manifest = self._open_manifest(embedding_model, dimension, chunking, create)
        try:
            self._con = schema.connect(self.path, create=True)
        except sqlite3.OperationalError as exc:
            raise IndexWriteError(f"cannot open the index database in {self.path}: {exc}") from exc
        self.read_only = schema.is_read_only(self._con)
        self.passages = PassageTable(self._con, self.manifest.dimension)
        self.records = RecordTables(self._con)
        self._vectors = self._load_vectors()
        self._data_version = self._pragma_data_version()

    # ---- opening ----
    def _open_manifest(
        self, model: str | None, dimension: int | None, chunking: dict[str, Any] | None, create: bool
    ) -> Manifest:
        manifest = read_manifest(self.path) if self.path.is_dir() else None
        if manifest is not None:
            manifest.check_compatible(model, dimension)
            return manifest
        if not create:
            raise IndexNotFoundError(
                f"there is no kb index at {self.path}; build one with `kb ingest FOLDER --index {self.path}`"
            )
        if not model or not dimension:
            raise UsageError("a new index needs the embedding model name and its dimension")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexWriteError(f"cannot create the index directory {self.path}: {exc.strerror}") from exc
        manifest = Manifest(embedding_model=model, dimension=dimension, chunking=chunking or {})
        with self._writing():
            write_manifest(self.path, manifest)
        return manifest

    def _load_vectors(self) -> VectorIndex:
        with self._read():  # the identity and the vids are read from the snapshot reconciled against
            vectors = vector_sync.load(self.path, self.manifest, schema.index_id(self._con), schema.last_vid(self._con))
            vector_sync.reconcile(vectors, self.passages)
        return vectors

    def _pragma_data_version(self) -> int:
        return int(self._con.execute("PRAGMA data_version").fetchone()[0])

    def _sync(self) -> None:
        """Pick up commits made by other processes since we last looked."""
        version = self._pragma_data_version()
        if version != self._data_version:
            vector_sync.reconcile(self._vectors, self.passages)
            self._data_version = version

    # ---- transactions ----
    lock_wait: float = 0.0  # seconds a writer waits for another process's write lock

    @contextmanager
    def _writing(self) -> Iterator[None]:
        if getattr(self, "read_only", False):
            raise IndexWriteError(
                f"the index in {self.path} could only be opened read-only (its directory is read-only, "
                "or the disk is full); searching works, writing does not. Nothing was changed."
            )
        with self._mutex:
            self._lock.acquire(wait=self.lock_wait)
            yield

    def begin_writing(self) -> None:
        """Take the writer lock now (waiting up to `lock_wait`) and check the database before building on it.

        An ingest calls this before planning, so a second writer waits or is refused before doing any work
        (and, having waited, plans against what the first one wrote). The lock is held until `close()`.
        """
        with self._writing():
            if not self._checked:
                self.check()
                self._checked = True

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._writing():
            try:
                self._con.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise self._database_error(exc, writing=True) from exc
            try:
                yield
                self._con.execute("COMMIT")
            except BaseException as exc:
                if self._con.in_transaction:  # a failed COMMIT (disk full) may have rolled back already
                    with suppress(sqlite3.Error):
                        self._con.execute("ROLLBACK")
                if isinstance(exc, sqlite3.DatabaseError):
                    raise self._database_error(exc, writing=True) from exc
                raise
            self._data_version = self._pragma_data_version()
            self._generation += 1

    @contextmanager
    def _read(self) -> Iterator[None]:
        """A consistent snapshot: everything read inside sees the same committed state."""
        with self._mutex:
            if self._con.in_transaction:
                yield
                return
            try:
                self._con.execute("BEGIN")
                try:
                    yield
                finally:
                    if self._con.in_transaction:
                        self._con.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise self._database_error(exc, writing=False) from exc

    def _database_error(self, exc: sqlite3.DatabaseError, *, writing: bool) -> KbError:
        """The KbError a user sees for an SQLite failure: damaged file, or a write or read that failed."""
        if not isinstance(exc, sqlite3.OperationalError):  # SQLITE_CORRUPT, SQLITE_NOTADB: a damaged file
            return IndexCorruptError(
                f"the index database in {self.path} is damaged ({exc}); "
                "re-index into a new directory (`kb ingest FOLDER --index NEW_DIR`)"
            )
        if writing:
            return IndexWriteError(f"writing to {self.path} failed ({exc}); nothing was changed")
        return KbError(f"cannot read the index in {self.path} ({exc})")

    def _apply(self, inserted: list[tuple[int, np.ndarray | None]], deleted: list[int]) -> None:
        """Mirror a committed SQLite change in the vector index."""
        self._vectors.remove(np.asarray(deleted, dtype=np.int64))
        rows = [(vid, vec) for vid, vec in inserted if vec is not None]
        if rows:
            vids = np.asarray([vid for vid, _ in rows], dtype=np.int64)
            self._vectors.add(vids, np.vstack([vec.astype(np.float32) for _, vec in rows]))

    # ---- Haystack DocumentStore protocol ----
    def to_dict(self) -> dict[str, Any]:
        """Serialise the store's settings (not its data)."""
        return default_to_dict(self, path=str(self.path), **self._init)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LocalStore":
        """Re-open a store from `to_dict` output."""
        return default_from_dict(cls, data)

    def count_documents(self) -> int:
        """Number of passages stored."""
        with self._read():
            return self.passages.count()

    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[Document]:
        """Passages matching Haystack `filters`, in insertion order."""
        with self._read():
            return self.passages.documents(self.passages.vids(filters))

    def write_documents(self, documents: list[Document], policy: DuplicatePolicy = DuplicatePolicy.NONE) -> int:
        """Write passages in one transaction; `NONE` behaves as `FAIL`."""
        check_documents(documents)
        with self._transaction():
            written, inserted, deleted = self._write(documents, policy)
        self._apply(inserted, deleted)
        return written

    def _write(
        self, documents: list[Document], policy: DuplicatePolicy
    ) -> tuple[int, list[tuple[int, np.ndarray | None]], list[int]]:
        existing = self.passages.vids_by_ids([d.id for d in documents])
        batch = passages_to_write(documents, existing, policy)
        deleted = [existing[i] for i in batch if i in existing]
        self.passages.delete(deleted)
        inserted = self.passages.insert(batch.values())
        return len(batch), inserted, deleted

    def delete_documents(self, document_ids: list[str]) -> None:
        """Delete passages by id; unknown ids are ignored."""
        with self._transaction():
            vids = list(self.passages.vids_by_ids(list(document_ids)).values())
            self.passages.delete(vids)
        self._apply([], vids)

    # ---- Haystack extended operations ----
    def delete_all_documents(self, recreate_index: bool = False) -> None:
        """Delete every passage, document and file record; `recreate_index` also resets the vector index type."""
        with self._transaction():
            self.passages.delete_all()
            self._con.execute("DELETE FROM documents")
            self._con.execute("DELETE FROM files")
        self._vectors.reset()
        if recreate_index:
            self.flush()

    def delete_by_filter(self, filters: dict[str, Any]) -> int:
        """Delete passages matching `filters`; returns how many."""
        with self._transaction():
            vids = self.passages.vids(filters)
            self.passages.delete(vids)
        self._apply([], vids)
        return len(vids)

    def update_by_filter(self, filters: dict[str, Any], meta: dict[str, Any]) -> int:
        """Merge `meta` into the metadata of passages matching `filters`; returns how many."""
        with self._transaction():
            vids = self.passages.vids(filters)
            self.passages.update_meta(vids, meta)
        return len(vids)

    # ---- kb: search ----
    def embedding_search(
        self, query_embedding: list[float] | np.ndarray, filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> list[Document]:
        """The `top_k` passages nearest the query, exact within `filters` (applied before the search)."""
        with self._read():
            self._sync()
            candidates = None
            if filters:  # vids without a vector are simply absent from FAISS: no need to read their rows
                candidates = self._matching(filters)
            result = self._vectors.search(np.asarray(query_embedding, dtype=np.float32), top_k, candidates)
            docs = self.passages.documents(result.ids.tolist(), embeddings=False)
        return [replace(doc, score=float(score)) for doc, score in zip(docs, result.scores.tolist())]

    def _matching(self, filters: dict[str, Any]) -> np.ndarray | None:
        """Filter results, cached until the data changes (dense and keyword retrieval share one filter)."""
        version, columns, _ = self._current()
        key = (json.dumps(filters, sort_keys=True, default=str), *version)
        if key not in self._filter_cache:
            if len(self._filter_cache) >= 16:
                self._filter_cache.pop(next(iter(self._filter_cache)))
            self._filter_cache[key] = self.passages.matching(filters, columns)
        return self._filter_cache[key]

    def _current(self) -> tuple[tuple[int, int], MetaColumns, KeywordCache]:
        """The data version (other processes' commits, ours) and its caches, remade when the version moves."""
        version = (self._data_version, self._generation)
        if self._caches is None or self._caches[0] != version:
            self._caches = (version, MetaColumns(self._con), KeywordCache())
        return self._caches

    def keyword_search(self, query: str, filters: dict[str, Any] | None = None, top_k: int = 10) -> list[Document]:
        """The `top_k` best BM25 matches (accents folded, stemmed) within `filters`."""
        with self._read():
            self._sync()
            allowed = self._matching(filters) if filters else None
            hits = self.passages.keyword(query, filters, top_k, allowed, self._current()[2])
            docs = self.passages.documents([vid for vid, _ in hits], embeddings=False)
        return [replace(doc, score=float(score)) for doc, (_vid, score) in zip(docs, hits)]

    def facet_counts(self, field: str, filters: dict[str, Any] | None = None) -> dict[Any, int]:
        """Passages per value of a metadata field, among those matching `filters`."""
        with self._read():
            self._sync()
            allowed = self._matching(filters) if filters else None
            return {v: n for v, _t, n in self.passages.value_counts(_key(field), filters, allowed)}

    # ---- persistence ----
    def flush(self) -> None:
        """Save the vector index if it changed (choosing its type by size) and point the manifest at it."""
        with self._writing():
            kind = vector_sync.wanted_kind(self.index_type, self._vectors.count)
            if kind != self._vectors.kind:
                with self._read():
                    self._vectors = vector_sync.rebuild(kind, self.passages)
            index_id = self._index_id()
            if self._vectors.dirty or not self.manifest.vectors_file or self.manifest.index_id != index_id:
                vector_sync.save(self._vectors, self.path, self.manifest, index_id)

    def _index_id(self) -> str:
        """The database's identity, given to it by its first flush (and to an index made before identities)."""
        with self._read():
            found = schema.index_id(self._con)
        if found is not None:
            return found
        with self._transaction():
            return schema.create_index_id(self._con)

    @property
    def vector_count(self) -> int:
        """Vectors held in the vector index."""
        return self._vectors.count

    @property
    def vector_kind(self) -> str:
        """`flat` (exact) or `ivf` (approximate)."""
        return self._vectors.kind

    def size_on_disk(self) -> int:
        """Bytes used by the index directory."""
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())

    def check(self) -> None:
        """Raise `IndexCorruptError` if SQLite's own integrity check fails."""
        with self._read():
            result = self._con.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise IndexCorruptError(f"the index database in {self.path} is damaged ({result}); re-index")

    def close(self) -> None:
        """Flush (when this process is the writer), then always release the lock and close."""
        with self._mutex:
            try:
                if self._lock.held:
                    self.flush()
                    with suppress(sqlite3.Error):  # a checkpoint that fails (disk full) leaves the WAL: no loss
                        self._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                self._lock.release()
                self._con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
