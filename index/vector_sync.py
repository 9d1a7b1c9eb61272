"""Keeping FAISS in step with SQLite: reconcile by id set, choose the index type, save with the manifest."""

import logging
from pathlib import Path

import numpy as np

from index.manifest import MANIFEST_NAME, Manifest, write_manifest
from index.passages import PassageTable
from index.vectors import APPROXIMATE_ABOVE, RejectedVectorFile, VectorIndex

logger = logging.getLogger(__name__)

IVF_MINIMUM = 20_000  # fewer vectors than this are always searched exactly


def load(directory: Path, manifest: Manifest, index_id: str | None, last_vid: int) -> VectorIndex:
    """The saved vector index if it belongs to this database (`index_id`, vids it issued up to `last_vid`), else
    an empty one that `reconcile` fills from SQLite: a missing, damaged, foreign or inconsistent file is rebuilt."""
    if not manifest.vectors_file:
        return VectorIndex(manifest.dimension)
    file = directory / manifest.vectors_file
    try:
        vectors = _checked(file, manifest, index_id, last_vid)
    except RejectedVectorFile as why:
        logger.warning("vector file %s is not used: %s; rebuilding it from the database", file, why)
        return VectorIndex(manifest.dimension)
    return vectors


def _checked(file: Path, manifest: Manifest, index_id: str | None, last_vid: int) -> VectorIndex:
    if manifest.index_id != index_id:  # a manifest copied from another index, with its vector file
        raise RejectedVectorFile(f"{MANIFEST_NAME} belongs to another index" if manifest.index_id else
                                 f"{MANIFEST_NAME} names no index (written by an older kb, or of another index)")
    vectors = VectorIndex.load(file, manifest.dimension, manifest.vectors_sha256, index_id)
    if vectors.count != manifest.vectors_count:
        raise RejectedVectorFile(f"it holds {vectors.count} vectors, {MANIFEST_NAME} says {manifest.vectors_count}")
    ids = vectors.ids()
    if len(ids) and int(ids.max()) > last_vid:  # vids are never reused: one this database never issued is foreign
        raise RejectedVectorFile("it holds vector ids this database never issued")
    return vectors


def reconcile(vectors: VectorIndex, passages: PassageTable) -> None:
    """Make `vectors` hold exactly the vids that SQLite holds (call inside a read transaction)."""
    stored = passages.embedded_vids()
    held = vectors.ids()
    extra = np.setdiff1d(held, stored, assume_unique=True)
    missing = np.setdiff1d(stored, held, assume_unique=True)
    vectors.remove(extra)
    for vids, block in passages.embedding_rows(missing.tolist()):
        vectors.add(vids, block)
    if len(extra) or len(missing):
        logger.info("reconciled vectors with the database: +%d -%d", len(missing), len(extra))


def wanted_kind(requested: str, count: int) -> str:
    """`flat` or `ivf` for an index of `count` vectors (`auto` switches above the measured size)."""
    kind = requested if requested != "auto" else ("ivf" if count > APPROXIMATE_ABOVE else "flat")
    return "flat" if kind == "ivf" and count < IVF_MINIMUM else kind


def rebuild(kind: str, passages: PassageTable) -> VectorIndex:
    """A fresh index of `kind` from every vector in SQLite (call inside a read transaction)."""
    fresh = VectorIndex(passages.dimension)
    if kind == "flat":
        for vids, block in passages.embedding_rows():
            fresh.add(vids, block)
    else:
        parts = list(passages.embedding_rows())
        vids = np.concatenate([p[0] for p in parts])
        vectors = np.vstack([p[1] for p in parts])
        sample = vectors[np.random.default_rng(0).choice(len(vectors), size=min(len(vectors), 100_000), replace=False)]
        fresh.build_ivf(vids, vectors, sample)
    fresh.dirty = True
    return fresh


def save(vectors: VectorIndex, directory: Path, manifest: Manifest, index_id: str) -> None:
    """Write the vectors of index `index_id` under a content-named file, point the manifest at it, then drop stale
    files."""
    name, digest = vectors.save(directory, index_id)
    manifest.index_id = index_id
    manifest.vectors_file = name
    manifest.vectors_sha256 = digest
    manifest.vectors_count = vectors.count
    manifest.index_type = vectors.kind
    write_manifest(directory, manifest)
    for stale in directory.glob("vectors-*.faiss"):
        if stale.name != name:
            stale.unlink(missing_ok=True)
    # Temporary files of writers killed mid-write (we hold the writer lock: no other write is under way).
    for partial in [*directory.glob(".vectors-*.tmp-*"), *directory.glob(".manifest.json.tmp-*")]:
        partial.unlink(missing_ok=True)
