"""`kb ask`: every answer is made of verbatim quotes; the dev set's targets hold; kb abstains when it should."""

import pytest

from kb import evaluate
from kb.answer import NO_ANSWER, quoted
from kb.core.filters import SearchFilters

pytestmark = pytest.mark.slow


def test_every_quote_of_every_dev_answer_is_verbatim_in_its_stored_passage(corpus_kb, dev_outcomes):
    citations = [c for o in dev_outcomes for c in o.answer.citations]
    assert len(citations) > 100
    stored = {p.id: p for p in corpus_kb.store().passages_by_id(sorted({c.passage_id for c in citations}))}
    for c in citations:
        passage = stored[c.passage_id]
        assert c.quote and c.quote in passage.content, (c.n, c.quote)
        assert c.path == passage.meta["path"] and c.doc_id == passage.meta["doc_id"]
        if c.page is not None:
            assert passage.meta["page_start"] <= c.page <= (c.page_end or c.page) <= passage.meta["page_end"]


def test_answers_number_each_sentence_and_cite_it(dev_outcomes):
    for o in dev_outcomes:
        if o.answer.abstained:
            assert o.answer.answer.startswith(NO_ANSWER) and not o.answer.citations
            continue
        assert 1 <= len(o.answer.citations) <= 6
        for c in o.answer.citations:
            assert f"{quoted(c.quote)} [{c.n}]" in o.answer.answer


def test_dev_set_targets_hold(dev_outcomes):
    """Issue 5's targets on both backends (measured hit@5 0.93 local, 0.92 Milvus Lite), and regression guards."""
    summary = evaluate.summarise(dev_outcomes)
    assert summary["quotes_valid"] == 1.0
    assert summary["hit@5"] >= 0.9
    assert summary["abstention_recall"] >= 0.8  # unanswerable questions abstained
    assert summary["answerable_refused"] <= 0.1
    assert summary["hit@10"] >= 0.93
    assert summary["cited_correct"] >= 0.7


@pytest.mark.parametrize(
    "question",
    [
        "How do I bake sourdough bread at home?",  # off-topic: weak support
        "What did the Stockton basic income pilot in California find about employment?",  # names never mentioned
        "How did Viet Nam extend voluntary social insurance to informal-economy workers?",  # country not covered
        "How many people received Kenya's Inua Jamii 70+ pension in 2023?",  # a year no passage holds
    ],
)
def test_out_of_scope_questions_are_refused_with_the_nearest_passages(corpus_kb, question):
    answer = corpus_kb.ask(question)
    assert answer.abstained and not answer.citations
    assert answer.answer.startswith(NO_ANSWER)
    assert answer.related and {"passage_id", "title", "text"} <= set(answer.related[0])
    assert answer.to_dict()["abstained"] is True


def test_a_filter_restricts_the_answer(corpus_kb):
    answer = corpus_kb.ask("How are old-age pensions financed?", SearchFilters(countries=["Bolivie"]))
    assert not answer.abstained
    assert all(c.country == ["BOL"] or "BOL" in c.country for c in answer.citations)
    assert all("BOL" in h.passage.meta["countries"] for h in answer.hits)


def test_an_impossible_filter_abstains_without_passages(corpus_kb):
    answer = corpus_kb.ask("How are old-age pensions financed?", SearchFilters(countries=["Kenya"], langs=["fr"]))
    assert answer.abstained and answer.related == [] and answer.reason == "no-passage"


def test_answer_json_shape(corpus_kb):
    data = corpus_kb.ask("What was the COVID-19 Social Relief of Distress grant in South Africa?").to_dict()
    assert {"question", "answer", "abstained", "citations", "related"} <= set(data)
    assert set(data["citations"][0]) >= {"n", "passage_id", "doc_id", "title", "path", "page", "country", "year",
                                         "doc_type", "quote"}


def test_quotes_are_evidence_never_headings_references_or_lead_ins_alone(corpus_kb, dev_outcomes):
    from kb.core.models import EVIDENCE_ROLES
    from kb.core.structure import line_role

    for o in dev_outcomes:
        stored = {p.id: p for p in corpus_kb.store().passages_by_id([c.passage_id for c in o.answer.citations])}
        for c in o.answer.citations:
            passage = stored[c.passage_id]
            assert c.role in EVIDENCE_ROLES and passage.meta["role"] == c.role
            assert not c.quote.rstrip().endswith(":"), c.quote
            assert c.quote.strip() not in passage.meta["section"], c.quote  # a heading is never a quote
            assert all(line_role(line) not in ("contents", "references", "caption", "front_matter")
                       for line in c.quote.split("\n")), c.quote


def test_citations_carry_their_section_and_role_in_json(corpus_kb):
    data = corpus_kb.ask("How is short-time work financed in Germany?").to_dict()
    assert all({"section", "role", "country", "doc_countries"} <= set(c) for c in data["citations"])
    assert any(c["section"] for c in data["citations"])
    hit = data["related"][0]
    assert {"section", "role", "countries", "doc_countries", "heading"} <= set(hit)


def test_a_lead_in_is_quoted_with_its_list(corpus_kb):
    answer = corpus_kb.ask("What options does the fiscal space handbook list for financing social protection?")
    units = [c.quote for c in answer.citations if c.quote.split("\n")[0].rstrip().endswith(":")]
    assert units, [c.quote for c in answer.citations]
    assert all(len(u.split("\n")) >= 2 for u in units)


def test_a_question_about_sources_may_quote_a_sources_line(corpus_kb):
    answer = corpus_kb.ask("What sources does the country study on Kenya's universal pension draw on?")
    assert not answer.abstained
    assert any(c.role == "references" or "Sources" in c.quote or "Act" in c.quote for c in answer.citations)


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("Did Finland's basic income experiment get unemployed people into work? What did it find?", "3. Findings"),
        ("What problems has India's rural employment guarantee run into in practice?", "Challenges"),
    ],
)
def test_the_section_a_question_asks_for_answers_it(corpus_kb, question, section):
    answer = corpus_kb.ask(question)
    assert not answer.abstained
    assert any(any(section.lower() in h.lower() for h in c.section) for c in answer.citations), [
        c.section for c in answer.citations]


def _hits(*passages: str) -> list:
    from haystack import Document

    from kb.search import Hit

    return [Hit(rank=n, score=1.0, passage=Document(id=f"p{n}", content=text, meta={"doc_id": f"d{n}", "lang": "en",
                                                                                    "title": f"Report {n}"}))
            for n, text in enumerate(passages, start=1)]


def _embed_towards(answer: str):
    """A stand-in embedder: the question and `answer` point one way, every other sentence at 0.6 cosine."""
    import numpy as np

    def embed(texts: list[str]):
        rows = [[1.0, 0.0] if i == 0 or answer in t else [0.6, 0.8] for i, t in enumerate(texts)]
        return np.asarray(rows, dtype=np.float32)

    return embed


def test_the_sentence_after_the_best_one_is_read_though_it_shares_no_word_with_the_question(monkeypatch):
    from kb import answer as answers

    funding = "Domestic financing was sourced from the reserve fund and from lenders."
    lead = "The government answered the crisis quickly with a set of packages."
    others = [" ".join(f"The packages of round {n}{k} were announced in the capital." for k in "abc") for n in range(5)]
    hits = _hits(f"{lead} {funding}", *others)

    def quotes() -> list[str]:
        found = answers.compose("Where did the money for the packages come from?", hits, _embed_towards(funding))
        return [c.quote for c in found.citations]

    assert funding in quotes()
    monkeypatch.setattr(answers, "NEIGHBOUR_OF", 0)
    assert funding not in quotes()  # the pre-score alone drops it: twelve sentences share more words


def test_sentences_of_one_passage_are_quoted_in_their_order():
    from haystack import Document

    from kb.answer import Candidate, reading_order
    from kb.quotes import Span
    from kb.search import Hit

    first, second = (Hit(rank=n, score=1.0, passage=Document(id=f"p{n}", content="x" * 99, meta={})) for n in (1, 2))
    picked = [Candidate(Span("c", 50, 60), first), Candidate(Span("o", 0, 9), second), Candidate(Span("a", 0, 9), first)]
    assert [c.text for c in reading_order(picked)] == ["a", "c", "o"]


def test_only_documents_that_name_the_questions_subject_answer_it():
    from kb.answer import compose
    from kb.subject import on_subject

    hits = _hits("The pilot enrolled 5,000 residents in the province in 2021.",
                 "Residents of the Syrdarya region joined the pilot, which charges no premium.")
    named = {("Syrdarya", "d2")}

    def mentioned(name, doc_id=None):
        return doc_id is None or (name, doc_id) in named

    kept, absent = on_subject("How many residents joined the Syrdarya pilot?", hits, mentioned)
    assert [h.passage.id for h in kept] == ["p2"] and absent == ["Syrdarya"]
    # where a region is named the documents name its countries instead: no document needs to say "Latin"
    assert on_subject("Which Latin American country pays a pension?", hits, mentioned)[0] == hits
    assert on_subject("How does Asia-Pacific finance health care?", hits, mentioned)[0] == hits

    answer = compose("How many residents joined the Syrdarya pilot?", hits[:1], _embed_towards("enrolled"),
                     mentioned=mentioned)
    assert answer.abstained and answer.reason == "subject" and answer.refused_by_rule
    assert "mentions “Syrdarya”" in answer.answer
    # a comparison row: the question may name one group's examples ("Central Asia vs Asia-Pacific, e.g. Marawi")
    row = compose("How many residents joined the Syrdarya pilot?", hits[:1], _embed_towards("enrolled"),
                  mentioned=mentioned, about=frozenset())
    assert row.reason != "subject"


def test_the_sentence_after_the_best_one_follows_it_when_close_in_score():
    from haystack import Document

    from kb.answer import MARGIN, Candidate, with_followers
    from kb.quotes import Span
    from kb.search import Hit

    text = "The State responded with packages. Both domestic and external funds paid for them. Unrelated."
    hit = Hit(rank=1, score=1.0, passage=Document(id="p1", content=text, meta={}))
    first, second, third = (Span(text[a:b], a, b) for a, b in ((0, 34), (35, 82), (83, 93)))
    best = Candidate(first, hit, score=0.70)
    follower = Candidate(second, hit, score=0.70 - 1.5 * MARGIN)
    far = Candidate(third, hit, score=0.69)
    assert with_followers([best], [best, far, follower]) == [best, follower]  # next in the text, not next in score
    follower.score = 0.70 - 2.5 * MARGIN
    assert with_followers([best], [best, far, follower]) == [best]
    assert with_followers([], []) == []


def test_each_name_is_looked_up_once_per_document():
    from kb.subject import on_subject

    hits = _hits("First passage of the report.", "Second passage of the report.")
    for hit in hits:
        hit.passage.meta["doc_id"] = "d1"  # two passages of one document
    calls = []

    def mentioned(name, doc_id=None):
        calls.append((name, doc_id))
        return True

    assert on_subject("What did the Syrdarya pilot find?", hits, mentioned)[0] == hits
    assert calls == [("Syrdarya", "d1")]


def test_an_acronym_written_out_in_the_passages_is_not_unknown():
    from kb.subject import on_subject, unknown_terms

    hits = _hits("The Caja Nacional de Seguro Obrero keeps every worker's contribution record.",
                 "Another fund keeps records too.")

    def mentioned(name, doc_id=None):  # the knowledge base never writes the initials
        return name not in ("CNSO", "XQZT")

    assert unknown_terms("When will CNSO open its contribution records?", hits, mentioned) == []
    kept, absent = on_subject("When will CNSO open its contribution records?", hits, mentioned)
    assert [h.passage.id for h in kept] == ["p1"] and absent == ["CNSO"]
    assert unknown_terms("When will XQZT open its contribution records?", hits, mentioned) == ["XQZT"]


def test_a_region_word_is_not_an_unknown_term():
    """'Gulf', like 'Latin American', says where; the documents name the countries instead."""
    from kb.subject import unknown_terms

    hits = _hits("Testland's law of 2023 pays a monthly benefit for every child.")

    def mentioned(name, doc_id=None):
        return name not in ("Gulf", "Sahel", "Zorblat")

    assert unknown_terms("Which Gulf country pays a benefit for every child?", hits, mentioned) == []
    assert unknown_terms("How do Sahel countries pay child benefits?", hits, mentioned) == []
    assert unknown_terms("Which Zorblat country pays a benefit for every child?", hits, mentioned) == ["Zorblat"]
