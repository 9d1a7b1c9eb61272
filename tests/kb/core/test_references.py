"""References: one style from a document's record, for the CLI, --json, copied quotes and briefs."""

from kb.core.references import Source, related_reference

REPORT = Source(title="Extending pensions to informal workers", year=2022, path="/home/a/docs/pensions.pdf",
                author="A. Writer", publisher="Social Protection Department", url="https://example.org/pensions")


def test_a_reference_names_author_year_title_publisher_and_url():
    assert REPORT.entry() == ("A. Writer (2022). Extending pensions to informal workers. "
                              "Social Protection Department. https://example.org/pensions")


def test_a_quote_adds_its_section_and_page_before_the_address():
    assert REPORT.cite(("Part II", "Financing"), "p. 12") == (
        "A. Writer (2022). Extending pensions to informal workers. Social Protection Department. "
        "Section “Financing”, p. 12. https://example.org/pensions"
    )


def test_without_creator_url_or_year_the_title_leads_and_the_file_name_stands_in():
    bare = Source(title="Leaflet on floors.", path="/home/a/docs/leaflet.md")
    assert bare.entry() == "Leaflet on floors (n.d.). leaflet.md"
    assert bare.cite((), "") == bare.entry()
    assert "/home/a" not in bare.cite(("Leaflet on floors.",), "p. 1")  # a section repeating the title is not named
    assert Source(title="", path="").entry() == "Untitled (n.d.)."


def test_a_publisher_alone_is_the_creator():
    assert Source(title="Floors", year=2012, publisher="ILO").entry() == "ILO (2012). Floors."


def test_a_hit_is_named_from_its_record_when_given_else_from_its_own_metadata():
    hit = {"title": "Floors", "year": 2012, "path": "/x/floors.pdf", "section": ["Costs"], "page_start": 3,
           "page_end": 4, "ocr": True}
    assert related_reference(hit) == "Floors (2012). Section “Costs”, pp. 3–4 (OCR). floors.pdf"
    assert related_reference(hit, REPORT).startswith("A. Writer (2022). Extending pensions")


def test_a_web_pages_title_loses_the_site_name_the_reference_gives_as_publisher():
    page = Source(title="Pakistan | Building floors", year=2022, author="A. Writer", publisher="Building floors",
                  url="https://example.org/pakistan")
    assert page.entry() == "A. Writer (2022). Pakistan. Building floors. https://example.org/pakistan"
