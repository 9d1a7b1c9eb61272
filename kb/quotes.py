"""What answers are made of: quotable sentences of a passage, their page, and cheap question/sentence signals."""

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from haystack import Document

from kb.core.countries import LANGUAGE_DEMONYMS, count_mentions, lookup_country
from kb.core.sentences import sentence_spans
from kb.core.structure import bullet_length, is_list_item, line_role
from kb.core.text import fold_words

MIN_WORDS = 4  # shorter sentences are rarely an answer on their own
MAX_LIST_ITEMS = 8  # a lead-in is quoted with at most this many of its items ...
MAX_UNIT_CHARS = 900  # ... and at most this many characters in all
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"\w[\w'’+-]*", re.UNICODE)
_TERMINAL = re.compile(r"[.!?;:…][\"'”’»)\]]*$")  # "...(RGC)" without a full stop is no sentence
_ITEM_END = re.compile(r"(?:[;,]|\b(?:and|or|et|ou|y|o))$")
_SHORT_ITEM_WORDS = 20
_PAGE_NUMBER_END = re.compile(r"[^\W\d]\s+\d{1,3}$")
_SELF_REFERENCE = re.compile(
    r"^(?:this|the present|the following|cette|ce|le pr[ée]sent|la pr[ée]sente|este|esta|el presente|la presente|"
    r"(?:a|one) separate|another|a companion|un autre|une autre|otro|otra)\s+(?:country\s+|pays\s+|de pa[íi]s\s+)?"
    r"(?:study|report|paper|note|brief|chapter|section|document|publication|review|[ée]tude|rapport|note|"
    r"document|chapitre|estudio|informe|documento|cap[íi]tulo|trabajo)\s+(?:\w+\s+){0,4}?"
    r"(?:describes|explains|presents|reviews|compares|looks at|examines|summari[sz]es|outlines|discusses|analy[sz]es|"
    r"d[ée]crit|pr[ée]sente|examine|analyse|compare|describe|presenta|analiza|examina|compara|resume)\b",
    re.IGNORECASE,
)
_NAMED_NUMBER = re.compile(r"^[A-Z][^\W\d]+[-‐]\d")
_DECADE = re.compile(r"^(\d{2,4})s$")  # "the 1990s", "the over-70s": the number itself
_BARE_BULLETS = frozenset("•▪●◦‣∙·■□➢►✓-–—*")
_NOT_QUOTED = frozenset({"contents", "references", "caption", "front_matter"})
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
    r"what year|how often|what rate|combien|quel age|quelle part|quel montant|quelle annee|cuanto|cuanta|"
    r"cuantos|cuantas|que porcentaje|que proporcion|que tasa|que ano|que edad|desde que|a partir de que)\b"
    r"|^(?:when|quand|cuando)\b"  # "When did ...", not "how is it scaled up when a drought strikes"
)
_ORDINALS = frozenset(["second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "deuxieme", "troisieme", "quatrieme", "cinquieme", "sixieme", "segunda", "segundo", "tercera", "tercer", "tercero", "cuarta", "cuarto", "quinta", "quinto", "sexta", "sexto"])  # "first" and "primer" are too often not a count ("first of all", "en primer lugar")
# Acronyms of three to six capitals (a plural "s" allowed), and the words a name written out may carry between its
# capitalised words ("Banco de Previsión Social", "Ministry of Labour and Social Protection").
_ACRONYM = re.compile(r"[A-ZÁÉÍÓÚÑ]{3,6}s?")
_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_CONNECTORS = frozenset(["de", "del", "la", "las", "los", "y", "e", "of", "the", "and", "for", "on", "in", "des", "du", "et", "pour", "al", "d"])
# Words that show a question wants several examples (countries, lessons) rather than one fact.
_BROAD = ("countries", "country", "examples", "example", "lessons", "experiences", "which countries", "pays",
          "exemples", "leçons", "leçon", "expériences", "países", "ejemplos", "lecciones", "experiencias", "ways")


@dataclass(frozen=True)
class Span:
    """A sentence of a passage: `text == passage.content[start:end]`."""

    text: str
    start: int
    end: int


def sentences(doc: Document, *, any_role: bool = False) -> list[Span]:
    """The quotable units of a passage: its sentences, and a lead-in ending with ':' together with the list
    items after it. Headings, captions, source and contents lines, bibliography entries, bare bullets and
    fragments are left out, and so is a lead-in whose items are not in the passage (`any_role`: references and
    contents lines are quotable too, for a question that asks for sources)."""
    content = doc.content or ""
    lang = str(doc.meta.get("lang") or "en")
    lines = _lines(content)
    spans: list[Span] = []
    covered = -1  # index of the last line already quoted as an item of a lead-in unit
    for index, (offset, line) in enumerate(lines):
        if index <= covered or _skipped(line, any_role):
            continue
        for start, end in sentence_spans(line, lang):
            start += bullet_length(line[start:end])
            text = line[start:end]
            if text.rstrip().endswith(":") and end >= len(line.rstrip()):
                last = _list_end(lines, index, any_role)
                if last is not None:
                    spans.append(Span(content[offset + start : last], offset + start, last))
                    covered = max(covered, _line_of(lines, last))
                continue  # a lead-in without its items says nothing
            if _skipped(text, any_role) or _unreadable(text):  # a footnote or a source run together with text
                continue
            if not _fragment(text, bool(bullet_length(line[: start + 1])) or is_list_item(line)):
                spans.append(Span(text, offset + start, offset + end))
    return spans


def _lines(content: str) -> list[tuple[int, str]]:
    """(offset, text) of each line of a passage."""
    out, offset = [], 0
    for line in content.split("\n"):
        out.append((offset, line))
        offset += len(line) + 1
    return out


def _skipped(line: str, any_role: bool) -> bool:
    """Lines never quoted: captions and source lines, contents and reference lines (unless asked for), front
    matter, bare bullets, and headings set in capitals."""
    stripped = line.strip()
    if not stripped or not any(ch.isalnum() for ch in stripped):
        return True
    role = line_role(stripped)
    if role in _NOT_QUOTED and not (any_role and role in ("references", "contents")):
        return True
    if _SELF_REFERENCE.match(stripped):
        return True  # "This study describes ...": about the document, not an answer
    if _latin_share(stripped) < 0.5:
        return True  # another script than the Latin one of English, French and Spanish answers
    letters = [ch for ch in stripped if ch.isalpha()]
    if len(stripped.split()) >= 3 and sum(ch.isupper() for ch in letters) > 0.8 * len(letters):
        return True
    return _title_case(stripped)


def _unreadable(sentence: str) -> bool:
    """A sentence with undecodable characters, or partly in another script than the Latin one of en/fr/es
    answers (a line of a bilingual page run into the English text)."""
    return "\ufffd" in sentence or _latin_share(sentence) < 0.9


def _latin_share(text: str) -> float:
    """The share of a text's letters in the Latin script (1 for a text without letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch <= "\u024f" for ch in letters) / len(letters) if letters else 1.0


def _title_case(text: str) -> bool:
    """A title or heading printed as text: unpunctuated, and most of its longer words capitalised."""
    if _TERMINAL.search(text):
        return False
    words = [w for w in _WORD.findall(text) if len(w) > 3 and not w.isdigit()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _fragment(text: str, bullet: bool) -> bool:
    """Too short, unpunctuated (unless a list item), or the tail of a sentence cut by a page break."""
    words = len(_WORD.findall(text))
    if words < MIN_WORDS or (not _TERMINAL.search(text) and not bullet):  # unpunctuated: a title, a caption
        return True
    if bullet and not _TERMINAL.search(text) and _PAGE_NUMBER_END.search(text):  # "• Causas habilitantes 9"
        return True
    return text[:1].islower() and not bullet


def _list_end(lines: list[tuple[int, str]], lead: int, any_role: bool) -> int | None:
    """Where the list after a lead-in line ends (a character offset in the passage), or None when no item
    follows it in the passage. Items: bulleted lines, or lines that continue a list (start in lower case, end
    with ';', ',' or 'and', or are short and unpunctuated); the list stops at anything else, at `MAX_LIST_ITEMS`
    or at `MAX_UNIT_CHARS`."""
    begin = lines[lead][0]
    end: int | None = None
    items = 0
    for offset, line in lines[lead + 1 :]:
        stripped = line.strip()
        if not stripped or stripped in _BARE_BULLETS:
            continue  # blank lines, and bullets printed apart from their items
        bulleted = is_list_item(stripped)
        short = not _TERMINAL.search(stripped) and len(stripped.split()) <= _SHORT_ITEM_WORDS
        if _skipped(line, any_role) or not (bulleted or short or stripped[:1].islower() or _ITEM_END.search(stripped)):
            break
        stop = offset + len(line.rstrip())
        if stop - begin > MAX_UNIT_CHARS or items >= MAX_LIST_ITEMS:
            break
        end, items = stop, items + 1
        if not bulleted and not _ITEM_END.search(stripped):
            break  # an unbulleted list ends with its first item that does not lead on
    return end


def _line_of(lines: list[tuple[int, str]], position: int) -> int:
    """The index of the line holding character `position`."""
    index = 0
    for i, (offset, _) in enumerate(lines):
        if offset <= position:
            index = i
    return index


def whole(doc: Document) -> Span:
    """The whole passage as one span, surrounding whitespace excluded."""
    content = doc.content or ""
    start = len(content) - len(content.lstrip())
    return Span(content.strip(), start, start + len(content.strip()))


@lru_cache(maxsize=4096)
def terms(text: str) -> frozenset[str]:
    """Content words of `text`, folded (case, accents) and cut to a six-letter stem."""
    return frozenset(w[:6] for w in _WORD.findall(fold_words(text)) if len(w) > 2 and w not in _FOLDED_STOPWORDS)


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
    tokens = [m.group() for m in _TOKEN.finditer(_POSSESSIVE.sub(r"\1", question))]
    for position, token in enumerate(tokens):
        if any(ch.isdigit() for ch in token) and _NAMED_NUMBER.match(token):
            continue  # "COVID-19", "SDG-5": part of a name, not a figure
        if any(ch.isdigit() for ch in token):
            numbers += [_DECADE.sub(r"\1", n) for n in fold_words(token).split() if any(ch.isdigit() for ch in n)]
        elif position > 0 and token[0].isupper() and fold_words(token) not in _FOLDED_STOPWORDS and not _in_country(tokens, position):
            names.append(token)
    return list(dict.fromkeys(names)), list(dict.fromkeys(numbers))


def spells_out(acronym: str, texts: Iterable[str]) -> bool:
    """Whether an acronym of the question ("BPS", "AFAPs") is written out in `texts`: a name whose capitalised
    words' initials spell it ("Banco de Previsión Social"), with connectors such as "de" or "of" between them.
    Documents often give an institution's name in full where a question uses its initials."""
    if not _ACRONYM.fullmatch(acronym):
        return False
    letters = acronym.removesuffix("s")
    return any(_spelled_at(letters, words, start) for text in texts
               for words in [_name_words(text)] for start in range(len(words)))


def _name_words(text: str) -> list[tuple[str, bool]]:
    """The words of `text`, each with whether only spaces part it from the word before (a name's words are)."""
    words: list[tuple[str, bool]] = []
    end = 0
    for match in _NAME_WORD.finditer(text):
        words.append((match.group(), not text[end:match.start()].strip()))
        end = match.end()
    return words


def _spelled_at(letters: str, words: list[tuple[str, bool]], start: int) -> bool:
    """Whether the words from `start` on are one capitalised name with the initials `letters`."""
    done, at = 0, start
    while done < len(letters) and at < len(words):
        word, joined = words[at]
        if at > start and not joined:
            break
        if word[0].isupper() and word[0] == letters[done]:
            done, at = done + 1, at + 1
        elif at > start and word.lower() in _CONNECTORS:
            at += 1
        else:
            break
    return done == len(letters)


def _in_country(tokens: list[str], position: int) -> bool:
    """Whether the token at `position` is part of a country's name ("South" in "South Korea")."""
    for size in (1, 2, 3):
        for first in range(max(0, position - size + 1), position + 1):
            if first + size <= len(tokens) and lookup_country(" ".join(tokens[first : first + size])):
                return True
    return False


def named_phrases(question: str) -> list[str]:
    """Names of several capitalised words past a question's first word ("Child Money Programme"): a programme or
    institution is named by the whole phrase, each of whose words the knowledge base may hold elsewhere."""
    phrases: list[str] = []
    run: list[str] = []
    tokens = [m.group() for m in _TOKEN.finditer(_POSSESSIVE.sub(r"\1", question))]
    for position, token in enumerate(tokens):
        named = position > 0 and token[0].isupper() and not any(ch.isdigit() for ch in token)
        # an acronym is checked as a name of its own: "Ehsaas COVID emergency cash" names the Ehsaas programme,
        # which a document calls "Ehsaas Emergency Cash", not an "Ehsaas COVID"
        named = named and not (len(token) > 1 and token.isupper())
        if named and fold_words(token) not in _FOLDED_STOPWORDS and not _in_country(tokens, position):
            run.append(token)
            continue
        if len(run) >= 2:
            phrases.append(" ".join(run))
        run = []
    if len(run) >= 2:
        phrases.append(" ".join(run))
    return list(dict.fromkeys(phrases))


def ordinal_phrases(question: str) -> list[str]:
    """An ordinal and the word after it ("third phase", "segunda etapa"): a count, checked like a number."""
    tokens = _WORD.findall(fold_words(question))
    return [f"{a} {b}" for a, b in itertools.pairwise(tokens) if a in _ORDINALS and b not in _FOLDED_STOPWORDS]


def holds_phrase(docs: list[Document], phrase: str) -> bool:
    """Whether any passage (with its title and heading) holds `phrase`, case, accents and punctuation aside."""
    wanted = f" {fold_words(phrase)} "
    for doc in docs:
        text = " ".join([doc.content or "", str(doc.meta.get("title") or ""), str(doc.meta.get("heading") or "")])
        if wanted in f" {fold_words(text)} ":
            return True
    return False


def words_of(docs: list[Document]) -> frozenset[str]:
    """Folded words of passages with their titles and headings."""
    parts = [f"{d.content or ''} {d.meta.get('title') or ''} {d.meta.get('heading') or ''}" for d in docs]
    return frozenset(fold_words(" ".join(parts)).split())


def asks_for_number(question: str) -> bool:
    """Whether the question asks for an amount, a share, an age, a date or a frequency."""
    return bool(_NUMBER_QUESTION.search(fold_words(question)))


def new_number(question: str, text: str) -> bool:
    """Whether `text` holds a number that the question does not (an amount, a date: a candidate answer)."""
    return bool(_numbers(text) - _numbers(question))


def _numbers(text: str) -> set[str]:
    return {token for token in fold_words(text).split() if any(ch.isdigit() for ch in token)}


def in_context(doc: Document, sentence: str) -> str:
    """A sentence prefixed with its passage's title and heading, as it is embedded for scoring."""
    parts = [str(doc.meta.get(k)) for k in ("title", "heading") if doc.meta.get(k)]
    return ". ".join([*parts, sentence])


def asks_for_examples(question: str) -> bool:
    """Whether the question asks for several examples (countries, lessons, experiences)."""
    folded = f" {fold_words(question)} "
    return any(f" {fold_words(word)} " in folded for word in _BROAD)


def named_countries(question: str) -> frozenset[str]:
    """ISO codes of the countries a question names ("Kenya's", "Kenyans", "kényan", "española" included)."""
    text = _PLURAL_DEMONYM.sub(r"\1", _POSSESSIVE.sub(r"\1", question))
    irregular = {LANGUAGE_DEMONYMS[w] for w in fold_words(text).split() if w in LANGUAGE_DEMONYMS}
    return frozenset(count_mentions(text)) | frozenset(irregular)


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


_FOLDED_STOPWORDS = frozenset(fold_words(w) for w in STOPWORDS) | frozenset(
    part for w in STOPWORDS for part in fold_words(w).split()
)
