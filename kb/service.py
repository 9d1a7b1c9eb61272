"""The service facade: one object the CLI and the TUI call for everything (no UI code here)."""

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from kb.core.config import Settings
from kb.core.errors import IndexNotFoundError, UsageError
from kb.core.filters import SearchFilters, is_supported_lang
from kb.core.models import FACETS, IngestReport, PassageMeta, SourceDocument
from kb.core.references import Source
from kb.embedding import ModelInfo, model_info
from kb.search import (
    CANDIDATES,
    FOREIGN_DENSE_WEIGHT,
    MODES,
    Hit,
    Mode,
    Retrievers,
    about,
    build_retrievers,
    collapse,
    retrieve,
)
from kb.stores import describe, open_store

if TYPE_CHECKING:
    from haystack import Document

    from index.protocol import KnowledgeStore
    from kb.answer import Answer
    from kb.compare import Comparison, GroupBy


@dataclass
class PassageContext:
    """A passage in its document: the passages before and after it, and the document's record."""

    passage: "Document"
    before: list["Document"]
    after: list["Document"]
    document: SourceDocument | None


@dataclass
class PageView:
    """The whole text of the page a passage sits on (its section, for documents without pages), as the index
    holds it: the passages of that page in reading order, overlaps between them removed."""

    page: int | None
    text: str
    document: SourceDocument | None


MAX_QUERY_CHARS = 2000
PAGE_WINDOW = 60  # passages read on either side of a passage to find the rest of its section
SECTION_SOURCES = 3  # hits whose documents are read for the section a question asks for ...
SECTION_DOCUMENTS = 2  # ... at most this many documents ...
SECTION_PASSAGES = 6  # ... and this many passages of each
MAX_TOP_K = 1000  # passages one search returns at most


class KnowledgeBase:
    """A knowledge base at one location: ingest, search, ask, compare, browse."""

    def __init__(self, settings: Settings | None = None, *, index: Path | str | None = None, store: str | None = None):
        self.settings = settings or Settings()
        self.index_dir = self.settings.index_dir(index)
        self.store_uri = store or self.settings.store
        self.model: ModelInfo = model_info(self.settings.model_path())
        self._store: KnowledgeStore | None = None
        self._text_embedder: Any = None
        self._retrievers: dict[str, Retrievers] = {}
        self._lock = threading.RLock()

    @property
    def location(self) -> str:
        """Where the knowledge base lives, for messages."""
        return describe(self.store_uri, self.index_dir)

    # ---- store and model ----
    def store(self, *, create: bool = False) -> "KnowledgeStore":
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
        from ingest.chunking import OVERLAP_SENTENCES, SPLITTER
        from kb.embedding import CONTEXT_FIELDS, embedder_name

        return {"max_tokens": self.model.max_tokens, "overlap_sentences": OVERLAP_SENTENCES, "splitter": SPLITTER,
                "embedded_meta": list(CONTEXT_FIELDS),
                "embedder": embedder_name(self.model, self.settings.embed_backend)}

    def warm_up(self) -> None:
        """Load the query embedding model (slow: call from a background worker; the store stays usable)."""
        if self._text_embedder is not None:
            return
        embedder = self.new_text_embedder()  # outside the lock: browsing and facets need not wait for it
        with self._lock:
            if self._text_embedder is None:
                self._text_embedder = embedder

    def new_text_embedder(self) -> Any:
        """A warmed query embedder; instances share one loaded model."""
        from kb.embedding import text_embedder

        return text_embedder(self.model, backend=self.settings.embed_backend)

    def close(self) -> None:
        """Flush and close the store."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
                self._retrievers.clear()

    def __enter__(self) -> Self:
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
        ocr: bool = True,
        cancel: threading.Event | None = None,
    ) -> IngestReport:
        """Index files and folders incrementally (waiting up to `wait` s for another writer); see `ingest.run`.
        Scanned pages and images are read by OCR (`KB_OCR`) unless `ocr` is False; setting `cancel` (from another
        thread) ends the run after the current document, keeping what was committed."""
        from ingest.scan import check_paths

        check_paths([Path(p) for p in paths])
        from ingest.catalog import load_catalogs
        from ingest.convert import Converter
        from ingest.ocr import page_reader
        from ingest.run import IngestRunner
        from kb.embedding import document_embedder

        reader = page_reader(self.settings.ocr if ocr else "off", self.settings.ocr_cache_dir())

        store = self.store(create=True)
        store.lock_wait = wait
        runner = IngestRunner(
            store,
            lambda: Converter(self.model.path, max_tokens=self.model.max_tokens, ocr=reader),
            lambda: document_embedder(
                self.model, batch_size=self.settings.batch_size, embed_context=True, backend=self.settings.embed_backend
            ),
            catalogs=load_catalogs,
            progress=progress,
            outside_links=self.settings.outside_links,
            cancel=cancel,
        )
        if reader is not None:
            reader.on_page = runner.ocr_page
        report = runner.run([Path(p) for p in paths], prune=prune)
        if reader is not None:
            report.ocr_pages_read, report.ocr_pages_cached = reader.pages_read, reader.pages_cached
        return report

    # ---- retrieval ----
    def resolve_filters(self, filters: SearchFilters | None) -> SearchFilters:
        """`filters` in their stored form (`FilterValueError` for an unknown value); a language other than
        en/fr/es is known when the index holds passages in it (ingestion detects about thirty)."""
        filters = filters or SearchFilters()
        if all(is_supported_lang(lang) for lang in filters.langs):
            return filters.resolved()
        try:
            indexed = list(self.store().facet_counts("lang"))
        except IndexNotFoundError:  # no index yet: the filter error is the one to report
            indexed = []
        return filters.resolved(languages=indexed)

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
        return self._retrieve(check_query(query), filters, top_k, mode, per_doc)[0]

    def _retrieve(
        self, query: str, filters: SearchFilters | None, top_k: int, mode: Mode, per_doc: int | None
    ) -> tuple[list[Hit], list[float] | None]:
        """The `top_k` hits after merging duplicates (exact: reads deeper until enough distinct hits remain), and
        the query embedding they were found with (None in keyword mode)."""
        if mode not in MODES:
            raise UsageError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        if not 1 <= top_k <= MAX_TOP_K:  # FAISS takes k as a C integer: a huge one overflowed with a traceback
            raise UsageError(f"--k must be between 1 and {MAX_TOP_K:,}")
        if per_doc is not None and per_doc < 1:
            raise UsageError("--per-doc must be at least 1 (leave it out for no limit)")
        haystack_filters = self.resolve_filters(filters).to_haystack()
        store = self.store()
        if mode != "keyword":
            self.warm_up()
        with self._lock:
            if mode not in self._retrievers:
                self._retrievers[mode] = build_retrievers(store, self.new_text_embedder, mode)
            retrievers = self._retrievers[mode]
        focus = about(query) if mode == "hybrid" else None
        weight = self._dense_weight(query) if mode == "hybrid" else 1.0
        want = top_k * 3 if per_doc else top_k * 2
        while True:
            got = retrieve(retrievers, query, haystack_filters, want, candidates=max(CANDIDATES, want), focus=focus,
                           dense_weight=weight)
            hits = collapse(got.documents, top_k, per_doc)
            if len(hits) >= top_k or len(got.documents) < want:
                return hits, got.query_embedding
            want *= 4

    def _dense_weight(self, query: str) -> float:
        """`FOREIGN_DENSE_WEIGHT` for a query in a language the model does not read, else 1."""
        languages = self.model.languages
        if languages is None:
            return 1.0
        from ingest.language import detect_query_language

        return 1.0 if detect_query_language(query) in languages else FOREIGN_DENSE_WEIGHT

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        """Normalised embeddings of short texts with the query model (for scoring answer sentences)."""
        self.warm_up()
        from kb.embedding import embed_batch

        return embed_batch(self._text_embedder, texts)

    def ask(
        self,
        question: str,
        filters: SearchFilters | None = None,
        *,
        mode: Mode = "hybrid",
        generate: bool = False,
        about: frozenset[str] | None = None,
    ) -> "Answer":
        """A short extractive answer whose every sentence cites a verbatim quote, or an abstention.

        With `generate`, the LLM at `KB_LLM_URL` writes the answer from the same passages (see `kb.generate`);
        `about` restricts the answer to passages about these countries (see `kb.answer.compose`).
        """
        from kb.answer import ANSWER_HITS, compose
        from kb.intent import asks_for_sources
        from kb.search import evidence_first

        question = check_query(question)
        found, query_vector = self._retrieve(question, filters, ANSWER_HITS, mode, None)
        hits = found if asks_for_sources(question) else evidence_first(found)
        answer = compose(
            question,
            hits,
            self.embed_texts,
            sections=self._asked_sections(question, hits, filters),
            query_vector=query_vector,
            # "never mentions" speaks of the whole base; with a document, of that document alone
            mentioned=lambda name, doc_id=None: self._mentioned(name, None, doc_id),
            about=about,
        )
        if generate:
            from kb.generate import generate_answer

            answer = generate_answer(self.settings, answer)
        doc_ids = [c.doc_id for c in answer.citations] + [str(r.get("doc_id")) for r in answer.related]
        return answer.with_sources(self.sources(doc_ids))

    def sources(self, doc_ids: list[str]) -> dict[str, Source]:
        """What references name of each of these documents (author, publisher, year, title, URL), by id."""
        store = self.store()
        found = {doc_id: store.document(doc_id) for doc_id in dict.fromkeys(doc_ids) if doc_id}
        return {doc_id: Source.of(record) for doc_id, record in found.items() if record is not None}

    def _asked_sections(self, question: str, hits: list[Hit], filters: SearchFilters | None) -> list[Hit]:
        """The passages of the best documents (the first `SECTION_DOCUMENTS` among the top hits) whose section
        is of the kind the question asks for: "What did Finland's experiment find?" reads its Results section
        even when retrieval stopped at the Overview."""
        from kb.intent import question_intents, section_matches

        intents = question_intents(question)
        if not intents:
            return []
        documents = list(dict.fromkeys(str(h.passage.meta.get("doc_id")) for h in hits[:SECTION_SOURCES]))
        base = self.resolve_filters(filters).to_haystack()
        found: list[Hit] = []
        for doc_id in documents[:SECTION_DOCUMENTS]:
            condition: dict[str, Any] = {"field": "meta.doc_id", "operator": "==", "value": doc_id}
            scoped = condition if base is None else {"operator": "AND", "conditions": [condition, base]}
            passages = [p for p in self.store().filter_documents(scoped)
                        if section_matches(p.meta.get("section") or [], intents)]
            passages.sort(key=lambda p: p.meta.get("seq") or 0)
            found += [Hit(rank=len(hits) + len(found) + i + 1, score=0.0, passage=p)
                      for i, p in enumerate(passages[:SECTION_PASSAGES])]
        return found

    def _mentioned(self, word: str, filters: SearchFilters | None, doc_id: str | None = None) -> bool:
        """Whether any passage inside `filters` (and of document `doc_id`) holds `word` (as the keyword index sees
        it: stemmed, accents folded)."""
        haystack_filters = self.resolve_filters(filters).to_haystack()
        if doc_id is not None:
            condition = {"field": "meta.doc_id", "operator": "==", "value": doc_id}
            haystack_filters = condition if haystack_filters is None else {
                "operator": "AND", "conditions": [condition, haystack_filters]}
        return bool(self.store().keyword_search(word, filters=haystack_filters, top_k=1))

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

    def page_view(self, passage_id: str, page: int | None = None) -> PageView:
        """The text of page `page` (default: the passage's first page) of the passage's document; for a document
        without pages, the text of the passage's section."""
        from kb.core.text import join_overlapping

        store = self.store()
        found = store.passages_by_id([passage_id])
        if not found:
            raise UsageError(f"there is no passage {passage_id!r} in {self.location}")
        meta = PassageMeta.of(found[0].meta)
        page = page if page is not None else meta.page_start
        if page is None:
            around = store.document_passages(meta.doc_id, meta.seq - PAGE_WINDOW, meta.seq + PAGE_WINDOW)
            same = [p for p in around if PassageMeta.of(p.meta).section == meta.section]
        else:
            same = store.filter_documents({"operator": "AND", "conditions": [
                {"field": "meta.doc_id", "operator": "==", "value": meta.doc_id},
                {"field": "meta.page_start", "operator": "<=", "value": page},
                {"field": "meta.page_end", "operator": ">=", "value": page},
            ]})
        same.sort(key=lambda p: p.meta.get("seq") or 0)
        text = join_overlapping([p.content or "" for p in same or ([] if page != meta.page_start else found)])
        return PageView(page, text, store.document(meta.doc_id))

    def facets(self, filters: SearchFilters | None = None) -> dict[str, dict[Any, int]]:
        """Passages per value of every facet, among those matching `filters`."""
        haystack_filters = self.resolve_filters(filters).to_haystack()
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
