"""Countries per passage: its section's heading, else what its text names, else its document's single country."""

from ingest.attribution import passage_countries, passage_regions


def test_a_section_headed_by_a_country_is_about_that_country_whatever_else_it_names():
    text = "The allowance is financed by contributions, as in France and Chile."
    assert passage_countries(text, ["Report", "2. Germany: short-time work", "Financing"], ["DEU", "FRA", "CHL"],
                             title="Report") == ["DEU"]


def test_the_document_title_does_not_count_as_a_country_heading():
    text = "Iceland expanded parental leave to twelve months."
    assert passage_countries(text, ["Care in Ruritania and Kenya"], ["KEN"], title="Care in Ruritania and Kenya") == [
        "KEN", "ISL"]


def test_a_general_paragraph_of_a_multi_country_report_is_about_none_of_them():
    assert passage_countries("Crises test unemployment protection.", ["Executive summary"], ["DEU", "FRA"]) == []


def test_an_overview_listing_many_countries_is_about_those_it_dwells_on():
    text = "This report compares Germany, France, Chile, Jordan and Saudi Arabia. Chile relies on savings; Chile also pools."
    assert passage_countries(text, ["Executive summary"], ["DEU", "FRA", "CHL", "JOR", "SAU"]) == ["CHL"]


def test_a_single_country_documents_passages_keep_its_country():
    assert passage_countries("Benefits rose in 2020.", ["Results"], ["KEN"]) == ["KEN"]
    assert passage_countries("Unlike Kenya, Ghana pays monthly.", ["Results"], ["KEN"]) == ["KEN", "GHA"]


def test_regions_come_from_the_passages_countries():
    assert passage_regions(["CHL"], ["Africa", "Americas"]) == ["Americas"]
    assert passage_regions([], ["Americas"]) == ["Americas"]  # a regional report's general paragraph
    assert passage_regions([], ["Africa", "Americas"]) == []
