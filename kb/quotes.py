"""What answers are made of: quotable sentences of a passage, their page, and cheap question/sentence signals."""

import re
from dataclasses import dataclass
from functools import lru_cache

from haystack import Document

from ingest.countries import count_mentions
from ingest.sentences import sentence_spans
from kb.filters import fold

MIN_WORDS = 4  # shorter sentences are rarely an answer on their own
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"\w[\w'’+-]*", re.UNICODE)
_TERMINAL = re.compile(r"[.!?;:…)\]\"'”’»]$")
_BULLET = re.compile(r"^[•\-–—*·]\s*|^\(?\d{1,2}[.)]\s+")
_POSSESSIVE = re.compile(r"(\w)['’]s\b")
_PLURAL_DEMONYM = re.compile(r"\b(\w+(?:an|ian|ean))s\b")

# Function words of English, French and Spanish, and question words: never evidence of an answer.
STOPWORDS = frozenset("""
a about after all also an and any are as at be been before being between both but by can could did do does
doing during each for from had has have how i if in into is it its it's just may more most much no not now of
on once only or other our over own same should so some such than that the their them then there these they
this those through to too under until up very was way we were what when where which while who whom why will
with would you your yet did done get got make made give given its per via versus whether within without
au aux avec ce ces cet cette comme comment dans de des du elle elles en est et été être eux il ils je la le les
leur leurs lui mais même ne ni nos notre nous on ou où par pas pour qu que quel quelle quelles quels qui sa
sans se ses si son sont sur ta te tes ton tous tout toute toutes très tu un une vos votre vous y été ont a-t-il
peut qu'il quoi dont
al ante bajo cada como con cómo contra cuál cuáles cuándo cuánto cuánta de del desde donde dónde durante el
ella ellas ellos en entre es esa ese eso esta este esto están fue fueron ha han hasta la las le les lo los más
me mi muy no nos o para pero por porque qué que quién se sea ser si sin sobre son su sus también tiene tienen
todo todos tras un una uno unos unas y ya
""".split())  # noqa: SIM905 (a word list reads best as text)
_NUMBER_QUESTION = re.compile(
    r"\b(how much|how many|what share|what percentage|what portion|what proportion|what age|which year|"
    r"what year|when|how often|what rate|combien|quel age|quelle part|quel montant|quelle annee|quand|"
    r"cuanto|cuanta|cuantos|cuantas|cuando|que porcentaje|que ano|que edad|desde que)\b"
)
# Demonyms that are also language names, which the ingestion gazetteer leaves out on purpose (in a question
# "French employers" is about France).
_IRREGULAR_DEMONYMS = {
    **dict.fromkeys(("french", "francais", "francaise", "francaises", "frances", "francesa"), "FRA"),
    **dict.fromkeys(("spanish", "espagnol", "espagnole", "espanol", "espanola", "espanoles", "espanolas"), "ESP"),
    **dict.fromkeys(("german", "allemand", "allemande", "aleman", "alemana"), "DEU"),
}
# Words that show a question wants several examples (countries, lessons) rather than one fact.
_BROAD = ("countries", "country", "examples", "example", "lessons", "experiences", "which countries", "pays",
          "exemples", "leçons", "leçon", "expériences", "países", "ejemplos", "lecciones", "experiencias", "ways")


@dataclass(frozen=True)
class Span:
    """A sentence of a passage: `text == passage.content[start:end]`."""

    text: str
    start: int
    end: int


def sentences(doc: Document) -> list[Span]:
    """The quotable sentences of a passage (headings, captions and fragments left out)."""
    content = doc.content or ""
    lang = str(doc.meta.get("lang") or "en")
    spans: list[Span] = []
    offset = 0
    for line in content.split("\n"):
        for start, end in sentence_spans(line, lang):
            bullet = _bullet_length(line[start:end])
            start += bullet
            text = line[start:end]
            words = len(_WORD.findall(text))
            is_fragment = words < MIN_WORDS or (not _TERMINAL.search(text) and words < 12)
            is_fragment |= text[:1].islower() and not bullet  # the tail of a sentence cut by a page break
            if not is_fragment:
                spans.append(Span(text, offset + start, offset + end))
        offset += len(line) + 1
    return spans


def whole(doc: Document) -> Span:
    """The whole passage as one span, surrounding whitespace excluded."""
    content = doc.content or ""
    start = len(content) - len(content.lstrip())
    return Span(content.strip(), start, start + len(content.strip()))


def _bullet_length(text: str) -> int:
    found = _BULLET.match(text)
    return found.end() if found else 0


@lru_cache(maxsize=4096)
def terms(text: str) -> frozenset[str]:
    """Content words of `text`, folded (case, accents) and cut to a six-letter stem."""
    return frozenset(w[:6] for w in _WORD.findall(fold(text)) if len(w) > 2 and w not in _FOLDED_STOPWORDS)


def keyword_overlap(question: str, sentence: str) -> float:
    """Share of the question's content words that the sentence contains."""
    wanted = terms(question)
    if not wanted:
        return 0.0
    return len(wanted & terms(sentence)) / len(wanted)


def salient_terms(question: str) -> tuple[list[str], list[str]]:
    """(names, numbers) a question mentions: capitalised words and acronyms past its first word that are not
    country names (countries are checked on their own), and numbers."""
    names: list[str] = []
    numbers: list[str] = []
    for position, match in enumerate(_TOKEN.finditer(_POSSESSIVE.sub(r"\1", question))):
        token = match.group()
        if any(ch.isdigit() for ch in token):
            numbers += [n for n in fold(token).split() if any(ch.isdigit() for ch in n)]
        elif position > 0 and token[0].isupper() and fold(token) not in _FOLDED_STOPWORDS and not named_countries(token):
            names.append(token)
    return list(dict.fromkeys(names)), list(dict.fromkeys(numbers))


def words_of(docs: list[Document]) -> frozenset[str]:
    """Folded words of passages with their titles and headings."""
    parts = [f"{d.content or ''} {d.meta.get('title') or ''} {d.meta.get('heading') or ''}" for d in docs]
    return frozenset(fold(" ".join(parts)).split())


def asks_for_number(question: str) -> bool:
    """Whether the question asks for an amount, a share, an age, a date or a frequency."""
    return bool(_NUMBER_QUESTION.search(fold(question)))


def new_number(question: str, text: str) -> bool:
    """Whether `text` holds a number that the question does not (an amount, a date: a candidate answer)."""
    return bool(_numbers(text) - _numbers(question))


def _numbers(text: str) -> set[str]:
    return {token for token in fold(text).split() if any(ch.isdigit() for ch in token)}


def in_context(doc: Document, sentence: str) -> str:
    """A sentence prefixed with its passage's title and heading, as it is embedded for scoring."""
    parts = [str(doc.meta.get(k)) for k in ("title", "heading") if doc.meta.get(k)]
    return ". ".join([*parts, sentence])


def asks_for_examples(question: str) -> bool:
    """Whether the question asks for several examples (countries, lessons, experiences)."""
    folded = f" {fold(question)} "
    return any(f" {fold(word)} " in folded for word in _BROAD)


def named_countries(question: str) -> frozenset[str]:
    """ISO codes of the countries a question names ("Kenya's", "Kenyans", "kényan", "española" included)."""
    text = _PLURAL_DEMONYM.sub(r"\1", _POSSESSIVE.sub(r"\1", question))
    irregular = {_IRREGULAR_DEMONYMS[w] for w in fold(text).split() if w in _IRREGULAR_DEMONYMS}
    return frozenset(count_mentions(text)) | frozenset(irregular)


def passage_countries(doc: Document) -> frozenset[str]:
    """Countries a passage's document is about or its text or heading names (looser than `passage_about`)."""
    meta = doc.meta
    named = count_mentions(f"{doc.content or ''}\n{meta.get('heading') or ''}")
    return frozenset(meta.get("countries") or []) | frozenset(named)


def passage_about(doc: Document) -> frozenset[str]:
    """Countries a passage is about: its document's country when the document has one, and the countries its
    text or heading names (a multi-country report's passage is about the countries it discusses)."""
    meta = doc.meta
    own = list(meta.get("countries") or [])
    named = count_mentions(f"{doc.content or ''}\n{meta.get('heading') or ''}")
    return frozenset(own if len(own) == 1 else []) | frozenset(named)


def quote_pages(doc: Document, span: Span) -> tuple[int | None, int | None]:
    """(first page, last page) of a quote: one page when it can be located, else the passage's range.

    A passage that runs onto a new page holds that page's text from the top of the page to `char_end`
    (ingest/splitter.py joins pages with one newline), so the break sits `char_end` characters before its end.
    """
    meta = doc.meta
    first, last = meta.get("page_start"), meta.get("page_end")
    if first is None or last is None or first == last:
        return first, last
    content = doc.content or ""
    char_end = meta.get("char_end")
    if not isinstance(char_end, int):
        return first, last
    cut = len(content) - char_end  # where the last page's text starts
    if not 0 < cut <= len(content) or content[cut - 1] != "\n":
        return first, last
    if span.start >= cut:
        return last, last
    if span.end < cut and last - first == 1:
        return first, first
    return first, last - 1 if span.end < cut else last


_FOLDED_STOPWORDS = frozenset(fold(w) for w in STOPWORDS) | frozenset(
    part for w in STOPWORDS for part in fold(w).split()
)
