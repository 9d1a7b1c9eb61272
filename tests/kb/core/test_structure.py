"""What a line is (contents, references, caption, front matter, table, list) and what a heading makes a section."""

import pytest

from kb.core.structure import heading_role, is_list_item, line_role, section_role


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("References", "references"),
        ("7. Bibliografía", "references"),
        ("Sources", "references"),
        ("Notes de fin", "references"),
        ("Table of Contents", "contents"),
        ("Índice", "contents"),
        ("Sommaire", "contents"),
        ("Acknowledgements", "front_matter"),
        ("List of Abbreviations", "front_matter"),
        ("Siglas y acrónimos", "front_matter"),
        ("3. Financing", None),
        ("Lessons learned", None),
    ],
)
def test_headings_that_name_a_role(heading, role):
    assert heading_role(heading) == role


def test_the_innermost_heading_or_its_parent_decides():
    assert section_role(["Abbreviations"]) == "front_matter"
    assert section_role(["Our team", "Experts", "Jane Doe"]) == "front_matter"  # a name under "Experts"
    assert section_role(["Abbreviations", "2. Context", "2.1 Growth"]) is None  # two levels up: not inherited
    assert section_role([]) is None


@pytest.mark.parametrize(
    ("line", "role"),
    [
        ("1 Introduction ............................................. 7", "contents"),
        ("Executive Summary 5 1. Introduction 7 2. Background of the Scheme 9 3. Results 14", "contents"),
        ("context of the reform 26 Author A, 2021, A study of it 27 In the north, most 28 One-off estimates", "references"),
        ("Doe, J. (2019). A study of social pensions. Geneva: Example Press.", "references"),
        ("Example Organisation (2020). Annual report on coverage.", "references"),
        ("World Institute. 2022. Commodity Outlook. Washington, DC.", "references"),
        ("12 See the national statistics office, available at https://stats.example.org/coverage", "references"),
        ("https://www.example.org/a/very/long/link/to/a/report.pdf", "references"),
        ("Sources: national social security law (2010); annual reports of the fund.", "references"),
        ("Fuentes: ley de creación del régimen (2001).", "references"),
        ("Figure 2.1: Coverage by age group, 2010–2020", "caption"),
        ("Gráfico 5", "caption"),
        ("Table 3 Coverage by region and sex", "caption"),
        ("Note: totals may not add up because of rounding.", "caption"),
        ("Photo: A. Photographer / Example Agency", "caption"),
        ("© Example Organisation 2024. All rights reserved.", "front_matter"),
        ("ISBN 978-0-00-000000-0", "front_matter"),
        ("Region | Coverage | Year", "table"),
        ("• universal, paid for every child;", "list"),
        ("2) Workers in the construction sector.", "list"),
        ("Figure 3 shows that coverage rose quickly after 2010.", None),
        ("Since 2016, the government has extended the pension to rural workers.", None),
        ("In 2019, the ministry adopted a national strategy.", None),
        ("The scheme is financed by contributions (2 per cent of wages).", None),
        ("Doe et al (2020) report that both domestic and external funds paid for it.", None),  # cites, in prose
        ("Example Organisation (2019) shows that coverage rose.", None),
    ],
)
def test_line_roles(line, role):
    assert line_role(line) == role


def test_list_items_are_bulleted_or_numbered():
    assert is_list_item("• one") and is_list_item("- two") and is_list_item("a) three") and is_list_item("3. four")
    assert not is_list_item("-5%") and not is_list_item("The list follows.")
