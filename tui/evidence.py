"""A piece of evidence the UI shows, opens, collects and exports: one passage, its quote and its reference."""

from dataclasses import dataclass, field
from typing import Any

from kb.core.models import PassageMeta, page_label, section_label
from kb.core.references import Source
from tui.format import countries_label, type_label


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
    section: tuple[str, ...] = field(default=(), compare=False)  # heading path, outermost first
    doc_id: str = field(default="", compare=False)
    ocr: bool = field(default=False, compare=False)  # the text was read from a scan
    author: str = field(default="", compare=False)  # author, publisher and url: from the document's record
    publisher: str = field(default="", compare=False)
    url: str = field(default="", compare=False)
    note: str = field(default="", compare=False)  # the user's note on this quote, printed under it in a brief

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
            section=tuple(getattr(citation, "section", ()) or ()),
            doc_id=str(getattr(citation, "doc_id", "") or ""),
            ocr=bool(getattr(citation, "ocr", False)),
            author=str(getattr(citation, "author", "") or ""),
            publisher=str(getattr(citation, "publisher", "") or ""),
            url=str(getattr(citation, "url", "") or ""),
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
            section=tuple(hit.get("section") or ()),
            doc_id=str(hit.get("doc_id") or ""),
            ocr=bool(hit.get("ocr")),
            author=str(hit.get("author") or ""),
            publisher=str(hit.get("publisher") or ""),
            url=str(hit.get("url") or ""),
        )

    @classmethod
    def from_passage(cls, passage: Any, quote: str = "", question: str = "") -> "Evidence":
        """From a Haystack passage (`id`, `content`, `meta`): the whole passage, its page range."""
        meta = PassageMeta.of(passage.meta)
        return cls(
            passage_id=passage.id,
            title=meta.title,
            path=meta.path,
            countries=meta.countries,
            year=meta.year,
            doc_type=meta.doc_type,
            page=meta.page_start,
            page_end=meta.page_end,
            quote=quote,
            passage=passage.content or "",
            question=question,
            section=meta.section,
            doc_id=meta.doc_id,
            ocr=meta.ocr,
        )

    @property
    def text(self) -> str:
        """What is quoted: the cited sentence, else the whole passage."""
        return self.quote or " ".join(self.passage.split())

    @property
    def pages(self) -> str:
        """`p. 3`, `pp. 3–4`, or empty."""
        return page_label(self.page, self.page_end, self.ocr)

    @property
    def heading(self) -> str:
        """The innermost heading of the passage's section (empty when it has none or it repeats the title)."""
        return section_label(self.section, self.title)

    def location(self) -> str:
        """`3. Financing · p. 3`: where in its document the evidence sits."""
        return " · ".join(part for part in (self.heading, self.pages) if part)

    def facts(self) -> str:
        """`Kenya (KEN) · 2019 · country study` (a card's head shows the section and page)."""
        return " · ".join([countries_label(self.countries, codes_too=True), str(self.year or "n.d."),
                           type_label(self.doc_type)])

    def source(self) -> str:
        """The document's reference, as a brief's reference list gives it once per document."""
        return Source.of(self).entry()

    def reference(self) -> str:
        """The full reference of this piece of evidence: the document's, with the quote's section and page."""
        return Source.of(self).cite(self.section, self.pages)

    def citation_text(self) -> str:
        """The quote followed by its reference, as copied to the clipboard."""
        return f"“{self.text}” — {self.reference()}"


def grouped(items: list[Evidence]) -> list[Evidence]:
    """Evidence with the quotes of one document together, documents in the order they are first cited."""
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        first.setdefault(item.doc_id or item.path, index)
    return sorted(items, key=lambda item: first[item.doc_id or item.path])


def passage_text(kb: Any, answer: Any, passage_id: str) -> str:
    """The text of a cited passage: from the answer's retrieved passages, else from the index."""
    for hit in getattr(answer, "hits", None) or []:
        if hit.passage.id == passage_id:
            return str(hit.passage.content or "")
    return str(kb.passage_context(passage_id, 0, 0).passage.content or "")
