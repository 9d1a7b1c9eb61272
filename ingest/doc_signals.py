"""Heuristics for document type, year and title, read from a document's text and properties."""

import re
from datetime import date
from pathlib import PurePath

_YEAR = r"((?:19[5-9]|20[0-4])\d)"
_LEGAL_TITLE = re.compile(
    r"^\s*(?:ley|decreto(?:-ley)?|resoluci[oó]n|reglamento|c[oó]digo|law|act|decree|regulations?|loi|d[ée]cret|"
    r"ordonnance|arr[êe]t[ée]|r[èe]glement|code)\b",
    re.IGNORECASE,
)
_ARTICLE_HEADING = re.compile(
    r"^\s*(?:art[íi]culo|article|art\.)\s+(?:\d+|premier|primero|1er|unique|[úu]nico)\b",
    re.IGNORECASE | re.MULTILINE,
)
_COUNTRY_STUDY = re.compile(
    r"\b(?:country (?:case )?stud(?:y|ies)|country report|country profile|[ée]tude de pays|estudio de pa[íi]s|"
    r"estudio de caso|case study)\b",
    re.IGNORECASE,
)
_PUBLICATION_YEAR = re.compile(
    r"(?:©|\(c\)|copyright|promulgaci[oó]n|publicaci[oó]n|published|publi[ée] en|publicado en|first published)"
    r"[^\n\d]{0,40}(?:\d{1,2}[/.-]\d{1,2}[/.-])?" + _YEAR,
    re.IGNORECASE,
)
_ANY_YEAR = re.compile(r"(?<![\d.,/])" + _YEAR + r"(?!\d)(?![.,]\d)")
_JUNK_TITLE = re.compile(
    r"^(?:untitled|document\d*|world bank document|microsoft (?:word|powerpoint) - .*|.*\.(?:docx?|pdf|indd|pptx?))$",
    re.IGNORECASE,
)
# Author properties that name an account, not who wrote the document: software defaults, and one given name
# ("Sarina" on a UNICEF report); an organisation's acronym (ILO, UNDP) is one word too, in capitals.
_JUNK_AUTHOR = re.compile(
    r"^(?:.*(?:\b|_)(?:user|owner|admin(?:istrator)?)|author|unknown|default|guest|.*\d{3,}.*)$", re.IGNORECASE
)
_ACCOUNT = re.compile(r"^(?:[A-Z][a-z]+|[a-z0-9._-]+)$")  # "Sarina", "jdoe"
_MIN_ARTICLES = 5
_PROMOTIONAL_MAX_WORDS = 3000
_COUNTRY_STUDY_SHARE = 0.7
_COUNTRY_STUDY_MENTIONS = 20
_FIRST_PAGES_CHARS = 6000


def detect_doc_type(
    text: str, title: str, source_format: str, country_share: float, country_mentions: int
) -> str:
    """report, country_study, promotional, legal or other, from cues in the title and text."""
    words = len(text.split())
    if words < 50:
        return "other"
    articles = len(_ARTICLE_HEADING.findall(text))
    if _LEGAL_TITLE.match(title) or (articles >= _MIN_ARTICLES and articles * 2000 >= words):
        return "legal"
    if source_format == "html" and words < _PROMOTIONAL_MAX_WORDS:
        return "promotional"
    if _COUNTRY_STUDY.search(title) or _COUNTRY_STUDY.search(text[:_FIRST_PAGES_CHARS]):
        return "country_study"
    if country_share >= _COUNTRY_STUDY_SHARE and country_mentions >= _COUNTRY_STUDY_MENTIONS:
        return "country_study"
    return "report"


def detect_year(text: str, title: str, property_date: str | None = None) -> int | None:
    """The publication year: from a date property, the title, a ©/publication line, else the latest year on the
    first pages (reports cite older years, rarely later ones)."""
    latest = date.today().year + 1
    for source in (property_date or "", title):
        found = [int(y) for y in _ANY_YEAR.findall(source) if int(y) <= latest]
        if found:
            return found[0]
    head = text[:_FIRST_PAGES_CHARS]
    published = [int(y) for y in _PUBLICATION_YEAR.findall(head) if int(y) <= latest]
    if published:
        return max(published)
    years = [int(y) for y in _ANY_YEAR.findall(head) if int(y) <= latest]
    return max(years) if years else None


def clean_title(candidate: str | None) -> str | None:
    """A usable title from a property value, or None for empty or placeholder titles ('Microsoft Word - x.docx')."""
    if not candidate:
        return None
    title = " ".join(str(candidate).split()).strip(" -|")
    if len(title) < 4 or _JUNK_TITLE.match(title):
        return None
    return title[:300]


def clean_author(candidate: str | None) -> str | None:
    """An author property worth naming in a reference, or None for an account name or a software default."""
    author = " ".join(str(candidate or "").split()).strip(" ;,")
    if len(author) < 2 or _JUNK_AUTHOR.match(author) or _ACCOUNT.match(author):
        return None
    return author


def title_from_text(text: str) -> str | None:
    """The first heading, else the first short line that looks like a title."""
    for line in text.split("\n")[:40]:
        stripped = line.strip().lstrip("#").strip()
        if line.lstrip().startswith("#") and len(stripped) >= 4:
            return stripped[:300]
    for line in text.split("\n")[:15]:
        stripped = " ".join(line.split())
        letters = sum(ch.isalpha() for ch in stripped)
        if 12 <= len(stripped) <= 200 and letters > 0.6 * len(stripped) and not stripped.endswith((",", ";")):
            return stripped
    return None


def title_from_path(rel_path: str) -> str:
    """A readable title made from a file name: 'Ley_16713_1995' → 'Ley 16713 1995'."""
    stem = PurePath(rel_path).stem
    return " ".join(re.split(r"[_\s]+", stem.replace("-", " "))).strip() or stem
