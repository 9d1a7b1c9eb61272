"""What a question is about, and whether the knowledge base and the passages found speak of it: the rules by
which an answer is refused before any sentence is scored (names never mentioned, numbers and ordinals no
passage holds, a country no passage is about, a name the passages' documents never mention)."""

from collections.abc import Callable

from kb.core.models import PassageMeta
from kb.core.text import fold_words
from kb.quotes import (
    holds_phrase,
    named_countries,
    named_phrases,
    ordinal_phrases,
    salient_terms,
    spells_out,
    words_of,
)
from kb.search import Hit

Mentioned = Callable[..., bool]  # (name) -> held anywhere in the knowledge base; (name, doc_id) -> in that document
# Words of region and world-part names ("Latin American", "sub-Saharan", "Asia-Pacific", "Gulf"): a question's way of
# naming where, which a document says with its countries, not a subject its documents must name.
_GEOGRAPHY = frozenset("""
latin america american americas african africa asian asia european europe arab arabic caribbean pacific nordic
scandinavian western eastern northern southern central sub saharan middle east west north south global oecd
world amerique latine afrique asie europe pacifique america latina latinoamericana latinoamericano africano
africana asiatico asiatica europeo europea gulf golfe golfo sahel maghreb balkan balkans baltic andean andino
andina mediterranean mediterranee mediterraneo iberian
""".split())  # noqa: SIM905 (a word list reads best as text)


def _geography(name: str) -> bool:
    """Whether a name is a region's or a world part's ("Gulf", "Asia-Pacific"): documents name its countries."""
    return set(fold_words(name).split()) <= _GEOGRAPHY  # fold_words: "Asia-Pacific" -> "asia pacific"


def unknown_terms(question: str, hits: list[Hit], mentioned: Mentioned | None) -> list[str]:
    """Names in the question that the knowledge base never mentions, numbers no retrieved passage holds, and
    ordinals ("a third phase") and names of several words ("Child Money Programme") that no retrieved passage
    holds whole. An acronym that a retrieved passage writes out ("Banco de Previsión Social" for "BPS") is known."""
    names, numbers = salient_terms(question)
    passages = [h.passage for h in hits]
    words = words_of(passages)
    missing = [n for n in numbers if n not in words]
    missing += [p for p in ordinal_phrases(question) if not holds_phrase(passages, p)]
    if mentioned is not None:
        texts = [p.content or "" for p in passages]
        missing += [n for n in names if not _geography(n) and not mentioned(n) and not spells_out(n, texts)]
    if not missing:
        missing = [p for p in named_phrases(question) if not holds_phrase(passages, p)]
    return missing


def on_subject(question: str, pool: list[Hit], mentioned: Mentioned) -> tuple[list[Hit], list[str]]:
    """The passages of documents that mention every name of the question, and the names that kept others out.

    A question about "the pilot in Syrdarya" is not answered from a report that never names Syrdarya, however
    close its figures are: they are about something else (a near miss the support threshold cannot tell).
    """
    names = [n for n in salient_terms(question)[0] if not _geography(n)]
    if not names:
        return pool, []
    held: dict[tuple[str, str], bool] = {}
    kept: list[Hit] = []
    absent: list[str] = []
    texts: dict[str, list[str]] = {}  # the pool's passages by document: where an acronym may be written out
    for hit in pool:
        texts.setdefault(str(hit.passage.meta.get("doc_id")), []).append(hit.passage.content or "")
    for hit in pool:
        doc = str(hit.passage.meta.get("doc_id"))
        for name in names:
            if (name, doc) not in held:  # one keyword search per name and document, however many passages
                held[name, doc] = mentioned(name, doc) or spells_out(name, texts[doc])
        missing = [n for n in names if not held[n, doc]]
        if missing:
            absent += [n for n in missing if n not in absent]
        else:
            kept.append(hit)
    return kept, absent


def concerns(meta: PassageMeta, countries: frozenset[str], *, strict: bool) -> bool:
    """Whether a passage is about one of `countries`. Not `strict` (a question naming countries), a general
    paragraph of a document about them counts too ("employers in all three countries ..." in a report on the
    three); `strict` (a comparison row), only the passage's own countries do."""
    if countries & set(meta.countries):
        return True
    return not strict and not meta.countries and bool(countries & set(meta.doc_countries))


def on_topic(
    question: str, pool: list[Hit], about: frozenset[str] | None, mentioned: Mentioned | None
) -> tuple[list[Hit], str | None, list[str]]:
    """The passages about the question's countries (or `about`'s) from documents that mention its names; when none
    is left, also the reason to abstain ("country", "subject") and what was missing."""
    countries = about if about is not None else named_countries(question)
    if countries:
        pool = [h for h in pool if concerns(PassageMeta.of(h.passage.meta), countries, strict=about is not None)]
        if not pool:
            return [], "country", sorted(countries)
        if about is not None:  # a comparison row: passages about its country alone before shared ones
            pool.sort(key=lambda h: set(PassageMeta.of(h.passage.meta).countries) != set(about))
    if mentioned is not None and about is None:  # a comparison's question may name one group's examples
        pool, absent = on_subject(question, pool, mentioned)
        if not pool:
            return [], "subject", list(absent)
    return pool, None, []
