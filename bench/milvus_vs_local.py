"""Local store (FAISS + SQLite) vs Milvus Lite: query latency and write rate on synthetic passages.

Usage: `.venv/bin/python -m bench.milvus_vs_local [--sizes 10000,100000] [--runs 3] [--queries 40]` (sizes are
passage counts: 10000, 10k, 300).
Sizes not measured in a run keep their earlier figures in the results file, each size with its date (100k takes
over an hour with Milvus Lite, whose filtered queries run row by row in Python).
Both backends get the same passages (384-d clustered unit vectors, synthetic Spanish/French/English
text and kb metadata) and the same queries in the same run; latencies are p50/p95 per run, and the
table shows the median over runs, and Milvus/local ratios. Results go to bench/results/milvus_vs_local.json.
"""

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document

import bench.common
from bench.common import machine, passage_count, write_json
from index.milvus.store import MilvusStore
from index.store import LocalStore
from kb.core.models import DOC_TYPES, REGIONS, TOPICS

DIM = 384
CLUSTERS = 64
PER_DOC = 50
WRITE_BATCH = 1000
COUNTRIES = ["KEN", "SEN", "BRA", "MEX", "FRA", "ESP", "IND", "VNM", "ZAF", "PER", "MAR", "TUN", "GHA", "COL", "ARG"]
WORDS = [
    "pensión", "sécurité", "sociale", "protection", "social", "pension", "universal", "cobertura",
    "adultos", "mayores", "prestaciones", "familles", "allocations", "enfants", "maternité", "chômage",
    "unemployment", "benefits", "health", "insurance", "seguro", "salud", "contributivo", "financement",
    "fiscal", "space", "informal", "workers", "trabajadores", "informales", "régimen", "régime",
    "disability", "invalidez", "survivors", "viudez", "accidentes", "travail", "employment", "injury",
    "derecho", "droit", "rights", "reform", "réforme", "actuarial", "valuation", "évaluation",
    "coverage", "gaps", "lacunes", "poverty", "pobreza", "pauvreté",
]
NAME = "milvus_vs_local"


def passages(n: int, seed: int = 0) -> list[Document]:
    """`n` synthetic passages, `PER_DOC` per document, with kb's metadata keys."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((CLUSTERS, DIM)).astype(np.float32)
    vectors = centers[rng.integers(0, CLUSTERS, n)] + 0.6 * rng.standard_normal((n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    docs = []
    for i in range(n):
        d, seq = divmod(i, PER_DOC)
        drng = np.random.default_rng(d)
        meta = {
            "doc_id": f"doc{d:06d}", "seq": seq, "title": f"Document {d}", "path": f"/corpus/doc{d}.pdf",
            "page_start": seq // 5 + 1, "page_end": seq // 5 + 1, "char_start": seq * 900, "char_end": seq * 900 + 899,
            "heading": None, "lang": ["en", "fr", "es"][d % 3],
            "countries": sorted({str(c) for c in drng.choice(COUNTRIES, size=1 + d % 2)}),
            "regions": [REGIONS[d % len(REGIONS)]], "doc_type": DOC_TYPES[d % len(DOC_TYPES)],
            "year": 1995 + d % 30, "topics": [list(TOPICS)[d % len(TOPICS)]],
        }
        text = " ".join(rng.choice(WORDS, size=60))
        docs.append(Document(id=f"p{i:07d}", content=text, meta=meta, embedding=vectors[i].tolist()))
    return docs


def queries(count: int, seed: int = 1) -> tuple[list[np.ndarray], list[str]]:
    """Query vectors near the passage clusters, and 2-3 word keyword queries."""
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(0).standard_normal((CLUSTERS, DIM)).astype(np.float32)
    vectors = centers[rng.integers(0, CLUSTERS, count)] + 0.8 * rng.standard_normal((count, DIM)).astype(np.float32)
    texts = [" ".join(rng.choice(WORDS, size=int(rng.integers(2, 4)))) for _ in range(count)]
    return list(vectors / np.linalg.norm(vectors, axis=1, keepdims=True)), texts


FILTER = {
    "operator": "AND",
    "conditions": [
        {"field": "meta.countries", "operator": "in", "value": ["KEN", "SEN"]},
        {"field": "meta.year", "operator": ">=", "value": 2010},
    ],
}


def latencies(call: Callable[[Any], Any], args: list[Any]) -> dict[str, float]:
    """p50 and p95 in milliseconds of `call` over `args` (after two warm-up calls)."""
    for a in args[:2]:
        call(a)
    times = []
    for a in args:
        start = time.perf_counter()
        call(a)
        times.append((time.perf_counter() - start) * 1000)
    return {"p50": float(np.percentile(times, 50)), "p95": float(np.percentile(times, 95))}


def run_backend(store: Any, docs: list[Document], qvecs: list[np.ndarray], qtexts: list[str]) -> dict[str, Any]:
    """Write `docs` into `store`, then time each kind of query once."""
    start = time.perf_counter()
    for i in range(0, len(docs), WRITE_BATCH):
        store.write_documents(docs[i : i + WRITE_BATCH])
    store.flush()
    seconds = time.perf_counter() - start
    k = 10
    return {
        "write_per_s": len(docs) / seconds,
        "embedding_search": latencies(lambda q: store.embedding_search(q, top_k=k), qvecs),
        "embedding_search_filtered": latencies(lambda q: store.embedding_search(q, filters=FILTER, top_k=k), qvecs),
        "keyword_search": latencies(lambda q: store.keyword_search(q, top_k=k), qtexts),
        "keyword_search_filtered": latencies(lambda q: store.keyword_search(q, filters=FILTER, top_k=k), qtexts),
        "facet_counts": latencies(lambda _: store.facet_counts("countries", FILTER), [None] * 5),
        "vector_kind": store.vector_kind,
        "matching_filter": store.count_documents_by_filter(FILTER),
    }


def one_run(n: int, qvecs: list[np.ndarray], qtexts: list[str], docs: list[Document]) -> dict[str, Any]:
    """Both backends, fresh stores, the same data and queries."""
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        local = LocalStore(Path(tmp) / "local", embedding_model="bench", dimension=DIM)
        local_result = run_backend(local, docs, qvecs, qtexts)
        local.close()
        milvus = MilvusStore.from_uri(f"milvus:{tmp}/kb.db", embedding_model="bench", dimension=DIM)
        milvus_result = run_backend(milvus, docs, qvecs, qtexts)
        milvus.close()
    return {"local": local_result, "milvus_lite": milvus_result}


METRICS = [
    ("embedding_search", "embedding_search"),
    ("embedding_search + filter", "embedding_search_filtered"),
    ("keyword_search", "keyword_search"),
    ("keyword_search + filter", "keyword_search_filtered"),
    ("facet_counts + filter", "facet_counts"),
]


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over runs of every figure, and Milvus/local ratios."""
    out: dict[str, Any] = {}
    for backend in ("local", "milvus_lite"):
        out[backend] = {"write_per_s": statistics.median(r[backend]["write_per_s"] for r in runs)}
        for _label, key in METRICS:
            out[backend][key] = {q: statistics.median(r[backend][key][q] for r in runs) for q in ("p50", "p95")}
        out[backend]["vector_kind"] = runs[0][backend]["vector_kind"]
        out[backend]["matching_filter"] = runs[0][backend]["matching_filter"]
    out["ratio_milvus_over_local"] = {
        "write_per_s": out["milvus_lite"]["write_per_s"] / out["local"]["write_per_s"],
        **{key: {q: out["milvus_lite"][key][q] / out["local"][key][q] for q in ("p50", "p95")} for _l, key in METRICS},
    }
    return out


def table(results: dict[str, Any]) -> str:
    """The figures as a plain-text table."""
    lines = [f"{'size':>7}  {'measure':<26} {'local':>18} {'milvus lite':>18} {'milvus/local':>14}"]
    for size, res in results.items():
        loc, mil, ratio = res["local"], res["milvus_lite"], res["ratio_milvus_over_local"]
        lines.append(f"{size:>7}  {'write (passages/s)':<26} {loc['write_per_s']:>18,.0f} {mil['write_per_s']:>18,.0f}"
                     f" {ratio['write_per_s']:>14.2f}")
        for label, key in METRICS:
            cells = [f"{r[key]['p50']:.1f} / {r[key]['p95']:.1f} ms" for r in (loc, mil)]
            lines.append(f"{'':>7}  {label + ' p50/p95':<26} {cells[0]:>18} {cells[1]:>18}"
                         f" {ratio[key]['p50']:>6.1f} / {ratio[key]['p95']:<5.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated passage counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (figures are medians over runs)")
    parser.add_argument("--queries", type=int, default=40, help="queries of each kind per run")
    args = parser.parse_args(argv)
    try:
        sizes = [passage_count(s) for s in args.sizes.split(",")]
    except ValueError as why:
        parser.error(str(why))
    qvecs, qtexts = queries(args.queries)
    results: dict[str, Any] = {}
    for n in sizes:
        docs = passages(n)
        runs = [one_run(n, qvecs, qtexts, docs) for _ in range(args.runs)]
        results[str(n)] = {**summarise(runs), "runs": runs, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                           "queries": args.queries}
        print(table({str(n): results[str(n)]}), flush=True)
    results = {**_earlier(set(results)), **results}
    payload = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "versions": {p: version(p) for p in ("pymilvus", "milvus-lite", "faiss-cpu", "haystack-ai")},
        "settings": {"dimension": DIM, "clusters": CLUSTERS, "queries": args.queries, "runs": args.runs,
                     "top_k": 10, "write_batch": WRITE_BATCH, "filter": FILTER},
        "results": results,
    }
    print(f"\nwrote {write_json(NAME, payload)}")


def _earlier(rerun: set[str]) -> dict[str, Any]:
    """Sizes of the previous results file that this run did not measure, kept with the date they were measured."""
    try:
        previous = json.loads((bench.common.RESULTS / f"{NAME}.json").read_text())
    except (OSError, ValueError):
        return {}
    kept = {}
    for size, res in previous.get("results", {}).items():
        if size not in rerun:
            # The first results file (commit fed8e77) had no dates.
            res.setdefault("measured_at", "2026-11-24T06:12:47+0000 (commit fed8e77, before the filter speed-ups)")
            res.setdefault("queries", previous.get("settings", {}).get("queries"))
            kept[size] = res
    return dict(sorted(kept.items(), key=lambda kv: int(kv[0])))


if __name__ == "__main__":
    main()
