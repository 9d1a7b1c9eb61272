"""Synthetic knowledge bases for the scale benchmarks: clustered vectors, Zipfian text, kb's metadata.

Vectors are a Gaussian mixture around a few hundred centres that are real passage embeddings (realcorpus
passages through kb's embedder; random unit vectors when ../shared/realcorpus is absent), with noise drawn
from the covariance of those real embeddings, then normalised: so neighbourhoods look like the model's own
(anisotropic, a few hundred topics) and real query embeddings land among them. Text is drawn from a Zipfian
vocabulary (the realcorpus word list by frequency, else pseudo-words), 60-220 words a passage. Metadata has
kb's keys: 1-3 countries per document (Zipfian over ~80 ILO member States), their regions, doc_type, year
(skewed recent), lang, 1-4 topics, title, heading, path, pages, character spans. Indexes are built through
`LocalStore.write_documents` in batches and cached in bench/cache/ (git-ignored), keyed by size and type.
"""

import functools
import json
import re
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document

from bench.common import CACHE, REALCORPUS, cached_vectors, realcorpus_passages
from kb.core.models import DOC_TYPES, TOPICS

DIM = 384
CENTRES = 400
NOISE = 0.9  # scale of the covariance-shaped noise around a centre (cosine to the centre ~0.8)
WRITE_BATCH = 10_000
SEED = 7
BUILD_FILE = "bench-build.json"
# ILO member States weighted Zipf-like: the first ones hold most documents (as a department's collection does).
COUNTRIES = [
    "ZAF", "KEN", "SEN", "BRA", "MEX", "IND", "ARG", "URY", "UZB", "KHM", "PHL", "PAK", "FRA", "ESP",
    "COL", "PER", "CHL", "BOL", "ECU", "GHA", "NGA", "ETH", "TZA", "UGA", "RWA", "MOZ", "ZMB", "MWI",
    "NAM", "BWA", "LSO", "MAR", "TUN", "EGY", "JOR", "LBN", "IDN", "VNM", "THA", "BGD", "NPL", "LKA",
    "CHN", "MNG", "KGZ", "KAZ", "TJK", "TUR", "GEO", "ARM", "UKR", "MDA", "ALB", "DEU", "ITA", "PRT",
    "GRC", "CRI", "PAN", "GTM", "HND", "SLV", "NIC", "DOM", "HTI", "JAM", "PRY", "VEN", "CIV", "CMR",
    "BEN", "TGO", "BFA", "MLI", "NER", "TCD", "MDG", "CPV",
]
HEADINGS = ("Introduction", "Background", "Coverage", "Financing", "Benefits", "Eligibility", "Administration",
            "Results", "Recommendations", "Annex", "Contexto", "Cobertura", "Financement", "Prestations")


def model() -> Any:
    """kb's default model identity (the bundled all-MiniLM-L6-v2)."""
    from kb.core.config import Settings
    from kb.embedding import model_info

    return model_info(Settings().model_path())


def _real_embeddings(count: int = 1500) -> np.ndarray | None:
    """Embeddings of `count` realcorpus passages with kb's default embedder (cached), or None without it."""
    texts = realcorpus_passages(count)
    if len(texts) < CENTRES:
        return None
    from kb.embedding import embedder_name, text_embedder

    info = model()

    def embed(batch: list[str]) -> np.ndarray:
        backend = text_embedder(info).embedding_backend  # type: ignore[attr-defined]
        return np.asarray(backend.embed(batch, batch_size=32, normalize_embeddings=True), dtype=np.float32)

    return cached_vectors(f"centres-{embedder_name(info)}-{info.fingerprint}", texts, embed)


@functools.cache
def vector_model() -> "VectorModel":
    """The one vector model of this process."""
    return VectorModel()


class VectorModel:
    """Centres and a noise factor; `sample(rng, clusters)` draws unit vectors around the given centres."""

    def __init__(self) -> None:
        real = _real_embeddings()
        rng = np.random.default_rng(SEED)
        if real is None:
            self.source = "random centres (no realcorpus)"
            self.centres = rng.standard_normal((CENTRES, DIM)).astype(np.float32)
            self.centres /= np.linalg.norm(self.centres, axis=1, keepdims=True)
            self.factor = (np.eye(DIM) * (0.9 / np.sqrt(DIM))).astype(np.float32)
        else:
            self.source = f"{CENTRES} centres among {len(real)} realcorpus passage embeddings"
            self.centres = real[rng.choice(len(real), CENTRES, replace=False)]
            centred = real - real.mean(axis=0)
            cov = centred.T @ centred / (len(real) - 1)
            values, vectors = np.linalg.eigh(cov)
            self.factor = (vectors * np.sqrt(np.clip(values, 0, None))).astype(np.float32)

    def sample(self, rng: np.random.Generator, clusters: np.ndarray) -> np.ndarray:
        """Unit vectors, one per entry of `clusters` (centre indexes)."""
        noise = rng.standard_normal((len(clusters), DIM)).astype(np.float32) @ self.factor.T
        out = self.centres[clusters] + NOISE * noise
        # float32 as the model's own output, so the store keeps 4 bytes a dimension as it does for real vectors
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def vocabulary(size: int = 30_000) -> tuple[np.ndarray, np.ndarray]:
    """Words ranked by frequency and their Zipf probabilities (exponent 1.07, as in natural text)."""
    counts: Counter[str] = Counter()
    if REALCORPUS.is_dir():
        for file in sorted(REALCORPUS.rglob("*.md")):
            counts.update(w.lower() for w in re.findall(r"[^\W\d_]{2,}", file.read_text(errors="replace")))
    words = [w for w, _ in counts.most_common(size)]
    rng = np.random.default_rng(SEED)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    while len(words) < size:
        words.append("".join(rng.choice(letters, int(rng.integers(3, 10)))))
    ranks = np.arange(1, size + 1, dtype=np.float64)
    p = ranks**-1.07
    return np.array(words, dtype=object), p / p.sum()


def _country_weights() -> np.ndarray:
    w = 1.0 / np.arange(1, len(COUNTRIES) + 1) ** 0.9
    return w / w.sum()


def passages(n: int, seed: int = SEED) -> Iterator[list[Document]]:
    """`n` synthetic passages in batches of `WRITE_BATCH`, the same for every `n` (a prefix of a larger set)."""
    from kb.core.countries import regions_for

    rng = np.random.default_rng(seed)
    vectors = vector_model()
    words, p = vocabulary()
    cweights = _country_weights()
    topics = list(TOPICS)
    years = np.arange(1990, 2026)
    yweights = np.exp((years - 2025) / 8.0)
    yweights /= yweights.sum()
    batch: list[tuple[str, str, dict[str, Any]]] = []
    centres: list[int] = []
    done, d = 0, 0
    while done < n:
        size = min(int(rng.lognormal(3.7, 0.8)) + 3, 400, n - done)  # passages in this document (mean ~60)
        countries = sorted({str(c) for c in rng.choice(COUNTRIES, size=int(rng.integers(1, 4)), p=cweights)})
        lang = str(rng.choice(["en", "es", "fr"], p=[0.6, 0.25, 0.15]))
        clusters = rng.choice(CENTRES, size=int(rng.integers(1, 4)), replace=False)
        doc_meta = {
            "doc_id": f"syndoc{d:07d}",
            "title": f"{' '.join(rng.choice(words[:3000], 5, p=p[:3000] / p[:3000].sum()))} ({d})",
            "path": f"/collection/{lang}/synthetic_{d:07d}.pdf",
            "lang": lang,
            "countries": countries,
            "regions": regions_for(countries),
            "doc_type": str(rng.choice(DOC_TYPES, p=[0.4, 0.3, 0.1, 0.15, 0.05])),
            "year": int(rng.choice(years, p=yweights)),
            "topics": sorted({str(t) for t in rng.choice(topics, size=int(rng.integers(1, 5)))}),
        }
        lengths = rng.integers(60, 221, size)
        ids = rng.choice(len(words), int(lengths.sum()), p=p)
        assigned = rng.choice(clusters, size)
        start = 0
        for seq in range(size):
            text = " ".join(words[ids[start : start + lengths[seq]]])
            start += lengths[seq]
            page = seq // 3 + 1
            meta = {
                **doc_meta, "seq": seq, "page_start": page, "page_end": page, "char_start": seq * 1100,
                "char_end": seq * 1100 + len(text), "heading": str(rng.choice(HEADINGS)),
            }
            batch.append((f"syn{done:08d}", text, meta))
            centres.append(int(assigned[seq]))
            done += 1
            if len(batch) == WRITE_BATCH:
                yield _embedded(batch, vectors.sample(rng, np.asarray(centres)))
                batch, centres = [], []
        d += 1
    if batch:
        yield _embedded(batch, vectors.sample(rng, np.asarray(centres)))


def _embedded(batch: list[tuple[str, str, dict[str, Any]]], vectors: np.ndarray) -> list[Document]:
    return [
        Document(id=i, content=text, meta=meta, embedding=vector)
        for (i, text, meta), vector in zip(batch, vectors.tolist(), strict=True)
    ]


def index_dir(n: int, kind: str) -> Path:
    """Where the cached synthetic index of `n` passages and vector index `kind` lives."""
    return CACHE / f"synthetic-{n}-{kind}"


def built(path: Path) -> dict[str, Any] | None:
    """The build record of a complete cached index, else None."""
    try:
        return json.loads((path / BUILD_FILE).read_text())
    except (OSError, ValueError):
        return None


def open_store(path: Path, index_type: str = "auto") -> Any:
    """A LocalStore on `path` with kb's model identity and chunking settings (as `kb` itself would open it)."""
    from index.store import LocalStore
    from kb.service import KnowledgeBase

    kb = KnowledgeBase(index=path)
    return LocalStore(path, embedding_model=kb.model.identity, dimension=kb.model.dimension,
                      chunking=kb.chunking(), index_type=index_type)


def build(n: int, kind: str = "auto", log: Any = print) -> dict[str, Any]:
    """Build (or reuse) the synthetic index of `n` passages; returns its build record (timings, sizes)."""
    path = index_dir(n, kind)
    if (record := built(path)) is not None:
        return record
    shutil.rmtree(path, ignore_errors=True)
    started = time.perf_counter()
    store = open_store(path, kind)
    generate = write = 0.0
    done = 0
    batches = passages(n)
    while True:
        t0 = time.perf_counter()
        batch = next(batches, None)
        t1 = time.perf_counter()
        if batch is None:
            break
        store.write_documents(batch)
        t2 = time.perf_counter()
        generate, write, done = generate + t1 - t0, write + t2 - t1, done + len(batch)
        if done % 100_000 == 0 or done == n:
            log(f"  {done:,} passages written ({done / write:,.0f}/s, {time.perf_counter() - started:,.0f} s)")
    t0 = time.perf_counter()
    store.flush()
    flush = time.perf_counter() - t0
    record = {
        "passages": store.count_documents(), "index_type": kind, "vector_kind": store.vector_kind,
        "seconds_total": round(time.perf_counter() - started, 1), "seconds_generate": round(generate, 1),
        "seconds_write": round(write, 1), "seconds_flush": round(flush, 1),
        "write_per_s": round(done / write, 1), "write_batch": WRITE_BATCH, "vectors": vector_model().source,
    }
    store.close()
    (path / BUILD_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return record


def rekind(n: int, source_kind: str, kind: str, log: Any = print) -> dict[str, Any]:
    """The `n`-passage index with another vector index type: a copy of the SQLite file, FAISS rebuilt."""
    path = index_dir(n, kind)
    if (record := built(path)) is not None:
        return record
    source = index_dir(n, source_kind)
    build(n, source_kind, log)
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    for name in ("kb.sqlite3", "manifest.json"):
        shutil.copy2(source / name, path / name)
    started = time.perf_counter()
    store = open_store(path, kind)
    loaded = time.perf_counter() - started
    store.flush()
    record = {**built(source), "index_type": kind, "vector_kind": store.vector_kind,  # type: ignore[dict-item]
              "seconds_rebuild_vectors": round(time.perf_counter() - started - loaded, 1), "copied_from": source.name}
    store.close()
    for old in path.glob("vectors-*.faiss"):
        if store.manifest.vectors_file != old.name:
            old.unlink()
    (path / BUILD_FILE).write_text(json.dumps(record, indent=2) + "\n")
    log(f"  {path.name}: vectors rebuilt as {record['vector_kind']} in {record['seconds_rebuild_vectors']} s")
    return record


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="build the cached synthetic indexes")
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"building {size:,} passages", flush=True)
        print(json.dumps(build(size, "auto", lambda m: print(m, flush=True)), indent=2), flush=True)
