"""`kb search`: hit JSON, duplicates merged into one hit, exact top-k inside filters."""

import pytest
from haystack import Document

from kb.core.filters import SearchFilters
from kb.search import collapse

HIT_KEYS = {"rank", "score", "passage_id", "doc_id", "title", "path", "page_start", "page_end", "countries",
            "region", "regions", "doc_type", "year", "lang", "text", "also_in"}


def _doc(pid: str, doc_id: str, text: str, score: float) -> Document:
    return Document(id=pid, content=text, score=score, meta={"doc_id": doc_id, "title": doc_id, "path": f"{doc_id}.md"})


def test_the_same_text_in_two_documents_is_one_hit_listing_both_sources():
    docs = [
        _doc("p1", "a", "Social protection floors guarantee basic income security.", 0.9),
        _doc("p2", "b", "Other text entirely.", 0.8),
        _doc("p3", "c", "Social  protection floors guarantee basic income security!", 0.7),  # same words
    ]
    hits = collapse(docs, top_k=1)
    assert len(hits) == 1
    assert hits[0].passage.id == "p1"
    assert [s["doc_id"] for s in hits[0].also] == ["c"]  # found beyond the cut, still listed
    assert hits[0].to_dict()["also_in"][0]["path"] == "c.md"


def test_per_doc_keeps_the_best_passages_of_each_document():
    docs = [_doc(f"p{i}", "a" if i < 3 else "b", f"text {i}", 1 - i / 10) for i in range(5)]
    assert [h.passage.id for h in collapse(docs, top_k=5, per_doc=1)] == ["p0", "p3"]
    assert [h.rank for h in collapse(docs, top_k=5, per_doc=2)] == [1, 2, 3, 4]


@pytest.mark.slow
def test_search_json_has_every_field(corpus_kb):
    hits = corpus_kb.search("universal old-age pension", top_k=5)
    assert len(hits) == 5
    for rank, hit in enumerate(hits, start=1):
        data = hit.to_dict()
        assert HIT_KEYS <= set(data) and data["rank"] == rank and data["text"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_filters_apply_inside_retrieval(corpus_kb, mode):
    filters = SearchFilters(countries=["Kenya"])
    hits = corpus_kb.search("pension", filters, top_k=5, mode=mode)
    assert hits and all("KEN" in h.passage.meta["countries"] for h in hits)
    for f, check in [
        (SearchFilters(doc_types=["report"]), lambda m: m["doc_type"] == "report"),
        (SearchFilters(year_from=2025), lambda m: m["year"] >= 2025),
        (SearchFilters(langs=["français"]), lambda m: m["lang"] == "fr"),
    ]:
        found = corpus_kb.search("social health insurance coverage", f, top_k=5, mode=mode)
        assert found and all(check(h.passage.meta) for h in found)


@pytest.mark.slow
def test_a_filter_with_fewer_matches_than_k_returns_all_of_them(corpus_kb):
    filters = SearchFilters(countries=["Nepal"], doc_types=["country_study"])
    matching = corpus_kb.store().count_documents_by_filter(filters.resolved().to_haystack())
    assert 0 < matching < 50
    hits = corpus_kb.search("child grant", filters, top_k=50)
    assert len(hits) == matching  # every match, none from outside (the dense list reaches every passage)
    assert len({h.passage.id for h in hits}) == matching


@pytest.mark.slow
def test_an_impossible_filter_returns_nothing(corpus_kb):
    assert corpus_kb.search("pension", SearchFilters(countries=["Kenya"], langs=["es"])) == []
