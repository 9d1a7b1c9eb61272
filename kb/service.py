"""The service facade: one object the CLI and the TUI call for everything (no UI code here)."""

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from haystack import Document

from kb.config import Settings
from kb.embedding import ModelInfo, model_info
from kb.errors import UsageError
from kb.filters import SearchFilters
from kb.models import FACETS, IngestReport, SourceDocument
from kb.search import MODES, Hit, Mode, build_pipeline, collapse, run_pipeline
from kb.stores import describe, open_store

if TYPE_CHECKING:
    from kb.answer import Answer
    from kb.compare import Comparison, GroupBy


@dataclass
class PassageContext:
    """A passage in its document: the passages before and after it, and the document's record."""

    passage: Document
    before: list[Document]
    after: list[Document]
    document: SourceDocument | None

MAX_QUERY_CHARS = 2000


class KnowledgeBase:
    """A knowledge base at one location: ingest, search, ask, compare, browse."""

    def __init__(self, settings: Settings | None = None, *, index: Path | str | None = None, store: str | None = None):
        self.settings = settings or Settings()
        self.index_dir = self.settings.index_dir(index)
        self.store_uri = store or self.settings.store
        self.model: ModelInfo = model_info(self.settings.model_path())
        self._store: Any = None
        self._text_embedder: Any = None
        self._pipelines: dict[str, Any] = {}
        self._lock = threading.RLock()

    @property
    def location(self) -> str:
        """Where the knowledge base lives, for messages."""
        return describe(self.store_uri, self.index_dir)

    # ---- store and model ----
    def store(self, *, create: bool = False) -> Any:
        """The open store; opening an index that does not exist raises `IndexNotFoundError` unless `create`."""
        with self._lock:
            if self._store is None:
                self._store = open_store(
                    self.store_uri,
                    self.index_dir,
                    self.model,
                    create=create,
                    chunking=self.chunking(),
                    index_type=self.settings.index_type,
                    milvus_token=self.settings.milvus_token,
                )
            return self._store

    def chunking(self) -> dict[str, Any]:
        """The splitting settings recorded in a new index's manifest."""
        return {"max_tokens": self.model.max_tokens, "overlap_sentences": 1, "splitter": "pysbd"}

    def warm_up(self) -> None:
        """Load the query embedding model (slow: call from a background worker)."""
        with self._lock:
            if self._text_embedder is None:
                self._text_embedder = self.new_text_embedder()

    def new_text_embedder(self) -> Any:
        """A warmed query embedder; instances share one loaded model."""
        from kb.embedding import text_embedder

        return text_embedder(self.model)

    def close(self) -> None:
        """Flush and close the store."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
                self._pipelines.clear()

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- ingestion ----
    def ingest(
        self,
        paths: list[Path],
        *,
        prune: bool = False,
        progress: Callable[[Any], None] | None = None,
        wait: float = 0.0,
    ) -> IngestReport:
        """Index files and folders incrementally (waiting up to `wait` s for another writer); see `ingest.run`."""
        from ingest.scan import check_paths

        check_paths([Path(p) for p in paths])
        from ingest.catalog import load_catalogs
        from ingest.convert import Converter
        from ingest.run import IngestRunner
        from kb.embedding import document_embedder

        store = self.store(create=True)
        store.lock_wait = wait
        runner = IngestRunner(
            store,
            lambda: Converter(self.model.path, max_tokens=self.model.max_tokens),
            lambda: document_embedder(self.model, batch_size=self.settings.batch_size),
            catalogs=load_catalogs,
            progress=progress,
        )
        return runner.run([Path(p) for p in paths], prune=prune)

    # ---- retrieval ----
    def search(
        self,
        query: str,
        filters: SearchFilters | None = None,
        *,
        top_k: int = 10,
        mode: Mode = "hybrid",
        per_doc: int | None = None,
    ) -> list[Hit]:
        """Ranked passages for `query` inside the facet filters."""
        query = check_query(query)
        if mode not in MODES:
            raise UsageError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        if top_k < 1:
            raise UsageError("--k must be at least 1")
        haystack_filters = (filters or SearchFilters()).resolved().to_haystack()
        store = self.store()
        if mode != "keyword":
            self.warm_up()
        with self._lock:
            if mode not in self._pipelines:
                self._pipelines[mode] = build_pipeline(store, self.new_text_embedder, mode)
            pipe = self._pipelines[mode]
        want = top_k * 3 if per_doc else top_k * 2
        docs = run_pipeline(pipe, mode, query, haystack_filters, max(want, top_k))
        return collapse(docs, top_k, per_doc)

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        """Normalised embeddings of short texts with the query model (for scoring answer sentences)."""
        self.warm_up()
        backend = self._text_embedder.embedding_backend
        return backend.embed(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)

    def ask(self, question: str, filters: SearchFilters | None = None, *, top_k: int = 8) -> "Answer":
        """A short extractive answer whose every sentence cites a verbatim quote, or an abstention."""
        from kb.answer import compose

        hits = self.search(question, filters, top_k=top_k)
        return compose(check_query(question), hits, self.embed_texts)

    def compare(
        self,
        question: str,
        by: "GroupBy",
        groups: list[str] | None = None,
        filters: SearchFilters | None = None,
    ) -> "Comparison":
        """The question asked once per country, region or year; see `kb.compare`."""
        from kb.compare import compare

        if by not in ("country", "region", "year"):
            raise UsageError(f"cannot compare by {by!r}; use country, region or year")
        return compare(self, check_query(question), by, groups, filters)

    def eval_beir(
        self,
        directory: Path,
        *,
        split: str = "test",
        modes: list[Mode] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Any]:
        """Index a BEIR corpus (cached per model) and report nDCG@10, recall@100, MRR@10 per mode."""
        from index.store import LocalStore
        from kb import beir
        from kb.embedding import document_embedder

        corpus, queries, qrels = beir.load_beir(Path(directory), split)
        location = beir.cache_dir(Path(directory), self.model.identity)
        with LocalStore(location, embedding_model=self.model.identity, dimension=self.model.dimension) as store:
            if store.count_documents() < len(corpus):
                embedder = document_embedder(self.model, batch_size=self.settings.batch_size)
                beir.build_index(store, corpus, embedder, progress or (lambda _done, _total: None))
            self.warm_up()
            metrics = beir.evaluate(store, self.new_text_embedder, queries, qrels, list(modes or MODES))
        return {"dataset": str(directory), "split": split, "queries": len(queries), "documents": len(corpus),
                "index": str(location), "metrics": metrics}

    # ---- browsing ----
    def documents(self) -> list[SourceDocument]:
        """Every indexed document."""
        return self.store().documents()

    def passage_context(self, passage_id: str, before: int = 2, after: int = 2) -> PassageContext:
        """A passage with its neighbours in reading order and its document's record."""
        store = self.store()
        found = store.passages_by_id([passage_id])
        if not found:
            raise UsageError(f"there is no passage {passage_id!r} in {self.location}")
        passage = found[0]
        doc_id, seq = passage.meta.get("doc_id"), passage.meta.get("seq")
        if doc_id is None or seq is None:
            return PassageContext(passage, [], [], None)
        around = store.document_passages(doc_id, seq - before, seq + after)
        return PassageContext(
            passage,
            [p for p in around if p.meta["seq"] < seq],
            [p for p in around if p.meta["seq"] > seq],
            store.document(doc_id),
        )

    def facets(self, filters: SearchFilters | None = None) -> dict[str, dict[Any, int]]:
        """Passages per value of every facet, among those matching `filters`."""
        haystack_filters = (filters or SearchFilters()).resolved().to_haystack()
        store = self.store()
        return {facet: store.facet_counts(facet, haystack_filters) for facet in FACETS}

    def stats(self) -> dict[str, Any]:
        """Counts per facet, the model, and the index size."""
        store = self.store()
        docs = store.documents()
        counts: dict[str, Counter[Any]] = {k: Counter() for k in ("country", "region", "doc_type", "lang", "year")}
        for doc in docs:
            counts["country"].update(doc.countries)
            counts["region"].update(doc.regions)
            counts["doc_type"][doc.doc_type] += 1
            counts["lang"][doc.lang] += 1
            if doc.year is not None:
                counts["year"][doc.year] += 1
        return {
            "location": self.location,
            "documents": len(docs),
            "passages": store.count_documents(),
            "per_country": dict(sorted(counts["country"].items())),
            "per_region": dict(sorted(counts["region"].items())),
            "per_type": dict(sorted(counts["doc_type"].items())),
            "per_language": dict(sorted(counts["lang"].items())),
            "per_year": {str(k): v for k, v in sorted(counts["year"].items())},
            "model": store.manifest.embedding_model,
            "dimension": store.manifest.dimension,
            "index_type": store.vector_kind,
            "size_bytes": store.size_on_disk(),
        }


def check_query(query: str) -> str:
    """A query stripped of control characters; empty or overlong queries are a usage error."""
    cleaned = "".join(ch if ch.isprintable() or ch in "\t\n" else " " for ch in query or "").strip()
    if not cleaned:
        raise UsageError("the question is empty; type some words to search for")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise UsageError(f"the question is {len(cleaned)} characters long; keep it under {MAX_QUERY_CHARS}")
    return cleaned
