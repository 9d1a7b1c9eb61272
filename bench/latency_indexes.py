"""The indexes and filters bench/query_latency.py queries: 10k passages of real text, 100k and 1M synthetic.

The 10k index is the realcorpus index (built by bench.ingest_speed, or ingested here) replicated with perturbed
words, metadata and vectors; 100k and 1M are bench/synthetic.py indexes (1M through `index_type` auto, so IVF).
Any other size label is a synthetic index too: a passage count (`2k`, `300`) with an optional vector index type
(`1m-flat`, `300-ivf`; `auto` without one). All are cached in bench/cache/.
"""

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench import synthetic
from bench.common import CACHE, REALCORPUS, log, passage_count
from bench.ingest_speed import REALCORPUS_INDEX
from kb.core.filters import SearchFilters

REAL_SIZE = 10_000
REAL_COUNTRIES = ["UZB", "ARG", "URY", "KHM", "PHL", "PAK", "KEN", "SEN", "BRA", "MEX", "IND", "ZAF"]


def real_index(log_: Callable[[str], None] = log) -> Path | None:
    """The 10k real-text index: realcorpus passages replicated with perturbed text, metadata and vectors."""
    path = CACHE / f"real-{REAL_SIZE}"
    if synthetic.built(path) is not None:
        return path
    if not REALCORPUS_INDEX.exists():
        if not REALCORPUS.is_dir():
            return None
        from kb.service import KnowledgeBase

        log_(f"  ingesting {REALCORPUS} into {REALCORPUS_INDEX} (once)")
        with KnowledgeBase(index=REALCORPUS_INDEX) as base:
            base.ingest([REALCORPUS])
    from haystack import Document

    from kb.core.countries import regions_for

    source = synthetic.open_store(REALCORPUS_INDEX)
    originals = source.filter_documents()
    source.close()
    rng = np.random.default_rng(11)
    store = synthetic.open_store(path)
    started = time.perf_counter()
    batch: list[Document] = []
    for copy in range(math.ceil(REAL_SIZE / len(originals))):
        for doc in originals:
            if store.count_documents() + len(batch) >= REAL_SIZE:
                break
            if copy == 0:
                batch.append(doc)
            else:
                batch.append(_perturbed(doc, copy, rng, regions_for))
            if len(batch) == 2000:
                store.write_documents(batch)
                batch = []
    if batch:
        store.write_documents(batch)
    store.flush()
    record = {"passages": store.count_documents(), "vector_kind": store.vector_kind, "originals": len(originals),
              "seconds_total": round(time.perf_counter() - started, 1)}
    store.close()
    (path / synthetic.BUILD_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return path


def _perturbed(doc: Any, copy: int, rng: np.random.Generator, regions_for: Callable[[list[str]], list[str]]) -> Any:
    """Another document's passage like `doc`: ~4% of words dropped, other country and year, a nearby vector."""
    from haystack import Document

    words = (doc.content or "").split(" ")
    keep = rng.random(len(words)) > 0.04
    vector = np.asarray(doc.embedding, dtype=np.float32)
    vector = vector + 0.35 * rng.standard_normal(len(vector)).astype(np.float32) / np.sqrt(len(vector))
    countries = [REAL_COUNTRIES[(REAL_COUNTRIES.index(c) + copy) % len(REAL_COUNTRIES)] if c in REAL_COUNTRIES
                 else REAL_COUNTRIES[copy % len(REAL_COUNTRIES)] for c in doc.meta.get("countries") or []]
    meta = {**doc.meta, "doc_id": f"{doc.meta.get('doc_id')}-copy{copy}", "countries": countries,
            "regions": regions_for(countries), "year": int(doc.meta.get("year") or 2020) - 3 * copy}
    return Document(id=f"{doc.id}-copy{copy}", content=" ".join(w for w, k in zip(words, keep) if k), meta=meta,
                    embedding=(vector / np.linalg.norm(vector)).tolist())


def index_for(size: str, log_: Callable[[str], None] = log) -> tuple[Path | None, dict[str, Any]]:
    """The index for a size label: 10k real; otherwise synthetic, `COUNT[-TYPE]` (100k and 1m with index_type
    auto, 1m-flat exact, 300-ivf)."""
    if size == "10k":
        path = real_index(log_)
        return path, (synthetic.built(path) or {}) if path else {}
    n, kind = parse_size(size)
    record = synthetic.build(n, "auto", log_) if kind == "auto" else synthetic.rekind(n, "auto", kind, log_)
    return synthetic.index_dir(n, kind), record


def parse_size(size: str) -> tuple[int, str]:
    """A synthetic size label as (passages, index type): `1m-flat` is (1000000, "flat"), `100k` (100000, "auto")."""
    count, _, kind = size.partition("-")
    if kind not in ("", "auto", "flat", "ivf"):
        raise ValueError(f"{size!r}: the index type after the count is flat or ivf")
    return passage_count(count), kind or "auto"


def filters_for(size: str, count: int) -> list[SearchFilters]:
    """One country and a ten-year range per query, cycling over the collection's most common countries."""
    countries = REAL_COUNTRIES[:6] if size == "10k" else synthetic.COUNTRIES[:12]
    out = []
    for i in range(count):
        start = 2008 + (i * 3) % 10
        out.append(SearchFilters(countries=[countries[i % len(countries)]], year_from=start, year_to=start + 10))
    return out
