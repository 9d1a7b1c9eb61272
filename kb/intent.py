"""What kind of section a question asks for (lessons, financing, eligibility, results, benefits), and whether a
passage's section is of that kind; and whether a question asks for sources rather than facts (en/fr/es)."""

import re
from collections.abc import Sequence
from functools import lru_cache

from kb.core.text import fold_words

# intent: (cues in a question, cues in a section heading); word starts, folded (no accents, lower case)
INTENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "lessons": (
        ("lesson", "learn", "takeaway", "what worked", "what went wrong", "went wrong", "pitfall", "problem",
         "challenge", "difficult", "weakness", "limitation", "shortcoming", "lecon", "enseignement", "difficulte",
         "probleme", "leccion", "aprend", "que salio mal", "problema", "dificultad", "desafio"),
        ("lesson", "learn", "conclusion", "finding", "recommendation", "key message", "takeaway", "way forward",
         "lecon", "enseignement", "recommandation", "leccion", "aprend", "conclusion", "hallazgo", "recomendacion",
         "desafio", "challenge", "difficult"),
    ),
    "financing": (
        ("financ", "fund", "paid for", "pay for", "who pays", "cost", "budget", "afford", "revenue", "contribution",
         "premium", "tax", "subsid", "cout", "cotis", "costo", "presupuesto", "aporte", "cotiz", "recursos"),
        ("financ", "funding", "cost", "budget", "fiscal", "revenue", "contribution", "resources", "cout", "budget",
         "cotis", "costo", "presupuesto", "recursos", "aporte"),
    ),
    "eligibility": (
        ("eligib", "who can", "who is covered", "who are covered", "who qualifies", "qualify", "entitled",
         "requirement", "condition", "criteria", "criterion", "who receives", "who gets", "qui peut", "critere",
         "condition", "ayant droit", "requisito", "quien puede", "quienes pueden", "condicion", "criterio"),
        ("eligib", "coverage", "who is covered", "who can", "entitlement", "condition", "requirement", "criteria",
         "beneficiar", "qualifying", "target", "scope", "couverture", "condition", "critere", "beneficiaire",
         "requisito", "cobertura", "condicion", "criterio", "beneficiario", "quien puede"),
    ),
    "results": (
        ("result", "impact", "effect", "outcome", "evaluat", "achiev", "evidence", "did it work", "what happened",
         "success", "find", "found", "resultat", "impact", "effet", "evaluation", "resultado", "impacto", "efecto", "evaluacion",
         "logro"),
        ("result", "impact", "effect", "outcome", "evaluation", "finding", "achievement", "evidence", "progress",
         "resultat", "impact", "effet", "evaluation", "resultado", "impacto", "efecto", "evaluacion", "logro",
         "avance"),
    ),
    "benefits": (
        ("how much", "amount", "benefit level", "replacement rate", "pays per", "paid per", "montant",
         "combien", "monto", "cuantia", "cuanto"),
        ("benefit", "amount", "level", "payment", "prestation", "montant", "allocation", "prestacion", "cuantia",
         "monto", "beneficio"),
    ),
}
# Questions that ask for sources, so that reference lists may answer them.
_SOURCE_QUESTION = re.compile(
    r"\b(?:sources?|references?|bibliograph\w*|cited|citations?|who wrote|authors?|acknowledg\w*|further reading|"
    r"fuentes?|referencias?|bibliografia|autor(?:es|a)?|references|auteurs?|remerciements|agradecimientos)\b"
)


@lru_cache(maxsize=1024)
def question_intents(question: str) -> frozenset[str]:
    """The kinds of section a question asks for."""
    text = f" {fold_words(question)} "
    return frozenset(name for name, (cues, _) in INTENTS.items() if any(f" {cue}" in text for cue in cues))


def speaks_of(sentence: str, intents: frozenset[str]) -> bool:
    """Whether a sentence uses the words of the kind of answer the question asks for ("funding" for "where did
    the money come from?"): it is about that, not only about the question's subject."""
    if not intents:
        return False
    text = f" {fold_words(sentence)} "
    return any(f" {cue}" in text for name in intents for cue in INTENTS[name][0])


def section_matches(section: Sequence[str], intents: frozenset[str]) -> bool:
    """Whether any heading of a passage's section path is of a kind the question asks for."""
    if not intents or not section:
        return False
    text = f" {fold_words(' '.join(section))} "
    return any(f" {cue}" in text for name in intents for cue in INTENTS[name][1])


def asks_for_sources(question: str) -> bool:
    """Whether a question asks for sources, references or authors (then reference lists may answer it)."""
    return bool(_SOURCE_QUESTION.search(fold_words(question)))
