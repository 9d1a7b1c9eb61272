"""The FAISS side of the index: normalised vectors under stable integer ids, exact or approximate.

SQLite holds every vector too, so this index is derived data: it is saved for fast start-up and
reconciled with SQLite (by id set) whenever the two could differ.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from kb.core.atomic import write_atomic

# One query is searched on one thread: OpenMP's worker threads spin and lose badly when the cores are
# shared (measured 3.5x slower at 100k vectors with 2 threads on a loaded 2-core machine).
SEARCH_THREADS = 1

# Above this many vectors `auto` switches from exact search to IVF with 8-bit scalar quantisation
# (see bench/ and the README "Performance" section for the measurement behind it).
APPROXIMATE_ABOVE = 200_000

# A vector file is this line, a JSON line naming the index it belongs to and what it holds, then FAISS's bytes.
MAGIC = b"kb-vectors 1\n"


class RejectedVectorFile(Exception):
    """Internal: a saved vector file that must not be used (the caller rebuilds it from SQLite); says why."""


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

    def save(self, directory: Path, index_id: str) -> tuple[str, str]:
        """Write the index, headed by `index_id` and its count, under a content-named file; returns (name, sha256)."""
        head = json.dumps({"index_id": index_id, "count": self.count, "dimension": self.dimension}, sort_keys=True)
        data = MAGIC + head.encode() + b"\n" + faiss.serialize_index(self.index).tobytes()
        digest = hashlib.sha256(data).hexdigest()
        name = f"vectors-{digest[:16]}.faiss"
        path = directory / name
        if not _holds(path, digest):  # a file of that name may be a damaged one, which is being replaced
            write_atomic(path, data)
        self.dirty = False
        return name, digest

    @classmethod
    def load(cls, path: Path, dimension: int, expected_sha256: str | None, index_id: str | None) -> "VectorIndex":
        """Read a saved index of the index `index_id`; raises `RejectedVectorFile` when it is missing, damaged
        (checksum), of another index, or inconsistent with its header.

        Bytes reach FAISS only once their sha256 matches the manifest: FAISS does not validate its input. A file
        without a header is one of an index made before indexes had an identity (`index_id` None).
        """
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise RejectedVectorFile(f"it cannot be read ({exc.strerror or exc})") from None
        if not expected_sha256 or hashlib.sha256(data).hexdigest() != expected_sha256:
            raise RejectedVectorFile("its checksum does not match the manifest (damaged or replaced)")
        head, body = _split(data)
        if head is None and index_id is not None:
            raise RejectedVectorFile("it names no index (saved by an older kb, or taken from another index)")
        if head is not None and head.get("index_id") != index_id:
            raise RejectedVectorFile("it belongs to another index")
        try:
            index = faiss.deserialize_index(np.frombuffer(body, dtype=np.uint8))
        except RuntimeError:
            raise RejectedVectorFile("FAISS cannot read it") from None
        if index.d != dimension or (head is not None and head.get("count") != index.ntotal):
            raise RejectedVectorFile("its dimension or vector count is not what its header says")
        loaded = cls(dimension)
        loaded.index = index
        loaded.kind = "flat" if isinstance(index, faiss.IndexIDMap) else "ivf"
        return loaded


def _holds(path: Path, digest: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == digest
    except OSError:
        return False


def _split(data: bytes) -> tuple[dict | None, bytes]:
    """(header, FAISS bytes) of a vector file; no header for a file saved before indexes had an identity."""
    if not data.startswith(MAGIC):
        return None, data
    line, _, body = data[len(MAGIC):].partition(b"\n")
    try:
        head = json.loads(line)
    except ValueError:
        raise RejectedVectorFile("its header is unreadable") from None
    if not isinstance(head, dict):
        raise RejectedVectorFile("its header is unreadable")
    return head, body
