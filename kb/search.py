"""Hybrid retrieval as Haystack query pipelines: dense (FAISS) + keyword (BM25), fused by RRF."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from haystack import Document, Pipeline
from haystack.components.joiners import DocumentJoiner

from index.retrievers import KbEmbeddingRetriever, KbKeywordRetriever
from kb.filters import fold

Mode = Literal["dense", "keyword", "hybrid"]
MODES: tuple[Mode, ...] = ("dense", "keyword", "hybrid")
CANDIDATES = 50  # each retriever's list length before fusion


@dataclass
class Hit:
    """One ranked passage, with the other documents that contain the same text."""

    rank: int
    score: float
    passage: Document
    also: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of a search hit."""
        meta = self.passage.meta
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "passage_id": self.passage.id,
            "doc_id": meta.get("doc_id"),
            "title": meta.get("title"),
            "path": meta.get("path"),
            "page_start": meta.get("page_start"),
            "page_end": meta.get("page_end"),
            "countries": meta.get("countries") or [],
            "regions": meta.get("regions") or [],
            "region": (meta.get("regions") or [None])[0],
            "doc_type": meta.get("doc_type"),
            "year": meta.get("year"),
            "lang": meta.get("lang"),
            "heading": meta.get("heading"),
            "text": self.passage.content,
            "also_in": self.also,
        }


def build_pipeline(
    store: Any, make_embedder: Callable[[], Any], mode: Mode, candidates: int = CANDIDATES
) -> Pipeline:
    """The query pipeline for `mode` (a pipeline owns its components, so each gets its own embedder)."""
    pipe = Pipeline()
    if mode in ("dense", "hybrid"):
        pipe.add_component("embedder", make_embedder())
        pipe.add_component("dense", KbEmbeddingRetriever(store, top_k=candidates))
        pipe.connect("embedder.embedding", "dense.query_embedding")
    if mode in ("keyword", "hybrid"):
        pipe.add_component("keyword", KbKeywordRetriever(store, top_k=candidates))
    if mode == "hybrid":
        pipe.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion"))
        pipe.connect("dense.documents", "joiner.documents")
        pipe.connect("keyword.documents", "joiner.documents")
    return pipe


def run_pipeline(pipe: Pipeline, mode: Mode, query: str, filters: dict[str, Any] | None, top_k: int) -> list[Document]:
    """Run a pipeline from `build_pipeline` and return its ranked passages."""
    data: dict[str, Any] = {}
    if mode in ("dense", "hybrid"):
        data["embedder"] = {"text": query}
        data["dense"] = {"filters": filters, "top_k": top_k}
    if mode in ("keyword", "hybrid"):
        data["keyword"] = {"query": query, "filters": filters, "top_k": top_k}
    out = pipe.run(data)
    final = {"dense": "dense", "keyword": "keyword", "hybrid": "joiner"}[mode]
    return list(out[final]["documents"])


def text_key(text: str | None) -> str:
    """Identity of a passage's text after normalisation (case, accents, punctuation, spacing)."""
    return hashlib.sha1(fold(text or "").encode()).hexdigest()


def collapse(docs: list[Document], top_k: int, per_doc: int | None = None) -> list[Hit]:
    """Merge passages with the same text into one hit listing every source; optionally cap hits per document."""
    hits: list[Hit] = []
    by_text: dict[str, Hit] = {}
    per: dict[str, int] = {}
    for doc in docs:
        key = text_key(doc.content)
        if key in by_text:
            first = by_text[key]
            if doc.meta.get("doc_id") != first.passage.meta.get("doc_id"):
                first.also.append(_source(doc))
            continue
        doc_id = str(doc.meta.get("doc_id"))
        if per_doc is not None and per.get(doc_id, 0) >= per_doc:
            continue
        per[doc_id] = per.get(doc_id, 0) + 1
        hit = Hit(rank=len(hits) + 1, score=float(doc.score or 0.0), passage=doc)
        by_text[key] = hit
        hits.append(hit)
        if len(hits) >= top_k:
            break
    return hits


def _source(doc: Document) -> dict[str, Any]:
    meta = doc.meta
    return {
        "passage_id": doc.id,
        "doc_id": meta.get("doc_id"),
        "title": meta.get("title"),
        "path": meta.get("path"),
        "page_start": meta.get("page_start"),
        "countries": meta.get("countries") or [],
        "year": meta.get("year"),
    }
