from ingest.page_cleaner import clean_text
from ingest.running_lines import is_page_number, remove_running_lines

BODY = "Social protection systems cover more people every year and reduce poverty in many countries."


def test_hyphen_join_uses_the_document_vocabulary():
    text = (
        "The employ-\nment rate rose; employment grew.\nA socio-\neconomic view, as socio-economic data show."
    )
    cleaned = clean_text(text, unwrap=False)
    assert "employment rate" in cleaned
    assert "socio-economic view" in cleaned


def test_hyphen_before_capital_is_kept():
    assert "Inter-American" in clean_text("the Inter-\nAmerican bank", unwrap=False)


def test_running_header_footer_and_page_numbers_are_dropped_but_pages_kept():
    words = ["health", "pensions", "children", "maternity", "disability", "unemployment"]
    pages = [
        f"ANNUAL REPORT ON SOCIAL SECURITY {n}\n{BODY}\nThis page is about {word}.\n{n}"
        for n, word in enumerate(words, start=1)
    ]
    cleaned = clean_text("\f".join(pages)).split("\f")
    assert len(cleaned) == 6
    for page, word in zip(cleaned, words):
        assert "ANNUAL REPORT" not in page
        assert page.endswith(f"about {word}.")


def test_repeated_content_lines_are_not_headers():
    pages = [f"Artículo {n}\n{BODY}\nArtículo {n + 10}\n{BODY} {n}" for n in range(1, 7)]
    assert clean_text("\f".join(pages)).count("Artículo") == 12


def test_short_documents_keep_their_edges():
    assert remove_running_lines(["Title\nbody", "Title\nbody"]) == ["Title\nbody", "Title\nbody"]


def test_page_number_patterns():
    assert all(is_page_number(s) for s in ["12", "- 12 -", "Page 3 of 9", "xi", "Página 4"])
    assert not any(is_page_number(s) for s in ["2019 figures", "Article 12", "12,5%"])


def test_wrapped_lines_become_paragraphs_and_list_items_stay():
    lines = [
        "The government extended coverage to informal workers in",
        "rural areas through a new scheme.",
        "• first item of the list",
        "• second item of the list",
    ]
    cleaned = clean_text("\n".join(lines))
    assert (
        cleaned.split("\n")[0]
        == "The government extended coverage to informal workers in rural areas through a new scheme."
    )
    assert cleaned.split("\n")[1:] == lines[2:]


def test_repeated_paragraph_is_kept_once_across_pages():
    paragraph = BODY + " " + BODY
    cleaned = clean_text(f"{paragraph}\nOther text.\f{paragraph}\nMore text.", unwrap=False)
    assert cleaned.count(paragraph) == 1
    assert cleaned.split("\f")[1] == "More text."


def test_a_heading_line_is_not_joined_to_the_paragraph_below_it():
    page = (
        "continued text from an earlier page that stops short of the margin\n"
        "Because it is a continuation, this line joins the one above it in one paragraph of the page;\n"
        "so does this one.\n"
        "Bolivia: hydrocarbon revenues for a universal pension\n"
        "Bolivia finances its universal non-contributory pension for people aged 60 and over, the Renta\n"
        "Dignidad, mainly from a share of the Direct Tax on Hydrocarbons and from dividends of public\n"
        "enterprises, which has made the benefit affordable without contributions from its members."
    )
    lines = clean_text(page).split("\n")
    assert "Bolivia: hydrocarbon revenues for a universal pension" in lines
    assert any(line.startswith("Bolivia finances") and line.endswith("members.") for line in lines)
    assert any(line.startswith("continued text") and line.endswith("this one.") for line in lines)


def test_a_footnote_under_an_unfinished_sentence_stays_apart():
    page = (
        "At the time of the survey, despite the many groups eligible for compensation, the share of the people\n"
        "12 The analysis of the effects of the tariffs used the labour force survey of that year.\n"
    )
    assert clean_text(page).split("\n") == [
        "At the time of the survey, despite the many groups eligible for compensation, the share of the people",
        "12 The analysis of the effects of the tariffs used the labour force survey of that year.",
    ]
