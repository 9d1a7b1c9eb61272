"""Quotable sentences, the page a quote sits on, and the question signals answers use."""

from haystack import Document

from kb.quotes import Span, named_countries, quote_pages, salient_terms, sentences


def test_sentences_are_verbatim_and_skip_headings():
    text = "3. Who is covered\n• Residents aged 70 and over are covered. Citizens abroad are not.\nSources"
    doc = Document(content=text, meta={"lang": "en"})
    spans = sentences(doc)
    assert [s.text for s in spans] == ["Residents aged 70 and over are covered.", "Citizens abroad are not."]
    assert all(text[s.start:s.end] == s.text for s in spans)


def test_a_quote_is_cited_on_the_page_where_it_sits():
    first, second = "The grant was created in 1998. It grew.", "Since 2012 children under 18 are covered."
    content = f"{first}\n{second}"
    doc = Document(content=content, meta={"page_start": 4, "page_end": 5, "char_start": 900, "char_end": len(second)})
    assert quote_pages(doc, Span(second, content.index(second), len(content))) == (5, 5)
    assert quote_pages(doc, Span("It grew.", content.index("It grew."), content.index("It grew.") + 8)) == (4, 4)
    unknown = Document(content=content, meta={"page_start": 4, "page_end": 5, "char_start": 900, "char_end": 3})
    assert quote_pages(unknown, Span(second, content.index(second), len(content))) == (4, 5)  # cite the range


def test_questions_name_countries_in_many_forms():
    assert named_countries("Which Kenyans over 70 are excluded?") == {"KEN"}
    assert named_countries("How did Spain's decree work?") == {"ESP"}
    assert named_countries("¿Por qué la prestación española no se pide?") == {"ESP"}
    assert named_countries("What is a social protection floor?") == set()


def test_salient_terms_are_names_past_the_first_word_and_numbers():
    assert salient_terms("How many people received Inua Jamii in 2023?") == (["Inua", "Jamii"], ["2023"])
    assert salient_terms("What did Viet Nam do?") == (["Viet", "Nam"], [])
