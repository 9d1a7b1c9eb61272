"""Extractive, verifiable answers: sentences quoted verbatim from retrieved passages, each cited."""

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from haystack import Document

from kb.search import Hit

MAX_SENTENCES = 6
ABSTAIN_BELOW = 0.35  # best sentence support under this: the corpus does not answer (calibrated in kb eval)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Citation:
    """Where one answer sentence comes from: document, page, country, and the verbatim quote."""

    n: int
    passage_id: str
    doc_id: str
    title: str
    path: str
    page: int | None
    country: list[str]
    year: int | None
    doc_type: str
    quote: str


@dataclass
class Answer:
    """A short cited answer, or an abstention with the nearest passages for the user to judge."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of an answer."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [asdict(c) for c in self.citations],
            "related": self.related,
        }


@dataclass
class Sentence:
    """A candidate sentence: its text, where it sits in its passage, and its support score."""

    text: str
    start: int
    hit: Hit
    score: float = 0.0


def sentences_of(doc: Document) -> list[tuple[str, int]]:
    """(sentence, offset) pairs covering a passage; every sentence is a verbatim substring."""
    text = doc.content or ""
    spans = []
    for match in re.finditer(r"[^.!?;]+(?:[.!?;]+|$)", text):
        raw = match.group(0)
        stripped = raw.strip()
        if len(_WORD.findall(stripped)) >= 4:
            spans.append((stripped, match.start() + raw.index(stripped)))
    return spans


def keyword_overlap(question: str, sentence: str) -> float:
    """Share of the question's content words (4+ letters) found in the sentence."""
    q = {w for w in _WORD.findall(question.lower()) if len(w) > 3}
    if not q:
        return 0.0
    s = set(_WORD.findall(sentence.lower()))
    return len(q & s) / len(q)


def compose(question: str, hits: list[Hit], embed: Any, threshold: float = ABSTAIN_BELOW) -> Answer:
    """Pick the best-supported sentences from `hits` and cite each; abstain when support is too weak."""
    candidates = [Sentence(text, start, hit) for hit in hits for text, start in sentences_of(hit.passage)]
    related = [h.to_dict() for h in hits[:5]]
    if not candidates:
        return _abstain(question, related)
    vectors = np.asarray(embed([question] + [c.text for c in candidates]), dtype=np.float32)
    sims = vectors[1:] @ vectors[0]
    for cand, sim in zip(candidates, sims.tolist()):
        cand.score = sim + 0.15 * keyword_overlap(question, cand.text) - 0.01 * cand.hit.rank
    ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
    if ranked[0].score < threshold:
        return _abstain(question, related)
    chosen = _select(ranked)
    citations, parts = [], []
    for n, cand in enumerate(chosen, start=1):
        citations.append(_citation(n, cand))
        parts.append(f"{cand.text} [{n}]")
    return Answer(question, " ".join(parts), False, citations, related)


def _select(ranked: list[Sentence]) -> list[Sentence]:
    best = ranked[0].score
    chosen: list[Sentence] = []
    seen_text: set[str] = set()
    per_passage: dict[str, int] = {}
    for cand in ranked:
        if len(chosen) >= MAX_SENTENCES or cand.score < best - 0.15:
            break
        pid = cand.hit.passage.id
        if cand.text in seen_text or per_passage.get(pid, 0) >= 2:
            continue
        seen_text.add(cand.text)
        per_passage[pid] = per_passage.get(pid, 0) + 1
        chosen.append(cand)
    return chosen


def _citation(n: int, cand: Sentence) -> Citation:
    meta = cand.hit.passage.meta
    return Citation(
        n=n,
        passage_id=cand.hit.passage.id,
        doc_id=str(meta.get("doc_id")),
        title=str(meta.get("title") or ""),
        path=str(meta.get("path") or ""),
        page=meta.get("page_start"),
        country=list(meta.get("countries") or []),
        year=meta.get("year"),
        doc_type=str(meta.get("doc_type") or ""),
        quote=cand.text,
    )


def _abstain(question: str, related: list[dict[str, Any]]) -> Answer:
    text = (
        "The knowledge base has no passage that answers this question. "
        "The nearest passages are listed below for you to judge."
        if related
        else "The knowledge base has no passage that answers this question."
    )
    return Answer(question, text, True, [], related)
