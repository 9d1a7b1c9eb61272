"""Markdown rendering: one line per paragraph, and sentences a converter cut into paragraphs made whole again."""

import pytest

from ingest.markdown_renderer import MarkdownRenderer


@pytest.fixture(scope="module")
def render():
    return MarkdownRenderer().render


def test_headings_items_and_paragraphs_keep_their_lines(render):
    text = "# Benefits\n\nThe scheme pays a monthly grant.\n\nIt covers:\n\n- older people\n- children\n"
    assert render(text).split("\n") == [
        "# Benefits", "The scheme pays a monthly grant.", "It covers:", "• older people", "• children",
    ]


def test_a_sentence_cut_into_paragraphs_is_one_line(render):
    # what a PDF-to-Markdown conversion leaves: every wrapped line of the PDF a paragraph of its own
    text = "While the transfers helped to\n\nsupport the households and\n\nTheir savings, the pilot ended.\n"
    assert render(text) == "While the transfers helped to support the households and Their savings, the pilot ended."


def test_closed_sentences_and_capitals_start_new_paragraphs(render):
    text = "The pilot ended in 2023.\n\nthe next one starts in lower case but follows a full stop.\n\nA title\n\nNew text.\n"
    assert render(text).split("\n") == [
        "The pilot ended in 2023.", "the next one starts in lower case but follows a full stop.", "A title", "New text.",
    ]


def test_a_lead_in_keeps_its_list_and_headings_are_never_joined(render):
    text = "Households qualify if they are:\n\n- poor\n\n## Results and\n\nfindings follow here.\n"
    assert render(text).split("\n") == [
        "Households qualify if they are:", "• poor", "## Results and", "findings follow here.",
    ]
