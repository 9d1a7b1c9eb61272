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
