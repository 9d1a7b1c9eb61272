"""Extractive, verifiable answers: sentences quoted verbatim from retrieved passages, each cited.

How an answer is made (calibration of the constants: `kb eval --questions corpus/questions.jsonl --sweep`):
1. kb abstains at once when the question names something the knowledge base never mentions (a name, or a
   number that no retrieved passage holds), names a country that no retrieved passage is about, or a name that
   no document of the passages found mentions (`kb.subject`);
2. the quotable units of the best passages are cut: sentences (by the ingestion's sentence splitter), and
   lead-ins ending with ':' together with their list items; passages of references, contents and front matter
   (and caption or source lines) are never quoted unless the question asks for sources; passages whose section
   is of the kind the question asks for (lessons, financing, eligibility, results) join the pool from further
   down the list and get a small bonus;
3. a cheap pre-score (keyword overlap, passage rank, numbers for "how much" questions) keeps the
   `EMBED_BUDGET` most promising ones;
4. those are embedded with their passage's title and heading (a sentence often leaves its subject to them)
   and scored: cosine with the question + keyword overlap - a small rank prior (+ the number bonus); the
   sentence after each of the best few is scored too (it often carries the facts in other words);
5. if the best score is under `ABSTAIN_BELOW`, kb abstains and lists the nearest passages instead; else the
   best sentences are quoted (and the one right after the best, when close to it), those of one passage in
   the order it has them.
"""

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from kb.core.models import PassageMeta, page_label, section_label
from kb.core.references import Source, related_reference
from kb.intent import asks_for_sources, question_intents, section_matches, speaks_of
from kb.quotes import (
    Span,
    asks_for_examples,
    asks_for_number,
    in_context,
    keyword_overlap,
    new_number,
    quote_pages,
    sentences,
)
from kb.search import Hit
from kb.subject import Mentioned, on_topic, unknown_terms

MAX_SENTENCES = 6  # at most this many sentences in an answer
FOCUSED_SENTENCES = 3  # ... and this many when the question does not ask for examples across countries
ANSWER_HITS = 10  # passages retrieved per question (also listed as `related` after an abstention)
ANSWER_PASSAGES = 6  # sentences are drawn from this many of the best passages
EMBED_BUDGET = 12  # sentences embedded per question (the rest are dropped by the pre-score)
KEYWORD_WEIGHT = 0.15  # weight of keyword overlap next to the cosine similarity
RANK_WEIGHT = 0.03  # penalty per passage rank
NUMBER_BONUS = 0.1  # for a sentence holding a new number when the question asks how much, how many, when...
SECTION_BUDGET = 8  # sentences of the asked-for section scored beyond EMBED_BUDGET
SECTION_QUOTES = 2  # of them at most this many lead the answer
SECTION_POSITION = 1  # the rank prior of a passage whose section is of the kind the question asks for
SECTION_BONUS = 0.05  # for a sentence whose section is of the kind the question asks for (`kb.intent`)
PER_PASSAGE = 2  # sentences quoted from one passage at most
NEIGHBOUR_OF = 3  # the sentence after each of this many best-scored sentences is scored too
PRE_RANK_WEIGHT = 0.05  # the pre-score's penalty per passage rank
MARGIN = 0.15  # other sentences join the answer when within this of the best one
ABSTAIN_BELOW = 0.46  # best sentence score under this: the corpus does not answer (`kb eval --questions --sweep`)
NO_ANSWER = "The knowledge base has no passage that answers this question."

Embed = Callable[[list[str]], Any]


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
    page_end: int | None = None  # differs from `page` only when the quote's page is uncertain
    region: list[str] = field(default_factory=list)
    lang: str | None = None
    section: list[str] = field(default_factory=list)  # the heading path of the quoted passage, outermost first
    role: str = "body"
    doc_countries: list[str] = field(default_factory=list)  # the document's countries (`country`: the passage's)
    ocr: bool = False  # the quote's page was read by OCR (a scan): shown as "(OCR)" next to the page
    # from the document's record (`KnowledgeBase.ask` fills them): see `kb.core.references`
    author: str = ""
    publisher: str = ""
    url: str = ""
    reference: str = ""  # the quote's full reference: author or publisher, year, title, section, page, URL or file

    @property
    def section_label(self) -> str:
        """The innermost heading of the quote's section, as references show it (not a repeat of the title)."""
        return section_label(self.section, self.title)

    def with_source(self, source: Source) -> None:
        """Take the document's author, publisher and URL from its record, and set the reference."""
        self.author, self.publisher, self.url = source.author, source.publisher, source.url
        self.reference = Source.of(self).cite(self.section, page_label(self.page, self.page_end, self.ocr))


@dataclass
class Answer:
    """A short cited answer, or an abstention with the nearest passages for the user to judge."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[dict[str, Any]] = field(default_factory=list)
    support: float = 0.0  # score of the best sentence (what the abstention threshold is compared with)
    reason: str | None = None  # why kb abstained: "no-passage", "unknown-term", "country", "subject", "support"
    note: str | None = None  # e.g. why the generator was not used
    generated: bool = False
    hits: list[Hit] = field(default_factory=list, repr=False)  # the retrieved passages (not in the JSON)

    def with_sources(self, sources: dict[str, Source]) -> "Answer":
        """The answer with every citation's and nearest passage's reference built from its document's record
        (`sources`, by document id; a document missing there is named from the passage's metadata)."""
        for citation in self.citations:
            citation.with_source(sources.get(citation.doc_id) or Source.of(citation))
        for hit in self.related:
            source = sources.get(str(hit.get("doc_id")))
            if source is not None:
                hit.update(author=source.author, publisher=source.publisher, url=source.url)
            hit["reference"] = related_reference(hit, source)
        return self

    @property
    def refused_by_rule(self) -> bool:
        """Abstained for a reason that no support threshold would change."""
        return self.reason in ("no-passage", "unknown-term", "country", "subject")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of an answer."""
        data: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [asdict(c) for c in self.citations],
            "related": self.related,
            "support": round(self.support, 4),
        }
        if self.reason:
            data["reason"] = self.reason
        if self.note:
            data["note"] = self.note
        if self.generated:
            data["generated"] = True
        return data


@dataclass
class Candidate:
    """A candidate sentence: where it sits (a span of a hit's passage) and its scores."""

    span: Span
    hit: Hit
    keywords: float = 0.0
    position: int = 0  # rank of its passage among those answered from (0: the best)
    bonus: float = 0.0
    score: float = 0.0
    figure: bool = False  # holds a number the question does not (for how much, how many, when)
    in_section: bool = False  # its section is of the kind the question asks for (lessons, financing...)

    @property
    def text(self) -> str:
        return self.span.text


def compose(
    question: str,
    hits: Sequence[Hit],
    embed: Embed,
    *,
    query_vector: Sequence[float] | None = None,
    threshold: float = ABSTAIN_BELOW,
    mentioned: Mentioned | None = None,
    about: frozenset[str] | None = None,
    sections: Sequence[Hit] = (),
) -> Answer:
    """Pick the best-supported sentences from `hits` and cite each; abstain when support is too weak.

    `mentioned(name)` tells whether the knowledge base mentions a name anywhere (a question about a name it
    never mentions is not answered). `about`: answer only from passages about these countries (default: the
    countries the question names). `sections`: passages of the best documents whose section is of the kind the
    question asks for (see `kb.service.KnowledgeBase.ask`), read with the others.
    """
    hits = list(hits)
    related = [h.to_dict() for h in hits[:5]]
    if not hits:
        return _abstain(question, hits, related, "no-passage", 0.0)
    unknown = unknown_terms(question, hits, mentioned)
    if unknown:
        return _abstain(question, hits, related, "unknown-term", 0.0, unknown)
    sources = asks_for_sources(question)
    pool, refusal, missing = on_topic(question, answer_pool(question, hits, sources, sections), about, mentioned)
    if refusal:
        return _abstain(question, hits, related, refusal, 0.0, missing)
    candidates = _prescored(question, pool, sources)
    if not candidates:
        return _abstain(question, hits, related, "no-passage", 0.0)
    _score(question, candidates, embed, query_vector)
    neighbours = _neighbours(question, candidates, sources)
    if neighbours:
        _score(question, neighbours, embed, query_vector)
        candidates += neighbours
    ranked = sorted(candidates, key=lambda c: c.score, reverse=True)
    support = _support(question, ranked)
    if support < threshold:
        return _abstain(question, hits, related, "support", support)
    chosen = reading_order(with_followers(select(ranked, asks_for_examples(question)), ranked))
    citations = [citation_for(n, c) for n, c in enumerate(chosen, start=1)]
    text = " ".join(f"{quoted(c.text)} [{n}]" for n, c in enumerate(chosen, start=1))
    return Answer(question, text, False, citations, related, support=support, hits=hits)


def answer_pool(question: str, hits: Sequence[Hit], sources: bool = False, sections: Sequence[Hit] = ()) -> list[Hit]:
    """The passages an answer is drawn from: the best `ANSWER_PASSAGES` that may be quoted, then further ones
    whose section is of the kind the question asks for ("Lessons", "Financing"), from the retrieved passages
    and from `sections`."""
    quotable = [h for h in hits if sources or PassageMeta.of(h.passage.meta).evidence]
    intents = question_intents(question)
    pool = quotable[:ANSWER_PASSAGES]
    seen = {h.passage.id for h in pool}
    for hit in [*quotable[ANSWER_PASSAGES:], *sections]:
        meta = PassageMeta.of(hit.passage.meta)
        if hit.passage.id not in seen and meta.evidence and section_matches(meta.section, intents):
            pool.append(hit)
            seen.add(hit.passage.id)
    return pool


def quoted(text: str) -> str:
    """A quote as the answer text shows it: a lead-in and its items on one line, bullets printed apart from
    their items left out."""
    lines = (line.strip() for line in text.split("\n"))
    return " ".join(" ".join(line.split()) for line in lines if line and any(ch.isalnum() for ch in line))


def _support(question: str, ranked: list[Candidate]) -> float:
    """The best sentence's score; for a question asking how much, how many or when, the best score among the
    sentences that hold a figure the question does not (a related sentence without one does not answer it)."""
    if asks_for_number(question):
        figures = [c.score for c in ranked if c.figure]
        return max(figures, default=0.0)
    return ranked[0].score


def _prescored(question: str, hits: list[Hit], sources: bool = False) -> list[Candidate]:
    """The `EMBED_BUDGET` candidates with the best keyword overlap and passage rank."""
    numeric = asks_for_number(question)
    intents = question_intents(question)
    candidates = []
    for position, hit in enumerate(hits):
        in_section = section_matches(PassageMeta.of(hit.passage.meta).section, intents)
        if in_section:  # the section the question asks for ranks with the best passages, wherever it was found
            position = min(position, SECTION_POSITION)
        for span in sentences(hit.passage, any_role=sources):
            cand = _candidate(question, span, hit, position, in_section, numeric, intents)
            cand.score = cand.keywords - PRE_RANK_WEIGHT * position + cand.bonus
            candidates.append(cand)
    candidates.sort(key=lambda c: c.score, reverse=True)
    kept = candidates[:EMBED_BUDGET]
    # sentences of the section the question asks for are always scored (up to SECTION_BUDGET more)
    kept += [c for c in candidates[EMBED_BUDGET:] if c.in_section][:SECTION_BUDGET]
    return kept


def _candidate(
    question: str, span: Span, hit: Hit, position: int, in_section: bool, numeric: bool, intents: frozenset[str]
) -> Candidate:
    """A sentence with its keyword overlap and bonuses: a new figure for a how-much question, the section (or
    the words) of the kind of answer the question asks for."""
    cand = Candidate(span, hit, keyword_overlap(question, span.text), position=position, in_section=in_section)
    cand.figure = numeric and new_number(question, span.text)
    cand.bonus = NUMBER_BONUS if cand.figure else 0.0
    cand.bonus += SECTION_BONUS if in_section or speaks_of(span.text, intents) else 0.0
    return cand


def _score(question: str, candidates: list[Candidate], embed: Embed, query_vector: Sequence[float] | None) -> None:
    """Cosine with the question (one batch) + keyword overlap - a small rank prior + the number bonus."""
    texts = [in_context(c.hit.passage, c.text) for c in candidates]
    if query_vector is None:
        vectors = np.asarray(embed([question] + texts), dtype=np.float32)
        query, rows = vectors[0], vectors[1:]
    else:
        query, rows = np.asarray(query_vector, dtype=np.float32), np.asarray(embed(texts), dtype=np.float32)
    for cand, sim in zip(candidates, (rows @ query).tolist(), strict=True):
        cand.score = sim + KEYWORD_WEIGHT * cand.keywords - RANK_WEIGHT * cand.position + cand.bonus


def _neighbours(question: str, candidates: list[Candidate], sources: bool) -> list[Candidate]:
    """The sentences right after the `NEIGHBOUR_OF` best-scored ones, when not scored yet: the sentence that
    carries the facts often follows the one that matches the question ("...responded with anti-crisis packages.
    They were financed by ..."), and shares none of its words for the pre-score to keep."""
    best = sorted(candidates, key=lambda c: c.score, reverse=True)[:NEIGHBOUR_OF]
    scored = {(c.hit.passage.id, c.span.start) for c in candidates}
    found: list[Candidate] = []
    numeric = asks_for_number(question)
    intents = question_intents(question)
    for cand in best:
        spans = sentences(cand.hit.passage, any_role=sources)
        following = next((s for s in spans if s.start >= cand.span.end), None)
        if following is None or (cand.hit.passage.id, following.start) in scored:
            continue
        scored.add((cand.hit.passage.id, following.start))
        found.append(_candidate(question, following, cand.hit, cand.position, cand.in_section, numeric, intents))
    return found


def select(ranked: list[Candidate], broad: bool) -> list[Candidate]:
    """The best sentence and those close to it: distinct texts, at most two per passage; spread over documents
    first when the question asks for examples or countries; up to `SECTION_QUOTES` sentences of the section
    the question asks for come first when they are within twice the margin of the best."""
    best = ranked[0].score
    limit = MAX_SENTENCES if broad else FOCUSED_SENTENCES
    close = [c for c in ranked if c.score >= best - (2 * MARGIN if broad else MARGIN)]
    # the section the question asks for ("What did it find?": Findings) answers first when it is close enough
    asked = [c for c in ranked if c.in_section and c.score >= best - 2 * MARGIN][:SECTION_QUOTES]
    close = asked + [c for c in close if c not in asked]
    chosen: list[Candidate] = []
    seen: set[str] = set()
    passes = (True, False) if broad else (False,)
    for one_per_document in passes:
        for cand in close:
            if len(chosen) >= limit:
                return chosen
            doc = str(cand.hit.passage.meta.get("doc_id"))
            if cand.text in seen or _count(chosen, cand.hit.passage.id) >= PER_PASSAGE:
                continue
            if one_per_document and any(str(c.hit.passage.meta.get("doc_id")) == doc for c in chosen):
                continue
            seen.add(cand.text)
            chosen.append(cand)
    return chosen


def with_followers(chosen: list[Candidate], ranked: list[Candidate]) -> list[Candidate]:
    """`chosen` and, after the best sentence, the sentence that follows it in its passage when that one scores
    within twice `MARGIN` of it (as close as `select` lets any sentence be for a broad question): what a reader
    would read next ("…responded with anti-crisis packages." "Both
    domestic and external funding were used…"), beyond the per-passage limit and a focused answer's length
    by one (never beyond `MAX_SENTENCES`)."""
    if not chosen or len(chosen) >= MAX_SENTENCES:
        return chosen
    best = chosen[0]
    content = best.hit.passage.content or ""
    for cand in ranked:
        after = content[best.span.end:cand.span.start]
        if (cand.hit.passage.id == best.hit.passage.id and cand.span.start >= best.span.end and not after.strip()
                and cand.score >= best.score - 2 * MARGIN and all(c.text != cand.text for c in chosen)):
            return [*chosen, cand]
    return chosen


def reading_order(chosen: list[Candidate]) -> list[Candidate]:
    """The chosen sentences with those of one passage together and in the order the passage has them (a sentence
    and the one after it read as they were written), passages in the order of their best sentence."""
    groups: dict[str, list[Candidate]] = {}
    for cand in chosen:
        groups.setdefault(cand.hit.passage.id, []).append(cand)
    return [c for group in groups.values() for c in sorted(group, key=lambda c: c.span.start)]


def _count(chosen: list[Candidate], passage_id: str) -> int:
    return sum(1 for c in chosen if c.hit.passage.id == passage_id)


def citation_for(n: int, cand: Candidate) -> Citation:
    """Citation number `n` for a candidate sentence (its page located within the passage)."""
    meta = PassageMeta.of(cand.hit.passage.meta)
    page, page_end = quote_pages(cand.hit.passage, cand.span)
    return Citation(
        n=n,
        passage_id=cand.hit.passage.id,
        doc_id=meta.doc_id,
        title=meta.title,
        path=meta.path,
        page=page,
        country=list(meta.countries),
        year=meta.year,
        doc_type=meta.doc_type,
        quote=cand.text,
        page_end=page_end,
        region=list(meta.regions),
        lang=meta.lang,
        section=list(meta.section),
        role=meta.role,
        doc_countries=list(meta.doc_countries),
        ocr=page in meta.ocr_pages if page is not None else meta.ocr,
    )


def _abstain(
    question: str, hits: list[Hit], related: list[dict[str, Any]], reason: str, support: float, terms: Sequence[str] = ()
) -> Answer:
    text = NO_ANSWER
    if reason == "unknown-term":
        text += f" It never mentions {_listing(terms)}."
    elif reason == "country":
        text += f" None of the passages found is about {_listing(terms)}."
    elif reason == "subject":
        text += f" None of the passages found comes from a document that mentions {_listing(terms)}."
    text += " The nearest passages are listed for you to judge." if related else ""
    return Answer(question, text, True, [], related, support=support, reason=reason, hits=hits)


def _listing(terms: Sequence[str]) -> str:
    quoted = [f"“{t}”" for t in terms]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
