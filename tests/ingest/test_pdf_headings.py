"""Headings found from a PDF's fonts and bookmarks, written as Markdown heading lines."""

from ingest.pdf_converter import PdfiumToDocument
from ingest.pdf_headings import StyledLine, cover_title, mark_headings

from .conftest import make_pdf

BODY = [StyledLine(f"Body text line number {i} that runs on like a paragraph would run on here.", 10) for i in range(8)]


def lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.startswith("#")]


def test_larger_lines_are_headings_ranked_by_size_and_numbers_give_depth():
    page = [StyledLine("Overview of the reform", 18), *BODY, StyledLine("2.1 Who is covered", 12), *BODY,
            StyledLine("Background", 14), *BODY]
    marked = mark_headings([page, page])
    assert lines(marked[0]) == ["# Overview of the reform", "## 2.1 Who is covered", "## Background"]


def test_a_title_set_on_two_lines_is_one_heading():
    page = [StyledLine("3.4 Qualitative approaches complementing", 14), StyledLine("Quantitative analysis: Ruritania, 2015", 14),
            *BODY]
    assert lines(mark_headings([page, page])[0]) == [
        "## 3.4 Qualitative approaches complementing Quantitative analysis: Ruritania, 2015"
    ]


def test_pull_quotes_watermarks_and_contents_lines_are_not_headings():
    quote = StyledLine("There is no work today, and there is none tomorrow, so we leave, says one worker", 14)
    stamp = StyledLine("Public Disclosure Authorized", 20)
    contents = StyledLine("2. Overview of the labour market 9", 14)
    page = [quote, stamp, *BODY, stamp, contents, *BODY]
    assert lines(mark_headings([page, page])[0]) == []


def test_bookmarks_name_headings_set_in_the_body_font():
    page = [StyledLine("1", 10), StyledLine("Introduction", 10), *BODY, StyledLine("3.1 Legal frameworks", 10), *BODY]
    marked = mark_headings([page], outline=[[1, 0, "1: Introduction"], [1, 1, "3.1 Legal frameworks"]])
    assert lines(marked[0]) == ["# 1 Introduction", "## 3.1 Legal frameworks"]


def test_a_body_line_that_looks_like_markup_is_not_a_heading():
    page = [StyledLine("# 1 priority for the ministry", 10), *BODY]
    assert lines(mark_headings([page])[0]) == []


def test_the_cover_title_is_the_largest_line_of_the_first_page():
    cover = [StyledLine("Annual review", 12), StyledLine("Extending Pensions to", 24), StyledLine("Informal Workers", 24),
             StyledLine("2024", 12)]
    assert cover_title([cover, BODY]) == "Extending Pensions to Informal Workers"


def test_a_pdf_without_a_title_property_is_titled_by_its_cover(tmp_path):
    data = make_pdf([[("Pensions for Rural Workers", 22), "A review of five schemes"],
                     [("1. Introduction", 16), *[line.text for line in BODY]]])
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    doc = PdfiumToDocument().run(sources=[path])["documents"][0]
    assert doc.meta["properties"]["title"] == "Pensions for Rural Workers"
    assert doc.meta["heading_markup"] is True
    assert "# 1. Introduction" in doc.content.split("\f")[1]


def test_a_heading_wrapped_onto_a_lower_case_line_is_joined():
    page = [StyledLine("4. Korea: employment insurance and its", 14), StyledLine("expansion", 14), *BODY]
    assert lines(mark_headings([page, page])[0]) == ["# 4. Korea: employment insurance and its expansion"]
