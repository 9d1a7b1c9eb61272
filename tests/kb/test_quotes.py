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
    assert salient_terms("What did Viet Nam do?") == ([], [])  # a country's name: countries are checked apart
    assert salient_terms("How did South Korea and the over-70s fare?") == ([], ["70"])


def test_a_lead_in_is_one_unit_with_its_items_and_alone_it_is_never_quoted():
    text = ("Child benefits can be:\n• universal, paid for every child;\n• targeted at poor families.\n"
            "The choice depends on fiscal space and on administrative capacity.\nThe following steps were taken:")
    spans = sentences(Document(content=text, meta={"lang": "en"}))
    assert [s.text for s in spans] == [
        "Child benefits can be:\n• universal, paid for every child;\n• targeted at poor families.",
        "The choice depends on fiscal space and on administrative capacity.",
    ]
    assert all(text[s.start:s.end] == s.text for s in spans)


def test_bullets_printed_apart_from_their_items_and_unbulleted_items():
    text = "Gaps in the care system:\n•\n•\nlack of day-care services for older people;\nno support for carers at home;"
    (unit,) = sentences(Document(content=text, meta={"lang": "en"}))
    assert unit.text == text


def test_captions_sources_references_titles_and_contents_are_never_quoted():
    lines = [
        "Figure 2: Coverage of the scheme by age group, 2010–2020",
        "Source: Ministry of Labour administrative data (2021).",
        "Doe, J. (2019). Pensions for all: a review of social pensions. Example Press.",
        "1 Introduction ............................................. 7",
        "Report on Improving the Pension System in the Republic of Ruritania",
        "The pension reached every resident over 70 by 2012.",
        "3 See the statistics, available at https://stats.example.org/pensions. The reform was popular with voters.",
    ]
    text = "\n".join(lines)
    quoted = [s.text for s in sentences(Document(content=text, meta={"lang": "en"}))]
    assert quoted == ["The pension reached every resident over 70 by 2012."]  # a footnote line goes whole
    assert "Pensions for all" in " ".join(s.text for s in sentences(Document(content=text, meta={"lang": "en"}), any_role=True))


def test_sentences_in_another_script_or_undecodable_are_not_quoted():
    text = ("The transfer reached most households in the province. "
            "\u1780\u17b6\u179a\u1794\u17d2\u179a\u17b6\u1780\u17cb\u1787\u17bc\u1793 \u1782\u17d2\u179a\u17bd\u179f\u17b6\u179a affected by floods. "
            "The pay\ufffdment arrived late in many villages.")
    quoted = [s.text for s in sentences(Document(content=text, meta={"lang": "en"}))]
    assert quoted == ["The transfer reached most households in the province."]


def test_question_intents_and_sections():
    from kb.intent import asks_for_sources, question_intents, section_matches

    assert question_intents("What lessons did Finland's basic income experiment leave?") == {"lessons"}
    assert "financing" in question_intents("¿Cómo se financia la Renta Dignidad?")
    assert section_matches(["4. Results and lessons learned"], frozenset({"lessons"}))
    assert not section_matches(["2. Background"], frozenset({"lessons"}))
    assert asks_for_sources("Which sources does the study cite?") and not asks_for_sources("Who is covered?")


def test_names_of_several_words_and_ordinals_are_checked_whole():
    from kb.quotes import holds_phrase, named_phrases, ordinal_phrases

    assert named_phrases("How much does Mongolia's Child Money Programme pay?") == ["Child Money Programme"]
    # an acronym ends a name: the programme is "Ehsaas", checked as a name of its own, "COVID" too
    assert named_phrases("How much did the Ehsaas COVID cash pay?") == []
    assert named_phrases("Who runs the ILO Global Flagship Programme?") == ["Global Flagship Programme"]
    assert ordinal_phrases("What budget is set for a third phase of the programme?") == ["third phase"]
    docs = [Document(content="The child money programme pays monthly.", meta={})]
    assert holds_phrase(docs, "Child Money Programme") and not holds_phrase(docs, "Child Grant Programme")


def test_an_acronym_is_known_where_its_name_is_written_out():
    from kb.quotes import spells_out

    texts = ["Contributions are collected by the Caja Nacional de Seguro Obrero since 1995."]
    assert spells_out("CNSO", texts)
    assert spells_out("CNSOs", texts)  # a plural
    assert not spells_out("CNSX", texts)
    assert not spells_out("Caja", texts)  # not an acronym
    assert not spells_out("CN", texts)  # two letters match too much to say anything
    assert spells_out("MLSP", ["the Ministry of Labour and Social Protection"])
    assert not spells_out("MLSP", ["the Ministry, Labour, Social Protection"])  # not one name
