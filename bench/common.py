"""Shared benchmark helpers: the evaluation data in ../shared (read in place, never copied), interleaved
timing, SciFact nDCG@10 with ranx, embedding caches under bench/cache/, and the machine description."""

import hashlib
import json
import os
import platform
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KB_SHARED", ROOT.parent / "shared"))
SCIFACT = SHARED / "eval" / "scifact"
REALCORPUS = SHARED / "realcorpus"
RESULTS = Path(__file__).parent / "results"
CACHE = Path(__file__).parent / "cache"


@dataclass(frozen=True)
class Beir:
    """A BEIR collection's test split: documents as `title + " " + text` (as MTEB does), queries, qrels."""

    doc_ids: list[str]
    docs: list[str]
    query_ids: list[str]
    queries: list[str]
    qrels: dict[str, dict[str, int]]


def load_scifact(folder: Path | None = None) -> Beir | None:
    """SciFact's 300 test queries over its 5,183 abstracts (from `folder`, by default ../shared/eval/scifact), or
    None when the folder is absent."""
    folder = SCIFACT if folder is None else folder  # looked up at call time, so tests can point it elsewhere
    if not (folder / "corpus.jsonl").is_file():
        return None
    corpus = [json.loads(line) for line in (folder / "corpus.jsonl").read_text().splitlines() if line.strip()]
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels" / "test.tsv").read_text().splitlines()[1:]:
        qid, did, score = line.split("\t")[:3]
        qrels.setdefault(qid, {})[did] = int(score)
    queries = {
        q["_id"]: q["text"] for q in map(json.loads, (folder / "queries.jsonl").read_text().splitlines())
    }
    qids = [q for q in qrels if q in queries]
    return Beir(
        doc_ids=[str(d["_id"]) for d in corpus],
        docs=[f"{d.get('title', '')} {d['text']}".strip() for d in corpus],
        query_ids=qids,
        queries=[queries[q] for q in qids],
        qrels={q: qrels[q] for q in qids},
    )


def ndcg_at_10(beir: Beir, doc_vectors: np.ndarray, query_vectors: np.ndarray, depth: int = 100) -> float:
    """nDCG@10 of exact cosine search (vectors are normalised) over the whole collection, scored by ranx."""
    from ranx import Qrels, Run, evaluate

    scores = query_vectors @ doc_vectors.T
    top = np.argsort(-scores, axis=1)[:, :depth]
    run = {
        qid: {beir.doc_ids[j]: float(scores[i, j]) for j in top[i]} for i, qid in enumerate(beir.query_ids)
    }
    return float(evaluate(Qrels(beir.qrels), Run(run), "ndcg@10"))


def realcorpus_passages(n: int, folder: Path | None = None, seed: int = 0) -> list[str]:
    """`n` passages of about 120-250 words from the Markdown files of `folder`, by default ../shared/realcorpus
    ([] if absent)."""
    folder = REALCORPUS if folder is None else folder
    passages: list[str] = []
    for file in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        if file.name == "README.md" and file.parent == folder:
            continue
        current: list[str] = []
        for paragraph in re.split(r"\n\s*\n", file.read_text(errors="replace")):
            current.extend(paragraph.split())
            if len(current) >= 120:
                passages.append(" ".join(current[:250]))
                current = []
    return random.Random(seed).sample(passages, min(n, len(passages)))


def passage_count(size: str) -> int:
    """A size label as a number of passages: "100k" is 100,000, "1m" 1,000,000, "2.5k" 2,500 and "300" 300 (the
    smoke tests run the scale benchmarks at such tiny sizes)."""
    found = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", size.strip().lower())
    if found is None:
        raise ValueError(f"{size!r} is not a size: use a passage count such as 300, 2k, 100k or 1m")
    return round(float(found[1]) * {"": 1, "k": 1_000, "m": 1_000_000}[found[2]])


def sample(texts: Sequence[str], n: int, seed: int = 0) -> list[str]:
    """A fixed pseudo-random sample of `n` texts (the same in every run)."""
    return random.Random(seed).sample(list(texts), min(n, len(texts)))


def interleaved_rates(
    variants: dict[str, Callable[[list[str]], Any]],
    texts: list[str],
    runs: int,
    log: Callable[[str], None] = print,
) -> dict[str, list[float]]:
    """Texts per second of each variant, `runs` times, variants interleaved in each round (shared machine)."""
    rates: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(runs):
        for name, embed in variants.items():
            start = time.perf_counter()
            embed(texts)
            rates[name].append(len(texts) / (time.perf_counter() - start))
            log(f"  round {round_ + 1}/{runs} {name}: {rates[name][-1]:.1f}/s")
    return rates


def median(values: list[float]) -> float:
    """The median (figures are medians of several runs)."""
    return float(statistics.median(values))


def cached_vectors(name: str, texts: Sequence[str], embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """`embed(texts)`, cached in bench/cache/NAME-<hash of texts>.npy (NAME identifies model and variant)."""
    digest = hashlib.sha256("\x1e".join(texts).encode()).hexdigest()[:12]
    file = CACHE / f"{name}-{digest}.npy"
    if file.is_file():
        return np.load(file)
    vectors = np.asarray(embed(list(texts)), dtype=np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = file.with_suffix(f".tmp{os.getpid()}.npy")
    np.save(tmp, vectors)
    tmp.replace(file)
    return vectors


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    flags: set[str] = set()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and not model:
                model = value.strip()
            if key.strip() == "flags" and not flags:
                flags = set(value.split())
    simd = [
        f
        for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16")
        if f in flags
    ]
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "simd": simd,
        "python": platform.python_version(),
        "load": load,
    }


def package_versions(*names: str) -> dict[str, str]:
    """Installed versions of `names` (missing ones are left out)."""
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    return found


def write_json(name: str, payload: dict[str, Any]) -> Path:
    """Write bench/results/NAME.json through a temporary file."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    file = RESULTS / f"{name}.json"
    tmp = file.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(file)
    return file


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`th percentile (0-100) of `values`, linear interpolation (numpy's default)."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


KB_PACKAGES = ("haystack-ai", "sentence-transformers", "torch", "onnxruntime", "faiss-cpu", "numpy", "textual",
               "pymilvus", "milvus-lite")


def header(settings: dict[str, Any]) -> dict[str, Any]:
    """What every results file starts with: when, on what machine, with which versions and settings."""
    return {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "packages": package_versions(*KB_PACKAGES),
        "settings": settings,
    }


def target(name: str, goal: str, measured: str, met: bool | None, baseline: str = "", limit: str = "") -> dict[str, Any]:
    """One row of the README's Performance table (`met` None: informational, no target)."""
    return {"target": name, "goal": goal, "measured": measured, "baseline": baseline, "met": met, "limit": limit}


def rss_bytes(pid: int | str = "self") -> dict[str, int]:
    """Resident set size now and at its peak (VmRSS, VmHWM) of a process, in bytes (Linux /proc)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return {"rss": out.get("VmRSS", 0), "peak": out.get("VmHWM", 0)}


def log(message: str) -> None:
    """Progress on stdout, flushed (benchmarks run for minutes)."""
    print(message, flush=True)


def corpus_index(corpus: Path, index: Path) -> Path:
    """`corpus` ingested into `index` (incremental: a later run re-embeds nothing); stops on a failed file."""
    from kb.service import KnowledgeBase

    log(f"  indexing {corpus} into {index}")
    with KnowledgeBase(index=index) as base:
        report = base.ingest([corpus])
    if report.failed:
        raise SystemExit(f"cannot build the index: {report.failed}")
    return index
