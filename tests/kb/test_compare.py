"""`kb compare`: one row per group, an explicit "no evidence" row, names in en/fr/es."""

import json

import pytest

from kb import cli
from kb.compare import NO_EVIDENCE, resolve_groups
from kb.errors import UsageError


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
