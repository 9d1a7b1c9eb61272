"""Facet filters as users type them → stored values → Haystack filter dictionaries."""

import pytest

from kb.core.errors import FilterValueError
from kb.core.filters import SearchFilters, resolve_country, resolve_lang


@pytest.mark.parametrize(
    "typed, code",
    [("Kenya", "KEN"), ("KE", "KEN"), ("ken", "KEN"), ("Sénégal", "SEN"), ("senegal", "SEN"),
     ("Bolivia", "BOL"), ("Bolivie", "BOL"), ("México", "MEX"), ("Mexique", "MEX"), ("Viet Nam", "VNM"),
     ("Vietnam", "VNM"), ("Afrique du Sud", "ZAF"), ("Sudáfrica", "ZAF"), ("South Africa", "ZAF"),
     ("Allemagne", "DEU"), ("Alemania", "DEU"), ("Espagne", "ESP"), ("España", "ESP")],
)
def test_countries_resolve_from_names_and_codes_in_three_languages(typed, code):
    assert resolve_country(typed) == code


def test_unknown_country_lists_close_matches():
    assert resolve_country("Kenia") == "KEN"  # the Spanish name
    with pytest.raises(FilterValueError, match="SEN"):
        resolve_country("Senegall")
    with pytest.raises(FilterValueError, match="unknown country"):
        resolve_country("Atlantis")


def test_filters_compile_to_one_haystack_expression():
    f = SearchFilters(countries=["Kenya", "SN"], doc_types=["country study"], year_from=2010, langs=["French"])
    resolved = f.resolved()
    assert resolved.countries == ["KEN", "SEN"]
    assert resolved.doc_types == ["country_study"]
    assert resolved.langs == ["fr"]
    expr = resolved.to_haystack()
    assert expr["operator"] == "AND"
    assert {"field": "meta.countries", "operator": "in", "value": ["KEN", "SEN"]} in expr["conditions"]
    assert {"field": "meta.year", "operator": ">=", "value": 2010} in expr["conditions"]


def test_empty_filters_mean_no_restriction():
    assert SearchFilters().resolved().to_haystack() is None


@pytest.mark.parametrize(
    "field, value, message",
    [("doc_types", ["brochure"], "document type"), ("regions", ["Antarctica"], "region"),
     ("topics", ["astronomy"], "topic"), ("langs", ["klingon"], "language")],
)
def test_unknown_facet_values_are_clear_errors(field, value, message):
    with pytest.raises(FilterValueError, match=message):
        SearchFilters(**{field: value}).resolved()


def test_year_range_must_be_ordered():
    with pytest.raises(FilterValueError, match="after"):
        SearchFilters(year_from=2020, year_to=2010).resolved()


def test_country_suggestions_are_distinct_countries_by_their_names():
    with pytest.raises(FilterValueError) as error:
        resolve_country("Germny")
    message = str(error.value)
    assert "DEU (Germany)" in message
    assert message.count("DEU") == 1 and "Germanya" not in message  # not one suggestion per demonym of Germany


def test_an_unsupported_language_is_an_error_listing_the_accepted_ones():
    with pytest.raises(FilterValueError, match=r"unknown language 'de'; allowed: en, fr, es"):
        SearchFilters(langs=["de"]).resolved()
    assert SearchFilters(langs=["Español", "fr"]).resolved().langs == ["es", "fr"]


def test_another_language_is_accepted_when_the_index_holds_it():
    assert resolve_lang("DE", indexed=["de", "en"]) == "de"
    assert SearchFilters(langs=["pt"]).resolved(languages=["pt"]).langs == ["pt"]
