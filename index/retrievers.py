"""Haystack retriever components for any kb store (local or Milvus): dense and keyword, with filters."""

from typing import Any

from haystack import Document, component, default_to_dict

from index.protocol import KnowledgeStore


class _StoreRetriever:
    """What both retrievers share: a store, default filters, a default top_k."""

    def __init__(self, document_store: KnowledgeStore, filters: dict[str, Any] | None = None, top_k: int = 10) -> None:
        if top_k <= 0:
            raise ValueError(f"top_k must be positive, got {top_k}")
        self.document_store = document_store
        self.filters = filters
        self.top_k = top_k

    def to_dict(self) -> dict[str, Any]:
        """Serialise the component's settings."""
        return default_to_dict(self, document_store=self.document_store.to_dict(), filters=self.filters, top_k=self.top_k)

    def _args(self, filters: dict[str, Any] | None, top_k: int | None) -> dict[str, Any]:
        return {"filters": filters if filters is not None else self.filters, "top_k": top_k or self.top_k}


@component
class KbEmbeddingRetriever(_StoreRetriever):
    """The `top_k` passages nearest a query embedding; Haystack filters are applied inside the search."""

    @component.output_types(documents=list[Document])
    def run(
        self, query_embedding: list[float], filters: dict[str, Any] | None = None, top_k: int | None = None
    ) -> dict[str, list[Document]]:
        """Retrieve by vector similarity."""
        return {"documents": self.document_store.embedding_search(query_embedding, **self._args(filters, top_k))}


@component
class KbKeywordRetriever(_StoreRetriever):
    """The `top_k` best BM25 keyword matches; Haystack filters are applied inside the search."""

    @component.output_types(documents=list[Document])
    def run(
        self, query: str, filters: dict[str, Any] | None = None, top_k: int | None = None
    ) -> dict[str, list[Document]]:
        """Retrieve by keyword (BM25)."""
        return {"documents": self.document_store.keyword_search(query, **self._args(filters, top_k))}
