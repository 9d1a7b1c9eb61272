"""A stand-in for `kb.service.KnowledgeBase` with fixed content, so that snapshots show only the UI.

Snapshots of the real service would change whenever retrieval or answer scoring is tuned; the pilot tests
cover the real service. This fake answers with the first sentence of each passage that the filters keep.
"""

from collections import Counter
from pathlib import Path
from typing import Any

from haystack import Document

from kb.answer import Answer, Citation
from kb.compare import Comparison, ComparisonRow
from kb.core.filters import SearchFilters, resolve_country
from kb.core.models import FACETS, SourceDocument
from kb.search import Hit
from kb.service import PassageContext

DOCS = {
    "ken": SourceDocument(
        "ken",
        "corpus/kenya_pension.md",
        "Kenya: a universal pension at seventy",
        ["KEN"],
        ["Africa"],
        "country_study",
        2019,
        "en",
        ["old_age"],
        0,
        3,
    ),
    "npl": SourceDocument(
        "npl",
        "corpus/nepal_child_grant.pdf",
        "Nepal: the child grant",
        ["NPL"],
        ["Asia and the Pacific"],
        "report",
        2016,
        "en",
        ["family_child"],
        2,
        2,
    ),
    "ury": SourceDocument(
        "ury",
        "corpus/uruguay_monotax.txt",
        "Uruguay: the monotax",
        ["URY"],
        ["Americas"],
        "country_study",
        2012,
        "en",
        ["policy_design"],
        0,
        1,
    ),
}
TEXTS = [
    (
        "ken",
        None,
        (
            "In June 2018 the government made the pension universal for every citizen aged seventy and "
            "over. Older people who never contributed receive a monthly cash benefit."
        ),
    ),
    (
        "ken",
        None,
        (
            "Beneficiaries are paid through bank accounts and payment agents. Registration drives at "
            "county offices enrolled many people in the first year."
        ),
    ),
    (
        "ken",
        None,
        (
            "The reform showed that a universal design can lower administrative costs. A clear age "
            "criterion made the pension easy to explain."
        ),
    ),
    (
        "npl",
        1,
        (
            "Nepal introduced a child grant in 2009 for children under five. The grant is financed from "
            "the government budget and paid through local government offices."
        ),
    ),
    (
        "npl",
        2,
        (
            "Between 2016 and 2020 the grant was extended district by district. Evaluations found that "
            "families spent the grant on food and health care."
        ),
    ),
    (
        "ury",
        None,
        (
            "Uruguay created the monotax in 2001 for small independent workers. A single monthly payment "
            "replaces several taxes and contributions."
        ),
    ),
]


def _passages() -> list[Document]:
    seqs: Counter[str] = Counter()
    found = []
    for doc_id, page, text in TEXTS:
        doc = DOCS[doc_id]
        meta = {
            **doc.facet_meta(),
            "seq": seqs[doc_id],
            "page_start": page,
            "page_end": page,
            "heading": None,
        }
        found.append(Document(id=f"{doc_id}-{seqs[doc_id]}", content=text, meta=meta))
        seqs[doc_id] += 1
    return found


PASSAGES = _passages()


def _keeps(filters: SearchFilters | None, meta: dict[str, Any]) -> bool:
    f = (filters or SearchFilters()).resolved()
    lists = [(f.countries, "countries"), (f.regions, "regions"), (f.topics, "topics")]
    if any(wanted and not set(wanted) & set(meta[key]) for wanted, key in lists):
        return False
    if (f.doc_types and meta["doc_type"] not in f.doc_types) or (f.langs and meta["lang"] not in f.langs):
        return False
    return not ((f.year_from and meta["year"] < f.year_from) or (f.year_to and meta["year"] > f.year_to))


class FakeKnowledgeBase:
    """The service's interface over six fixed passages from three documents."""

    def __init__(self, index: Path | str | None = None, store: str | None = None) -> None:
        self.location = "index"

    def store(self) -> "FakeKnowledgeBase":
        return self

    def warm_up(self) -> None:
        pass

    def close(self) -> None:
        pass

    def ask(self, question: str, filters: SearchFilters | None = None, **_: Any) -> Answer:
        kept = [p for p in PASSAGES if _keeps(filters, p.meta)][:3]
        hits = [Hit(rank=n, score=1.0 / n, passage=p) for n, p in enumerate(kept, start=1)]
        if not kept:
            return Answer(question, "The knowledge base has no passage that answers this question.", True)
        citations = [_citation(n, p) for n, p in enumerate(kept, start=1)]
        text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        return Answer(question, text, False, citations, [h.to_dict() for h in hits], hits=hits)

    def compare(
        self, question: str, by: str, groups: list[str] | None = None, filters: Any = None
    ) -> Comparison:
        rows = [
            ComparisonRow(code, self.ask(question, SearchFilters(countries=[code])))
            for code in (resolve_country(g) for g in groups or [])
        ]
        return Comparison(question, by, rows)  # type: ignore[arg-type]

    def passage_context(self, passage_id: str, before: int = 2, after: int = 2) -> PassageContext:
        passage = next(p for p in PASSAGES if p.id == passage_id)
        same = [p for p in PASSAGES if p.meta["doc_id"] == passage.meta["doc_id"]]
        seq = passage.meta["seq"]
        return PassageContext(
            passage,
            same[max(0, seq - before) : seq],
            same[seq + 1 : seq + 1 + after],
            DOCS[passage.meta["doc_id"]],
        )

    def facets(self, filters: SearchFilters | None = None) -> dict[str, dict[Any, int]]:
        counts: dict[str, Counter[Any]] = {facet: Counter() for facet in FACETS}
        for p in (p for p in PASSAGES if _keeps(filters, p.meta)):
            for facet in FACETS:
                value = p.meta[facet]
                counts[facet].update(value if isinstance(value, list) else [value])
        return {facet: dict(c) for facet, c in counts.items()}

    def documents(self) -> list[SourceDocument]:
        return list(DOCS.values())

    def stats(self) -> dict[str, Any]:
        docs = self.documents()
        return {
            "documents": len(docs),
            "passages": len(PASSAGES),
            "per_country": dict(Counter(c for d in docs for c in d.countries)),
            "per_region": dict(Counter(r for d in docs for r in d.regions)),
            "per_type": dict(Counter(d.doc_type for d in docs)),
            "per_language": dict(Counter(d.lang for d in docs)),
            "per_year": {str(y): n for y, n in sorted(Counter(d.year for d in docs).items())},
        }


def _citation(n: int, passage: Document) -> Citation:
    meta = passage.meta
    quote = (passage.content or "").split(". ")[0] + "."
    return Citation(
        n,
        passage.id,
        meta["doc_id"],
        meta["title"],
        meta["path"],
        meta["page_start"],
        list(meta["countries"]),
        meta["year"],
        meta["doc_type"],
        quote,
    )
