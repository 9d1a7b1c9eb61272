"""Country gazetteer (English, French, Spanish) over ILO member States, mention counting and ILO regions."""

import gettext
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from kb.core.country_data import EXTRA_NAMES, REGION_MEMBERS
from kb.core.text import fold

MEMBER_REGION: dict[str, str] = {code: region for region, codes in REGION_MEMBERS.items() for code in codes}

_ELISION = re.compile(r"\b([lLdD]['’])(?=\w)")  # French "l'Ouzbékistan" is "l' Ouzbékistan" to the scanner
_WORD = re.compile(r"[^\W\d_]+(?:[.'’-][^\W\d_]+)*\.?", re.UNICODE)
_MAX_NAME_WORDS = 8
# Demonym endings in English, French and Spanish, tried on a country's name and on its name minus a final vowel.
_LONG_SUFFIXES = (
    "an",
    "ian",
    "ean",
    "ese",
    "ien",
    "ienne",
    "ais",
    "aise",
    "ois",
    "oise",
    "ain",
    "aine",
    "ano",
    "ana",
    "anos",
    "anas",
    "ino",
    "ina",
    "eno",
    "ena",
    "ense",
    "iense",
    "en",
    "enne",
)
_SHORT_SUFFIXES = ("i", "o", "a", "os", "as")
# Translated names that are more often first names ('Mauricio Macri') than the country (Mauritius).
_PERSON_NAMES = {("mauricio",), ("maurice",)}
# Demonyms that are also language names. A document's "en français" or "Russian-speaking" is not about France or
# Russia, so the gazetteer that scans documents never generates them; a question's "French employers" is about
# France, so questions read them (`kb.quotes.named_countries`).
LANGUAGE_DEMONYMS = {
    **dict.fromkeys(("french", "francais", "francaise", "francaises", "frances", "francesa"), "FRA"),
    **dict.fromkeys(("spanish", "espagnol", "espagnole", "espanol", "espanola", "espanoles", "espanolas"), "ESP"),
    **dict.fromkeys(("german", "allemand", "allemande", "aleman", "alemana"), "DEU"),
    **dict.fromkeys(("italian", "italien", "italienne", "italiano", "italiana"), "ITA"),
    **dict.fromkeys(("russian",), "RUS"),
}
# Dominance: a country named in the title, or named >= 3 times with >= 40% of all mentions (or >= 15 times
# with >= 20%); other countries named at least half as often as the top one come along (multi-country studies).
_TITLE_WEIGHT = 5
_MIN_MENTIONS = 3
_MIN_SHARE = 0.4
_MANY_MENTIONS = 15
_MIN_SHARE_MANY = 0.2
_RELATIVE_TO_TOP = 0.5
_CURRENCY_FOLLOWERS = ("dollar", "dolar", "dollars", "dolares")


@dataclass(frozen=True)
class Gazetteer:
    """Lookup tables from folded word sequences (and case-sensitive abbreviations) to ISO alpha-3 codes."""

    folded: dict[tuple[str, ...], str]
    exact: dict[tuple[str, ...], str]
    starts: frozenset[str]


def _words(text: str) -> tuple[str, ...]:
    """The words of a name, as the text scanner sees them."""
    return tuple(_strip_dot(m.group()) for m in _WORD.finditer(_ELISION.sub(r"\1 ", text)))


def _is_abbreviation(token: str) -> bool:
    """True for dotted abbreviations such as 'U.S.' that keep their final dot."""
    return token.count(".") >= 2


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """`Kenya` for `KEN` (common English name), or the code itself when unknown."""
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def regions_for(countries: list[str]) -> list[str]:
    """The ILO regions of `countries`, in the order of the first country of each region."""
    regions: list[str] = []
    for code in countries:
        region = MEMBER_REGION.get(code)
        if region and region not in regions:
            regions.append(region)
    return regions


def lookup_country(name: str) -> str | None:
    """The ISO alpha-3 code of a member State given as a code (alpha-2/3) or a name in en/fr/es, else None."""
    raw = name.strip()
    if raw.upper() in MEMBER_REGION:
        return raw.upper()
    if len(raw) == 2:
        found = pycountry.countries.get(alpha_2=raw.upper())
        return found.alpha_3 if found and found.alpha_3 in MEMBER_REGION else None
    gaz = gazetteer()
    return gaz.exact.get(_words(raw)) or gaz.folded.get(_words(fold(raw)))


def _uninvert(name: str) -> list[str]:
    """'Bolivia, Plurinational State of' → ['Bolivia, Plurinational State of', 'Plurinational State of Bolivia', 'Bolivia']."""
    if "," not in name:
        return [name]
    head, tail = (part.strip() for part in name.split(",", 1))
    return [name, f"{tail} {head}", head]


def _official_names(code: str) -> list[str]:
    """English names of one country from pycountry, with French and Spanish translations."""
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return []
    english = [getattr(country, attr, None) for attr in ("name", "official_name", "common_name")]
    names = [n for n in english if n]
    for lang in ("fr", "es"):
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        names += [translation.gettext(n) for n in names[: len(english)] if n]
    return [variant for n in names for variant in _uninvert(n)]


def _demonyms(name: str) -> list[tuple[str, int]]:
    """Regular demonyms of a one-word folded name, each with the length of the stem it grew from."""
    forms: list[tuple[str, int]] = []
    stems = {name}
    if name[-1] in "aeiouy":
        stems.add(name[:-1])
    if name.endswith("stan"):
        stems.update({name[:-4], name[:-5]} if name.endswith("istan") else {name[:-4]})
    for stem in (s for s in stems if len(s) >= 4):
        forms += [(stem + suffix, len(stem)) for suffix in _LONG_SUFFIXES]
        if name.endswith("stan") and stem != name and len(stem) >= 5:
            forms += [(stem, len(stem)), (stem + "s", len(stem))]
        if stem == name and len(name) >= 5 and name[-1] not in "aeiouy":
            forms.append((name + "i", len(stem)))
        if len(stem) >= 7 and name[-1] in "aoy":
            forms += [(stem + suffix, len(stem)) for suffix in _SHORT_SUFFIXES]
    return [(form, size) for form, size in forms if form != name and form not in LANGUAGE_DEMONYMS]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Build the gazetteer once: names and translations, extra names, then regular demonyms."""
    folded: dict[tuple[str, ...], str] = {}
    exact: dict[tuple[str, ...], str] = {}
    for code in MEMBER_REGION:
        for name in _official_names(code):
            folded.setdefault(_words(fold(name)), code)
    for line in EXTRA_NAMES.strip().splitlines():
        code, names = line.split(":", 1)
        for name in (n.strip() for n in names.split(",")):
            if name.isupper() or any(ch.isupper() for ch in name):
                exact[_words(name)] = code
            else:
                folded.setdefault(_words(fold(name)), code)
    generated: dict[str, tuple[str, int]] = {}
    for key, code in list(folded.items()):
        if len(key) == 1:
            for form, size in _demonyms(key[0]):
                if form not in generated or generated[form][1] < size:
                    generated[form] = (code, size)
    for form, (code, _) in generated.items():
        folded.setdefault((form,), code)
    folded = {key: code for key, code in folded.items() if key and key not in _PERSON_NAMES}
    starts = frozenset(key[0] for key in folded) | frozenset(key[0] for key in exact)
    return Gazetteer(folded=folded, exact=exact, starts=starts)


def count_mentions(text: str) -> Counter[str]:
    """How many times each member State is named in `text` (longest name wins; 'US dollars' is not the USA)."""
    gaz = gazetteer()
    original = [_strip_dot(m.group()) for m in _WORD.finditer(_ELISION.sub(r"\1 ", text))]
    folded: dict[str, str] = {}
    tokens = [folded.get(t) or folded.setdefault(t, fold(t)) for t in original]
    counts: Counter[str] = Counter()
    i = 0
    while i < len(tokens):
        code, size = _match_at(gaz, tokens, original, i)
        if code and not _is_currency(tokens, i + size):
            counts[code] += 1
        i += size or 1
    return counts


def _strip_dot(token: str) -> str:
    """A scanned word without its final dot, unless it is a dotted abbreviation."""
    return token if _is_abbreviation(token) else token.rstrip(".")


def _match_at(gaz: Gazetteer, tokens: list[str], original: list[str], i: int) -> tuple[str | None, int]:
    """The longest name starting at word `i`: (code, number of words) or (None, 0)."""
    if tokens[i] not in gaz.starts and original[i] not in gaz.starts:
        return None, 0
    for size in range(min(_MAX_NAME_WORDS, len(tokens) - i), 0, -1):
        code = gaz.exact.get(tuple(original[i : i + size])) or gaz.folded.get(tuple(tokens[i : i + size]))
        if code:
            return code, size
    return None, 0


def _is_currency(tokens: list[str], index: int) -> bool:
    """True when the word after a match is 'dollar(s)', as in 'United States dollars'."""
    return index < len(tokens) and tokens[index] in _CURRENCY_FOLLOWERS


def choose_dominant(counts: Counter[str], title_counts: Counter[str], max_countries: int = 5) -> list[str]:
    """Pick dominant countries from mention counts in the text and in the title."""
    in_title = [code for code, _ in title_counts.most_common()]
    scores = Counter(counts)
    for code in in_title:
        scores[code] += _TITLE_WEIGHT
    if not scores:
        return []
    ranked = scores.most_common()
    top = ranked[0][1]
    share = top / sum(scores.values())
    dominant = (top >= _MIN_MENTIONS and share >= _MIN_SHARE) or (
        top >= _MANY_MENTIONS and share >= _MIN_SHARE_MANY
    )
    if not dominant and not in_title:
        return []
    chosen = [code for code, score in ranked if score >= max(_MIN_MENTIONS, _RELATIVE_TO_TOP * top)]
    chosen = in_title + [code for code in chosen if code not in in_title]
    return chosen[:max_countries]
