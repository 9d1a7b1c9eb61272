"""The service's own rules, apart from retrieval quality: how filter values are checked against the index."""

import pytest

from kb.core.errors import FilterValueError
from kb.core.filters import SearchFilters
from kb.service import KnowledgeBase


class _StoreWithGerman:
    """A store whose passages include German ones (ingestion detects about thirty languages)."""

    def facet_counts(self, field, filters=None):
        assert field == "lang"
        return {"en": 20, "de": 3}


def test_a_language_beyond_en_fr_es_is_known_when_the_index_holds_it(tmp_path, monkeypatch):
    base = KnowledgeBase(index=tmp_path / "index")
    monkeypatch.setattr(base, "store", lambda **_: _StoreWithGerman())
    assert base.resolve_filters(SearchFilters(langs=["de", "French"])).langs == ["de", "fr"]
    with pytest.raises(FilterValueError, match=r"unknown language 'pt'; allowed: en, fr, es, de"):
        base.resolve_filters(SearchFilters(langs=["pt"]))


def test_supported_languages_resolve_without_opening_the_index(tmp_path):
    base = KnowledgeBase(index=tmp_path / "none")  # no index: opening it would raise
    assert base.resolve_filters(SearchFilters(langs=["english"])).langs == ["en"]
    with pytest.raises(FilterValueError, match="unknown language 'de'"):
        base.resolve_filters(SearchFilters(langs=["de"]))


def test_answers_and_search_hits_name_their_source_from_the_document_record(tmp_path, capsys):
    import json

    from kb.cli import main

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "floor.md").write_text(
        "# Financing the floor\n\nThe child benefit of Freedonia is financed from general taxation and paid "
        "monthly to every family with children under six.\n", encoding="utf-8")
    (docs / "catalog.csv").write_text(
        "path,title,publisher,url,year\nfloor.md,A floor for Freedonia,Ministry of Labour,"
        "https://example.org/floor,2021\n", encoding="utf-8")
    index = tmp_path / "index"
    with KnowledgeBase(index=index) as base:
        base.ingest([docs])
        answer = base.ask("How is the child benefit of Freedonia financed?").to_dict()
    reference = answer["citations"][0]["reference"]
    assert reference == ("Ministry of Labour (2021). A floor for Freedonia. Section “Financing the floor”. "
                         "https://example.org/floor")
    assert answer["citations"][0]["publisher"] == "Ministry of Labour"
    assert main(["search", "child benefit financed", "--index", str(index), "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["reference"] == reference


def test_a_page_view_holds_every_passage_of_the_page_in_reading_order(corpus_index):
    with KnowledgeBase(index=corpus_index) as base:
        store = base.store()
        record = max((d for d in store.documents() if d.pages), key=lambda d: d.passages / d.pages)
        passages = store.document_passages(record.doc_id, 0, record.passages)
        page = max({p.meta["page_start"] for p in passages},
                   key=lambda n: sum(p.meta["page_start"] <= n <= p.meta["page_end"] for p in passages))
        on_page = [p for p in passages if p.meta["page_start"] <= page <= p.meta["page_end"]]
        assert len(on_page) > 1
        assert base.page_view(on_page[-1].id).page == on_page[-1].meta["page_start"]  # the passage's own page
        view = base.page_view(on_page[-1].id, page)
        assert view.page == page and view.document.doc_id == record.doc_id
        positions = [view.text.find(p.content.strip()[-40:]) for p in on_page]
        assert -1 not in positions and positions == sorted(positions)
        assert base.page_view(on_page[0].id, record.pages + 1).text == ""
