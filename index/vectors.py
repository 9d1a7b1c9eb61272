"""The FAISS side of the index: normalised vectors under stable integer ids, exact or approximate.

SQLite holds every vector too, so this index is derived data: it is saved for fast start-up and
reconciled with SQLite (by id set) whenever the two could differ.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.atomic import write_atomic

# One query is searched on one thread: OpenMP's worker threads spin and lose badly when the cores are
# shared (measured 3.5x slower at 100k vectors with 2 threads on a loaded 2-core machine).
SEARCH_THREADS = 1

# Above this many vectors `auto` switches from exact search to IVF with 8-bit scalar quantisation
# (see bench/ and the README "Performance" section for the measurement behind it).
APPROXIMATE_ABOVE = 200_000


@dataclass
class SearchResult:
    """Ids (FAISS vids) and inner-product scores, best first."""

    ids: np.ndarray
    scores: np.ndarray


@contextmanager
def _threads(n: int) -> Iterator[None]:
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation in float32 (zero rows stay zero)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class VectorIndex:
    """A FAISS index of normalised vectors keyed by vid, with filtered (id-restricted) search."""

    def __init__(self, dimension: int, kind: str = "flat") -> None:
        self.dimension = dimension
        self.kind = kind
        self.index = self._empty(kind)
        self.dirty = False

    def _empty(self, kind: str) -> faiss.Index:
        if kind == "flat":
            return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))
        raise ValueError(f"an empty index can only be flat, not {kind!r}; use build_ivf() for IVF")

    @property
    def count(self) -> int:
        """Number of vectors held."""
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        """All vids held, as int64."""
        if isinstance(self.index, faiss.IndexIDMap):
            return faiss.vector_to_array(self.index.id_map).astype(np.int64)
        invlists = faiss.extract_index_ivf(self.index).invlists
        parts = [
            faiss.rev_swig_ptr(invlists.get_ids(i), invlists.list_size(i)).copy()
            for i in range(invlists.nlist)
            if invlists.list_size(i)
        ]
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)

    def add(self, vids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors (normalised here) under their vids."""
        if len(vids) == 0:
            return
        self.index.add_with_ids(normalise(vectors), np.ascontiguousarray(vids, dtype=np.int64))
        self.dirty = True

    def remove(self, vids: np.ndarray) -> None:
        """Remove vectors by vid (missing vids are ignored)."""
        if len(vids) == 0:
            return
        removed = self.index.remove_ids(np.ascontiguousarray(vids, dtype=np.int64))
        self.dirty = self.dirty or removed > 0

    def reset(self) -> None:
        """Drop every vector and go back to an exact index."""
        self.kind = "flat"
        self.index = self._empty("flat")
        self.dirty = True

    def search(self, query: np.ndarray, top_k: int, candidates: np.ndarray | None = None) -> SearchResult:
        """The `top_k` nearest vids, restricted to `candidates` when given (exact for a flat index)."""
        if self.count == 0 or top_k <= 0 or (candidates is not None and len(candidates) == 0):
            return SearchResult(np.empty(0, np.int64), np.empty(0, np.float32))
        q = normalise(np.asarray(query, dtype=np.float32).reshape(1, -1))
        k = min(top_k, self.count if candidates is None else len(candidates))
        with _threads(SEARCH_THREADS):
            scores, ids = self.index.search(q, k, params=self._params(candidates, exhaustive=False))
            if self.kind != "flat" and candidates is not None and (ids[0] >= 0).sum() < k:
                # A restrictive filter can leave the probed IVF lists short: search every list.
                scores, ids = self.index.search(q, k, params=self._params(candidates, exhaustive=True))
        keep = ids[0] >= 0
        return SearchResult(ids[0][keep].astype(np.int64), scores[0][keep])

    def _params(self, candidates: np.ndarray | None, exhaustive: bool) -> faiss.SearchParameters | None:
        selector = None
        if candidates is not None:
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(candidates, dtype=np.int64))
        if self.kind == "flat":
            return faiss.SearchParameters(sel=selector) if selector is not None else None
        ivf = faiss.extract_index_ivf(self.index)
        nprobe = ivf.nlist if exhaustive else self.nprobe
        return faiss.SearchParametersIVF(sel=selector, nprobe=nprobe) if selector is not None else (
            faiss.SearchParametersIVF(nprobe=nprobe)
        )

    @property
    def nprobe(self) -> int:
        """IVF lists probed per query (tuned for recall@10 >= 0.95, see bench/)."""
        ivf = faiss.extract_index_ivf(self.index)
        return max(1, min(ivf.nlist, ivf.nlist // 16))

    def build_ivf(self, vids: np.ndarray, vectors: np.ndarray, train_sample: np.ndarray) -> None:
        """Replace the index with IVF + 8-bit scalar quantisation trained on `train_sample`."""
        nlist = int(max(64, min(16384, 4 * np.sqrt(max(len(vids), 1)))))
        quantizer = faiss.IndexFlatIP(self.dimension)
        ivf = faiss.IndexIVFScalarQuantizer(
            quantizer, self.dimension, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        ivf.train(normalise(train_sample))
        self.index = ivf
        self.kind = "ivf"
        self.index.add_with_ids(normalise(vectors), np.ascontiguousarray(vids, dtype=np.int64))
        self.dirty = True

    def save(self, directory: Path) -> tuple[str, str]:
        """Write the index under a content-named file; returns (file name, sha256)."""
        data = faiss.serialize_index(self.index).tobytes()
        digest = hashlib.sha256(data).hexdigest()
        name = f"vectors-{digest[:16]}.faiss"
        path = directory / name
        if not path.exists():
            write_atomic(path, data)
        self.dirty = False
        return name, digest

    @classmethod
    def load(cls, path: Path, dimension: int, expected_sha256: str | None) -> "VectorIndex | None":
        """Read a saved index; None when it is missing, unverified or damaged (checksum), or of another size.

        Bytes reach FAISS only once their sha256 matches the manifest: FAISS does not validate its input.
        """
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not expected_sha256 or hashlib.sha256(data).hexdigest() != expected_sha256:
            return None
        try:
            index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        except RuntimeError:
            return None
        if index.d != dimension:
            return None
        loaded = cls(dimension)
        loaded.index = index
        loaded.kind = "flat" if isinstance(index, faiss.IndexIDMap) else "ivf"
        return loaded
