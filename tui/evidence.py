"""A piece of evidence the UI shows, opens, collects and exports: one passage, its quote and its reference."""

from dataclasses import dataclass, field
from typing import Any

from tui.format import countries_label, page_label, type_label


@dataclass(frozen=True)
class Evidence:
    """A passage and the sentence quoted from it (empty when the whole passage is meant), with its source.

    Two pieces of evidence are the same when they quote the same sentence of the same passage.
    """

    passage_id: str
    title: str = field(compare=False)
    path: str = field(compare=False)
    countries: tuple[str, ...] = field(default=(), compare=False)
    year: int | None = field(default=None, compare=False)
    doc_type: str = field(default="other", compare=False)
    page: int | None = field(default=None, compare=False)
    page_end: int | None = field(default=None, compare=False)
    quote: str = ""
    passage: str = field(default="", compare=False)
    n: int | None = field(default=None, compare=False)
    question: str = field(default="", compare=False)

    @classmethod
    def from_citation(cls, citation: Any, passage_text: str, question: str = "") -> "Evidence":
        """From a `kb.answer.Citation` (its page is the quote's page) and the text of its passage."""
        return cls(
            passage_id=citation.passage_id,
            title=citation.title,
            path=citation.path,
            countries=tuple(citation.country),
            year=citation.year,
            doc_type=citation.doc_type,
            page=citation.page,
            page_end=getattr(citation, "page_end", None),
            quote=citation.quote,
            passage=passage_text or citation.quote,
            n=citation.n,
            question=question,
        )

    @classmethod
    def from_related(cls, hit: dict[str, Any], question: str = "") -> "Evidence":
        """From one of an answer's `related` hits (the JSON form of `kb.search.Hit`)."""
        return cls(
            passage_id=str(hit["passage_id"]),
            title=str(hit.get("title") or ""),
            path=str(hit.get("path") or ""),
            countries=tuple(hit.get("countries") or ()),
            year=hit.get("year"),
            doc_type=str(hit.get("doc_type") or "other"),
            page=hit.get("page_start"),
            page_end=hit.get("page_end"),
            passage=str(hit.get("text") or ""),
            question=question,
        )

    @classmethod
    def from_passage(cls, passage: Any, quote: str = "", question: str = "") -> "Evidence":
        """From a Haystack passage (`id`, `content`, `meta`): the whole passage, its page range."""
        meta = passage.meta
        return cls(
            passage_id=passage.id,
            title=str(meta.get("title") or ""),
            path=str(meta.get("path") or ""),
            countries=tuple(meta.get("countries") or ()),
            year=meta.get("year"),
            doc_type=str(meta.get("doc_type") or "other"),
            page=meta.get("page_start"),
            page_end=meta.get("page_end"),
            quote=quote,
            passage=passage.content or "",
            question=question,
        )

    @property
    def text(self) -> str:
        """What is quoted: the cited sentence, else the whole passage."""
        return self.quote or " ".join(self.passage.split())

    @property
    def pages(self) -> str:
        """`p. 3`, `pp. 3–4`, or empty."""
        return page_label(self.page, self.page_end)

    def facts(self) -> str:
        """`Kenya (KEN) · 2019 · country study · p. 3`."""
        parts = [
            countries_label(self.countries, codes_too=True),
            str(self.year or "n.d."),
            type_label(self.doc_type),
        ]
        return " · ".join(parts + ([self.pages] if self.pages else []))

    def reference(self) -> str:
        """The full reference: title, countries, year, type, page and file."""
        parts = [
            self.title or "Untitled",
            countries_label(self.countries, codes_too=True),
            str(self.year or "n.d."),
            type_label(self.doc_type),
        ]
        if self.pages:
            parts.append(self.pages)
        return ", ".join(parts) + f". File: {self.path}"

    def citation_text(self) -> str:
        """The quote followed by its reference, as copied to the clipboard."""
        return f"“{self.text}” — {self.reference()}"


def passage_text(kb: Any, answer: Any, passage_id: str) -> str:
    """The text of a cited passage: from the answer's retrieved passages, else from the index."""
    for hit in getattr(answer, "hits", None) or []:
        if hit.passage.id == passage_id:
            return str(hit.passage.content or "")
    return str(kb.passage_context(passage_id, 0, 0).passage.content or "")
