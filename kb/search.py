"""Hybrid retrieval from Haystack components: dense (FAISS) + keyword (BM25), each list's scores scaled to [0, 1]
and summed (a convex combination with equal weights).

The components are called in order, not through `Pipeline.run`: that deep-copies every passage and its metadata
between components (with a slow `isinstance` check against the Component protocol for each), measured at 26 ms of
a 50 ms hybrid search over 100k passages, for results that are the same.

Measured against reciprocal rank fusion on the same lists: SciFact nDCG@10 0.7298 against 0.7160, and on
`corpus/questions.jsonl` and the real-corpus questions hit@1 and hit@5 as good or better (ingest/NOTES.md and
README, "Answers"): a passage that one retriever ranks far above the rest keeps that lead, where RRF let
passages both lists rank in the middle overtake it.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from haystack import Document, component
from haystack.components.joiners import DocumentJoiner

from index.protocol import KnowledgeStore
from index.retrievers import KbEmbeddingRetriever, KbKeywordRetriever
from kb.core.errors import kb_cause
from kb.core.models import PassageMeta
from kb.core.text import fold_words

Mode = Literal["dense", "keyword", "hybrid"]
MODES: tuple[Mode, ...] = ("dense", "keyword", "hybrid")
# A query in a language the embedding model does not read (a Spanish question for all-MiniLM-L6-v2) gets its dense
# list weighted down beside the keyword list: real-corpus Spanish hit@5 0.45 -> 0.64, bundled French 0.67 -> 0.83,
# English unchanged (measured with weights 1, 0.5 and 0.25 on both question files).
FOREIGN_DENSE_WEIGHT = 0.25
CANDIDATES = 20  # each retriever's list length before fusion (at least twice the hits wanted; 50 measured no better)


@dataclass
class Hit:
    """One ranked passage, with the other documents that contain the same text."""

    rank: int
    score: float
    passage: Document
    also: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of a search hit."""
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "passage_id": self.passage.id,
            **PassageMeta.of(self.passage.meta).to_json(),
            "text": self.passage.content,
            "also_in": self.also,
        }


@component
class MinMaxScaler:
    """Scales a ranked list's scores to [0, 1] (best 1, last 0; a list of one passage scores 1), so that cosine
    similarities and BM25 scores can be summed by `DocumentJoiner(join_mode="merge")`."""

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        """Return copies of `documents` with scaled scores, in the same order."""
        scores = [d.score or 0.0 for d in documents]
        low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
        span = high - low
        return {"documents": [replace(d, score=((d.score or 0.0) - low) / span if span else 1.0) for d in documents]}


@dataclass
class Retrieved:
    """Ranked passages, and the query embedding they were found with (None in keyword mode)."""

    documents: list[Document]
    query_embedding: list[float] | None = None


@dataclass
class Retrievers:
    """The components one search mode runs: the query embedder and the dense and/or keyword retriever."""

    mode: Mode
    embedder: Any = None
    dense: KbEmbeddingRetriever | None = None
    keyword: KbKeywordRetriever | None = None


def build_retrievers(
    store: KnowledgeStore, make_embedder: Callable[[], Any], mode: Mode, candidates: int = CANDIDATES
) -> Retrievers:
    """The components for `mode` (each mode gets its own embedder: components are not shared between threads)."""
    dense_too = mode in ("dense", "hybrid")
    return Retrievers(
        mode,
        embedder=make_embedder() if dense_too else None,
        dense=KbEmbeddingRetriever(store, top_k=candidates) if dense_too else None,
        keyword=KbKeywordRetriever(store, top_k=candidates) if mode in ("keyword", "hybrid") else None,
    )


def retrieve(
    retrievers: Retrievers,
    query: str,
    filters: dict[str, Any] | None,
    top_k: int,
    candidates: int | None = None,
    focus: dict[str, Any] | None = None,
    dense_weight: float = 1.0,
) -> Retrieved:
    """The `top_k` best passages for `query`, each retriever reading `candidates`.

    `focus` (hybrid only): a filter naming what the query is about (e.g. the countries it names); the dense and
    keyword lists of passages inside it join the fusion, so that those passages rise without others being cut.
    `dense_weight`: the weight of the dense lists beside the keyword lists (1: equal).
    """
    depth = max(top_k, candidates or 0)
    hybrid = retrievers.mode == "hybrid"
    try:
        lists, embedding = _ranked_lists(retrievers, query, filters, depth)
        if focus and hybrid:
            lists += _ranked_lists(retrievers, query, _and(filters, focus), depth, embedding)[0]
        documents = _fuse(lists, dense_weight) if hybrid else lists[0]
    except Exception as exc:  # surface ours (index damaged, locked...) when a library wrapped it
        cause = kb_cause(exc)
        if cause is None or cause is exc:
            raise
        raise cause from exc
    return Retrieved(list(documents[:top_k]), embedding)


def _fuse(lists: list[list[Document]], dense_weight: float) -> list[Document]:
    """Dense and keyword lists (alternating, as `_ranked_lists` returns them) scaled and summed into one ranking."""
    scaler = MinMaxScaler()
    scaled = [scaler.run(documents=found)["documents"] for found in lists]
    weights = None if dense_weight == 1.0 else [dense_weight, 1.0] * (len(scaled) // 2)
    return DocumentJoiner(join_mode="merge", weights=weights).run(documents=scaled)["documents"]


def _ranked_lists(
    retrievers: Retrievers, query: str, filters: dict[str, Any] | None, depth: int, embedding: Any = None
) -> tuple[list[list[Document]], Any]:
    """The dense and/or keyword lists for `query` (dense first), and the query embedding."""
    lists = []
    if retrievers.dense is not None:
        if embedding is None:
            embedding = retrievers.embedder.run(text=query)["embedding"]
        lists.append(retrievers.dense.run(query_embedding=embedding, filters=filters, top_k=depth)["documents"])
    if retrievers.keyword is not None:
        lists.append(retrievers.keyword.run(query=query, filters=filters, top_k=depth)["documents"])
    return lists, embedding


def _and(filters: dict[str, Any] | None, more: dict[str, Any]) -> dict[str, Any]:
    return more if not filters else {"operator": "AND", "conditions": [filters, more]}


def text_key(text: str | None) -> str:
    """Identity of a passage's text after normalisation (case, accents, punctuation, spacing)."""
    return hashlib.sha1(fold_words(text or "").encode()).hexdigest()


def collapse(docs: list[Document], top_k: int, per_doc: int | None = None) -> list[Hit]:
    """Merge passages with the same text into one hit listing every source; optionally cap hits per document."""
    hits: list[Hit] = []
    by_text: dict[str, Hit] = {}
    per: dict[str, int] = {}
    for doc in docs:
        key = text_key(doc.content)
        if key in by_text:
            first = by_text[key]
            known = {first.passage.meta.get("doc_id")} | {s["doc_id"] for s in first.also}
            if doc.meta.get("doc_id") not in known:
                first.also.append(_source(doc))
            continue
        doc_id = str(doc.meta.get("doc_id"))
        if per_doc is not None and per.get(doc_id, 0) >= per_doc:
            continue
        if len(hits) >= top_k:
            continue  # keep reading: a later duplicate of a kept hit still adds its source
        per[doc_id] = per.get(doc_id, 0) + 1
        hit = Hit(rank=len(hits) + 1, score=float(doc.score or 0.0), passage=doc)
        by_text[key] = hit
        hits.append(hit)
    return hits


def _source(doc: Document) -> dict[str, Any]:
    meta = PassageMeta.of(doc.meta)
    return {
        "passage_id": doc.id,
        "doc_id": meta.doc_id,
        "title": meta.title,
        "path": meta.path,
        "page_start": meta.page_start,
        "page_end": meta.page_end,
        "section": list(meta.section),
        "countries": list(meta.countries),
        "year": meta.year,
    }


def evidence_first(hits: list[Hit]) -> list[Hit]:
    """Hits renumbered with the passages that may be quoted first (running text, lists, tables) and references,
    contents and front matter after them, each group in its order: what an answer reads and lists as nearest."""
    quotable = [h for h in hits if PassageMeta.of(h.passage.meta).evidence]
    rest = [h for h in hits if not PassageMeta.of(h.passage.meta).evidence]
    return [replace(h, rank=rank) for rank, h in enumerate(quotable + rest, start=1)]


def about(query: str) -> dict[str, Any] | None:
    """A focus filter for the countries a query names (`retrieve`'s `focus`): passages about them and the
    passages of documents about them; or None."""
    from kb.quotes import named_countries

    countries = sorted(named_countries(query))
    if not countries:
        return None
    return {"operator": "OR", "conditions": [{"field": f"meta.{key}", "operator": "in", "value": countries}
                                             for key in ("countries", "doc_countries")]}
