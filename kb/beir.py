"""Retrieval quality on a BEIR-format benchmark (e.g. SciFact): nDCG@10, recall@100, MRR@10 via ranx."""

import hashlib
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.core import locations
from kb.core.errors import UsageError
from kb.search import MODES, Mode, build_retrievers, retrieve
from kb.stores import open_location

if TYPE_CHECKING:
    from index.protocol import KnowledgeStore
    from kb.service import KnowledgeBase

METRICS = ["ndcg@10", "recall@100", "mrr@10"]
DEPTH = 100


def load_beir(directory: Path, split: str = "test") -> tuple[list[dict[str, Any]], dict[str, str], dict[str, dict[str, int]]]:
    """(corpus rows, queries by id restricted to the split, qrels) from a BEIR folder."""
    corpus_file, queries_file = directory / "corpus.jsonl", directory / "queries.jsonl"
    qrels_file = directory / "qrels" / f"{split}.tsv"
    for needed in (corpus_file, queries_file, qrels_file):
        if not needed.is_file():
            raise UsageError(f"{needed} is missing; --beir needs a BEIR folder with corpus.jsonl, queries.jsonl, qrels/")
    qrels: dict[str, dict[str, int]] = {}
    for line in qrels_file.read_text(encoding="utf-8").splitlines()[1:]:
        qid, did, score = line.split("\t")
        if int(score) > 0:
            qrels.setdefault(qid, {})[did] = int(score)
    queries = {}
    for line in queries_file.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["_id"] in qrels:
            queries[row["_id"]] = row["text"]
    corpus = [json.loads(line) for line in corpus_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return corpus, queries, qrels


def cache_dir(directory: Path, model_identity: str) -> Path:
    """Where the index of a BEIR corpus is cached (one per corpus and model)."""
    key = hashlib.sha1(f"{directory.resolve()}|{model_identity}".encode()).hexdigest()[:12]
    return locations.data_home() / "kb" / "beir" / f"{directory.name}-{key}"


def build_index(store: "KnowledgeStore", corpus: list[dict[str, Any]], embedder: Any, progress: Callable[[int, int], None]) -> None:
    """Embed and write every corpus document that the store does not hold yet (resumable)."""
    from haystack import Document

    have = {d.id for d in store.filter_documents()} if store.count_documents() else set()
    todo = [row for row in corpus if row["_id"] not in have]
    for start in range(0, len(todo), 256):
        rows = todo[start : start + 256]
        docs = [
            Document(id=row["_id"], content=f"{row.get('title', '')} {row['text']}".strip(), meta={"doc_id": row["_id"]})
            for row in rows
        ]
        store.commit(passages=embedder.run(documents=docs)["documents"])
        progress(len(have) + start + len(rows), len(corpus))
    store.flush()


def evaluate(
    store: "KnowledgeStore", make_embedder: Callable[[], Any], queries: dict[str, str], qrels: dict[str, dict[str, int]], modes: list[Mode]
) -> dict[str, dict[str, float]]:
    """Metrics per mode, from runs of the same retrievers `kb search` uses."""
    from ranx import Qrels, Run
    from ranx import evaluate as ranx_evaluate

    results: dict[str, dict[str, float]] = {}
    for mode in modes:
        if mode not in MODES:
            raise UsageError(f"unknown mode {mode!r}; use {', '.join(MODES)}")
        retrievers = build_retrievers(store, make_embedder, mode, candidates=DEPTH)
        started = time.perf_counter()
        run: dict[str, dict[str, float]] = {}
        for qid, text in queries.items():
            docs = retrieve(retrievers, text, None, DEPTH).documents
            run[qid] = {d.id: float(len(docs) - rank) for rank, d in enumerate(docs)} or {"__none__": 0.0}
        seconds = time.perf_counter() - started
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numba's type-safety notes inside ranx
            scores = ranx_evaluate(Qrels(qrels), Run(run), METRICS)
        results[mode] = {m: round(float(v), 4) for m, v in scores.items()}
        results[mode]["ms_per_query"] = round(1000 * seconds / max(len(queries), 1), 2)
    return results


def run(
    kb: "KnowledgeBase",
    directory: Path,
    *,
    split: str = "test",
    modes: list[Mode] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """`kb eval --beir DIR`: index a BEIR corpus (cached per model) and report nDCG@10, recall@100, MRR@10 per mode."""
    from kb.embedding import document_embedder, embedder_name

    corpus, queries, qrels = load_beir(Path(directory), split)
    model, backend = kb.model, kb.settings.embed_backend
    location = cache_dir(Path(directory), f"{model.identity}/{embedder_name(model, backend)}")
    with open_location(str(location), create=True, embedding_model=model.identity, dimension=model.dimension) as store:
        if store.count_documents() < len(corpus):
            embedder = document_embedder(model, batch_size=kb.settings.batch_size, backend=backend)
            build_index(store, corpus, embedder, progress or (lambda _done, _total: None))
        kb.warm_up()
        metrics = evaluate(store, kb.new_text_embedder, queries, qrels, list(modes or MODES))
    return {"dataset": str(directory), "split": split, "queries": len(queries), "documents": len(corpus),
            "index": str(location), "metrics": metrics}
