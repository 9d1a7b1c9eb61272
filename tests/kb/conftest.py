"""Fixtures for the answer, search and comparison tests: one open knowledge base, one pass over the dev set."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "corpus" / "questions.jsonl"


@pytest.fixture(scope="session", params=["local", "milvus"])
def corpus_kb(request):
    """The bundled corpus's knowledge base on each backend, open (and its model warm) for the whole session."""
    from kb.service import KnowledgeBase

    if request.param == "local":
        kb = KnowledgeBase(index=request.getfixturevalue("corpus_index"))
    else:
        kb = KnowledgeBase(store=request.getfixturevalue("corpus_milvus"))
    with kb:
        kb.warm_up()
        yield kb


@pytest.fixture(scope="session")
def dev_outcomes(corpus_kb):
    """Every question of corpus/questions.jsonl asked once (hybrid), graded by `kb.evaluate`."""
    from kb import evaluate

    return [evaluate.evaluate_one(corpus_kb, q, "hybrid") for q in evaluate.load_questions(QUESTIONS)]
