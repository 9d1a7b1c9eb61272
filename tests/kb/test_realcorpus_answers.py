"""Answers on real reports (../shared/realcorpus, skipped when absent): passage-level countries in comparisons and
filters, and quotes that are never headings, contents, references, front matter or a lead-in alone.

Only file names and the dev questions' own file are read from ../shared: no excerpt of these documents is
committed. The subset holds two multi-country reports (three Central Asian countries; four country case studies).
"""

import json
from pathlib import Path

import pytest

from kb import evaluate
from kb.core.models import EVIDENCE_ROLES
from kb.core.structure import line_role

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / ".." / "shared"
SUBSET = [
    "en/uzbekistan/UNDP_Decent_Employment_Formality_Central_Asia_2024.pdf",
    "en/uzbekistan/WorldBank_Energy_Subsidy_Reform_Uzbekistan_2023.pdf",
    "en/uzbekistan/ESCAP_Unpaid_Care_Work_Uzbekistan_2023.pdf",
    "en/uzbekistan/UNICEF_Road_to_Recovery_Uzbekistan_COVID_2021.pdf",
]
QUESTIONS = [
    "Why do workers stay in informal jobs?",
    "What are the main findings and lessons learned?",
    "How were poor households protected when energy prices rose?",
    "What policies support unpaid care work?",
    "Which cash transfers did the government introduce during the pandemic?",
    "What does the report recommend?",
]
pytestmark = [
    pytest.mark.realcorpus,
    pytest.mark.slow,
    pytest.mark.skipif(not all((SHARED / "realcorpus" / f).exists() for f in SUBSET), reason="../shared/realcorpus is absent"),
]


@pytest.fixture(scope="module")
def real_kb(tmp_path_factory):
    from kb.service import KnowledgeBase

    index = tmp_path_factory.mktemp("real-index")
    with KnowledgeBase(index=index) as kb:
        report = kb.ingest([SHARED / "realcorpus" / f for f in SUBSET])
        assert not report.failed, report.failed
        kb.warm_up()
        yield kb


def _dev_questions() -> list[str]:
    path = SHARED / "eval" / "realcorpus_dev.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    names = {Path(f).name for f in SUBSET}
    return [r["question"] for r in rows if any(Path(a["path"]).name in names for a in r.get("answers", []))]


def test_quotes_on_real_reports_are_running_text(real_kb):
    store = real_kb.store()
    for question in QUESTIONS + _dev_questions():
        answer = real_kb.ask(question)
        passages = {p.id: p for p in store.passages_by_id([c.passage_id for c in answer.citations])}
        for c in answer.citations:
            assert c.role in EVIDENCE_ROLES, (question, c.role, c.quote)
            assert not c.quote.rstrip().endswith(":"), c.quote
            assert c.quote.strip() not in passages[c.passage_id].meta["section"], c.quote
            for line in c.quote.split("\n"):
                assert line_role(line) not in ("contents", "references", "caption", "front_matter"), line
            assert c.quote in (passages[c.passage_id].content or "")


def test_headings_and_contents_of_real_pdfs_are_structure_not_text(real_kb):
    passages = real_kb.store().filter_documents()
    assert all(not line.startswith("# ") for p in passages for line in (p.content or "").split("\n"))
    roles = {p.meta["role"] for p in passages}
    assert {"body", "references", "contents", "front_matter"} <= roles
    assert sum(bool(p.meta["section"]) for p in passages) > 0.9 * len(passages)


@pytest.mark.parametrize(
    ("question", "countries"),
    [
        ("What share of employment is informal?", ["Kyrgyzstan", "Tajikistan", "Uzbekistan"]),
        ("How were households protected from higher energy tariffs?", ["Guinea", "Ukraine", "Indonesia"]),
    ],
)
def test_comparison_rows_of_multi_country_reports_quote_passages_about_their_country(real_kb, question, countries):
    result = real_kb.compare(question, "country", countries)
    assert sum(row.evidence for row in result.rows) >= 2
    for row in result.rows:
        for c in row.answer.citations:
            assert row.group in c.country, (row.group, c.section, c.quote)


def test_a_country_filter_on_a_multi_country_report_returns_passages_about_it(real_kb):
    from kb.core.filters import SearchFilters

    hits = real_kb.search("electricity tariff reform", SearchFilters(countries=["Guinea"]), top_k=10)
    assert hits
    assert all("GIN" in h.passage.meta["countries"] for h in hits)
    assert all(h.passage.meta["doc_countries"] != ["GIN"] for h in hits)  # the report is about several countries


def test_dev_questions_of_the_subset_are_graded(real_kb):
    rows = evaluate.load_questions(SHARED / "eval" / "realcorpus_dev.jsonl")
    names = {Path(f).name for f in SUBSET}
    subset = [q for q in rows if q.answers and all(a.path.name in names for a in q.answers)]
    outcomes = [evaluate.evaluate_one(real_kb, q, "hybrid") for q in subset]
    summary = evaluate.summarise(outcomes)
    print(f"\nreal-corpus subset: {summary}")
    assert summary["quotes_valid"] == 1.0
