"""Move a knowledge base between stores (local ↔ Milvus, or local → local) without re-embedding.

Passages are copied with their exact vectors in batches, in the source's insertion order, skipping
ids the destination already holds, so an interrupted migration resumes where it stopped. Documents
and file records follow the passages (a file record never points at passages not yet copied), and
the end checks that every source passage, document and file is in the destination.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from haystack.document_stores.types import DuplicatePolicy

from kb.errors import IndexIncompatibleError, MigrationError, UsageError
from kb.stores import open_location


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
    for chunk in _chunks(ids, batch):
        present = {d.id for d in dst.passages_by_id(chunk)}
        missing = [i for i in chunk if i not in present]
        if missing:
            dst.write_documents(src.passages_by_id(missing, embeddings=True), policy=DuplicatePolicy.SKIP)
        report.passages_copied += len(missing)
        report.passages_skipped += len(chunk) - len(missing)
        if progress:
            progress(MigrationProgress(report.passages_copied + report.passages_skipped, len(ids),
                                       report.passages_copied, report.passages_skipped))
    documents = src.documents()
    files = list(src.file_records().values())
    for part in _chunks(documents, batch):
        dst.commit(documents=part)
    for part in _chunks(files, batch):
        dst.commit(files=part)
    dst.flush()
    report.documents, report.files = len(documents), len(files)
    _verify(src, dst, ids, documents, files)
    report.seconds = round(time.monotonic() - started, 3)
    return report


def check_compatible(src: Any, dst: Any) -> None:
    """Refuse to mix vectors of different models or dimensions."""
    a, b = src.manifest, dst.manifest
    if a.embedding_model != b.embedding_model or a.dimension != b.dimension:
        raise IndexIncompatibleError(
            f"the source was built with '{a.embedding_model}' ({a.dimension} dimensions) but the destination with "
            f"'{b.embedding_model}' ({b.dimension}); vectors cannot move between models — migrate into a new "
            "destination, or re-index"
        )


def passage_ids(store: Any) -> list[str]:
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
) -> MigrationReport:
    """Open SOURCE (which must exist) and DESTINATION (created like the source if missing) and migrate."""
    if _same(source, destination):
        raise UsageError(f"the source and the destination are the same store ({source})")
    src = open_location(source, create=False, token=token)
    try:
        m = src.manifest
        dst = open_location(destination, create=True, embedding_model=m.embedding_model, dimension=m.dimension,
                            chunking=m.chunking, token=token)
        try:
            return migrate(src, dst, batch=batch, progress=progress)
        finally:
            dst.close()
    finally:
        src.close()


def _same(a: str, b: str) -> bool:
    if a.startswith("milvus") or b.startswith("milvus"):
        return a == b
    return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
