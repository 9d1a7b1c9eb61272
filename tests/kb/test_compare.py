"""`kb compare`: one row per group, an explicit "no evidence" row, names in en/fr/es."""

import json

import pytest

from kb import cli
from kb.compare import NO_EVIDENCE, resolve_groups
from kb.core.errors import UsageError


def test_requested_countries_resolve_from_any_language():
    assert resolve_groups("country", ["Bolivie", "Kenia", "south africa", "KEN"]) == ["BOL", "KEN", "ZAF"]
    assert resolve_groups("region", ["Afrique", "asia"]) == ["Africa", "Asia and the Pacific"]
    with pytest.raises(UsageError, match="not a year"):
        resolve_groups("year", ["last year"])


@pytest.mark.slow
def test_compare_gives_a_row_per_country_and_says_when_there_is_no_evidence(corpus_kb):
    result = corpus_kb.compare("How are old-age pensions financed?", "country", ["Bolivia", "Kenya", "Viet Nam"])
    rows = {r.group: r for r in result.rows}
    assert list(rows) == ["BOL", "KEN", "VNM"]
    assert rows["BOL"].evidence and rows["KEN"].evidence
    assert not rows["VNM"].evidence and rows["VNM"].to_dict()["answer"] == NO_EVIDENCE
    for code in ("BOL", "KEN"):
        data = rows[code].to_dict()
        assert data["citations"] and data["passages"]
        assert all(code in c["country"] for c in data["citations"])


@pytest.mark.slow
def test_compare_discovers_groups_when_none_are_named(corpus_kb):
    result = corpus_kb.compare("How did countries extend health insurance to informal workers?", "region")
    assert result.rows and all(r.group for r in result.rows)
    assert any(r.evidence for r in result.rows)


@pytest.mark.slow
def test_compare_cli_json(corpus_index, capsys):
    code = cli.main(["compare", "How are child benefits financed?", "--by", "country", "--countries", "Mongolie,Nepal",
                     "--index", str(corpus_index), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by"] == "country" and [r["group"] for r in data["rows"]] == ["MNG", "NPL"]
    assert {"group", "evidence", "answer", "citations", "passages"} <= set(data["rows"][0])


NAMES = {"DEU": "Germany", "FRA": "France", "CHL": "Chile", "JOR": "Jordan"}


@pytest.mark.slow
def test_a_multi_country_reports_sections_reach_only_their_countrys_row(corpus_kb):
    result = corpus_kb.compare(
        "How is short-time work or unemployment insurance financed?", "country", list(NAMES.values())
    )
    for row in result.rows:
        assert row.evidence, row.group
        others = [name for code, name in NAMES.items() if code != row.group]
        for c in row.answer.citations:
            assert row.group in c.country, (row.group, c.section, c.quote)
            assert not any(name in heading for heading in c.section for name in others), (row.group, c.section)


@pytest.mark.slow
def test_regions_follow_the_passages_countries(corpus_kb):
    result = corpus_kb.compare("How are social pensions financed?", "region", ["Africa", "Americas"])
    for row in result.rows:
        for c in row.answer.citations:
            assert row.group in c.region, (row.group, c.region, c.quote)


@pytest.mark.slow
def test_a_country_filter_keeps_only_passages_about_that_country(corpus_kb):
    from kb.core.filters import SearchFilters

    hits = corpus_kb.search("How are child benefits and pensions financed?", SearchFilters(countries=["Argentina"]),
                            top_k=10)
    assert hits
    for hit in hits:
        meta = hit.passage.meta
        assert "ARG" in meta["countries"]
        if len(meta["doc_countries"]) > 1:  # from a multi-country report: a passage that is about Argentina
            about = f"{hit.passage.content} {' '.join(meta['section'])}"
            assert "Argentin" in about or "AUH" in about, hit.passage.content[:160]
