"""Move a knowledge base between stores (local ↔ Milvus, or local → local) without re-embedding.

Passages are read with their exact vectors in batches, in the source's insertion order, skipping ids the
destination already holds, so an interrupted migration resumes where it stopped. Whole documents are committed
together with their passages and file records, as ingestion does, so a destination killed mid-migration holds
whole documents only (never passages that no document or file owns, which searches found while `kb stats` said
"0 documents"). The end checks that every source passage, document and file is in the destination.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from haystack import Document

from kb.core.errors import IndexIncompatibleError, MigrationError, UsageError
from kb.stores import open_location

if TYPE_CHECKING:
    from index.protocol import KnowledgeStore


@dataclass
class MigrationProgress:
    """Where a migration is: passages handled so far (copied or already there) out of the total."""

    done: int
    total: int
    copied: int
    skipped: int


@dataclass
class MigrationReport:
    """What one migration did (the `--json` output of `kb migrate`)."""

    passages_total: int = 0
    passages_copied: int = 0
    passages_skipped: int = 0
    documents: int = 0
    files: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def migrate(
    src: Any,
    dst: Any,
    *,
    batch: int = 1000,
    progress: Callable[[MigrationProgress], None] | None = None,
) -> MigrationReport:
    """Copy every passage (with its vector), document and file record of `src` into `dst`."""
    if batch < 1:
        raise UsageError("--batch must be at least 1")
    check_compatible(src, dst)
    started = time.monotonic()
    report = MigrationReport()
    ids = passage_ids(src)
    report.passages_total = len(ids)
    documents = src.documents()
    files = list(src.file_records().values())
    copier = _Copier(dst, documents, files, batch)
    for chunk in _chunks(ids, batch):
        present = dst.passages_by_id(chunk)
        held = {d.id for d in present}
        missing = [i for i in chunk if i not in held]
        copier.add(present, src.passages_by_id(missing, embeddings=True) if missing else [])
        report.passages_copied += len(missing)
        report.passages_skipped += len(chunk) - len(missing)
        if progress:
            progress(MigrationProgress(report.passages_copied + report.passages_skipped, len(ids),
                                       report.passages_copied, report.passages_skipped))
    copier.finish()
    dst.flush()
    report.documents, report.files = len(documents), len(files)
    _verify(src, dst, ids, documents, files)
    report.seconds = round(time.monotonic() - started, 3)
    return report


@dataclass
class _Pending:
    passages: list[Document] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)
    files: list[Any] = field(default_factory=list)


class _Copier:
    """Holds the passages of documents not yet read whole; commits whole documents, about `batch` passages at a
    time, each with its file records (a document already whole in the destination is not written again)."""

    def __init__(self, dst: Any, documents: list[Any], files: list[Any], batch: int) -> None:
        self.dst, self.batch = dst, batch
        self.documents = {d.doc_id: d for d in documents}
        self.files: dict[str | None, list[Any]] = defaultdict(list)
        for rec in files:
            self.files[rec.doc_id if rec.doc_id in self.documents else None].append(rec)
        self.seen: dict[str, int] = defaultdict(int)
        self.waiting: dict[str, list[Document]] = defaultdict(list)
        self.done: set[str] = set()
        self.there = {d.doc_id: d for d in dst.documents()}
        self.there_files = dst.file_records()
        self.pending = _Pending()

    def add(self, present: list[Document], copied: list[Document]) -> None:
        """Passages read: `present` already in the destination, `copied` to write."""
        for passage, new in [*((p, False) for p in present), *((p, True) for p in copied)]:
            doc_id = (passage.meta or {}).get("doc_id")
            if doc_id not in self.documents:  # a passage of no document (written without kb's ingestion)
                if new:
                    self.pending.passages.append(passage)
                continue
            if new:
                self.waiting[doc_id].append(passage)
            self.seen[doc_id] += 1
            if self.seen[doc_id] == self.documents[doc_id].passages:
                self._whole(doc_id)
        if len(self.pending.passages) >= self.batch:
            self._commit()

    def _whole(self, doc_id: str) -> None:
        self.done.add(doc_id)
        passages, files = self.waiting.pop(doc_id, []), self.files.pop(doc_id, [])
        doc = self.documents[doc_id]
        if passages or self.there.get(doc_id) != doc or any(self.there_files.get(f.path) != f for f in files):
            self.pending.passages += passages
            self.pending.documents.append(doc)
            self.pending.files += files

    def finish(self) -> None:
        """Commit the rest: documents without passages, any left incomplete (the source changed meanwhile), then
        file records of no document (files that failed)."""
        for doc_id in [d for d in self.documents if d not in self.done]:
            self._whole(doc_id)
        self._commit()
        loose = [f for f in self.files.pop(None, []) if self.there_files.get(f.path) != f]
        for part in _chunks(loose, self.batch):
            self.dst.commit(files=part)

    def _commit(self) -> None:
        if self.pending.passages or self.pending.documents or self.pending.files:
            self.dst.commit(passages=self.pending.passages, documents=self.pending.documents,
                            files=self.pending.files)
        self.pending = _Pending()


def check_compatible(src: Any, dst: Any) -> None:
    """Refuse to mix vectors of different models or dimensions."""
    a, b = src.manifest, dst.manifest
    if a.embedding_model != b.embedding_model or a.dimension != b.dimension:
        raise IndexIncompatibleError(
            f"the source was built with '{a.embedding_model}' ({a.dimension} dimensions) but the destination with "
            f"'{b.embedding_model}' ({b.dimension}); vectors cannot move between models — migrate into a new "
            "destination, or re-index"
        )


def passage_ids(store: "KnowledgeStore") -> list[str]:
    """Every passage id of `store`, in insertion order."""
    return list(store.passage_ids())


def _verify(src: Any, dst: Any, ids: list[str], documents: list[Any], files: list[Any]) -> None:
    found = sum(len(dst.passages_by_id(chunk)) for chunk in _chunks(ids, 1000))
    doc_ids = {d.doc_id for d in dst.documents()}
    paths = set(dst.file_records())
    lost_docs = sum(1 for d in documents if d.doc_id not in doc_ids)
    lost_files = sum(1 for f in files if f.path not in paths)
    if found != len(ids) or lost_docs or lost_files or src.count_documents() != len(ids):
        raise MigrationError(
            f"the destination holds {found} of {len(ids)} passages and is missing {lost_docs} documents and "
            f"{lost_files} file records (the source had {src.count_documents()} passages when checked); "
            "run the same migration again to resume"
        )


def _chunks(values: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def migrate_locations(
    source: str,
    destination: str,
    *,
    batch: int = 1000,
    progress: Callable[[MigrationProgress], None] | None = None,
    token: str | None = None,
    wait: float = 0.0,
) -> MigrationReport:
    """Open SOURCE (which must exist) and DESTINATION (created like the source if missing) and migrate, waiting up
    to `wait` seconds for another writer of the destination."""
    if _same(source, destination):
        raise UsageError(f"the source and the destination are the same store ({source})")
    src = open_location(source, create=False, token=token)
    try:
        m = src.manifest
        dst = open_location(destination, create=True, embedding_model=m.embedding_model, dimension=m.dimension,
                            chunking=m.chunking, token=token)
        try:
            dst.lock_wait = wait
            begin_writing = getattr(dst, "begin_writing", None)
            if begin_writing is not None:  # a store with a writer lock: wait or refuse before copying anything
                begin_writing()
            return migrate(src, dst, batch=batch, progress=progress)
        finally:
            dst.close()
    finally:
        src.close()


def _same(a: str, b: str) -> bool:
    if a.startswith("milvus") or b.startswith("milvus"):
        return a == b
    return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
