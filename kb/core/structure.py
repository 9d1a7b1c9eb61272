"""What a line of a document is (running text, a list item, a table row, a caption, a reference, a contents
line, front matter) and which roles a section heading gives everything under it (en/fr/es).

Used at ingestion (each passage records a role, `kb.core.models.ROLES`) and at answer time (a caption or a
bibliography entry inside a body passage is never quoted). The rules were checked line by line on the
documents of `../shared/realcorpus` and `corpus/` (ingest/NOTES.md, "Document structure").
"""

import itertools
import re
from collections.abc import Sequence
from functools import lru_cache

from kb.core.text import fold_words

# Section headings that make everything under them references, contents or front matter.
_SECTION_ROLES = {
    "references": (
        "references", "reference list", "bibliography", "selected bibliography", "sources", "sources and notes",
        "notes", "endnotes", "footnotes", "works cited", "literature", "further reading", "see also",
        "related links", "useful links", "publications", "related publications", "referencias",
        "referencias bibliograficas", "bibliografia", "fuentes", "notas", "references bibliographiques",
        "bibliographie", "notes de fin", "ouvrages cites",
    ),
    "contents": (
        "contents", "table of contents", "list of figures", "list of tables", "list of boxes",
        "list of figures and tables", "figures", "tables", "indice", "indice de contenidos", "contenido",
        "contenidos", "sumario", "indice de graficos", "indice de cuadros", "table des matieres", "sommaire",
        "liste des figures", "liste des tableaux",
    ),
    "front_matter": (
        "acknowledgements", "acknowledgments", "acknowledgement", "acknowledgment", "abbreviations",
        "list of abbreviations", "acronyms", "abbreviations and acronyms", "acronyms and abbreviations",
        "explanatory notes", "about the authors", "about this report", "authors", "imprint", "copyright",
        "disclaimer", "credits", "agradecimientos", "siglas", "siglas y acronimos", "acronimos", "abreviaturas",
        "remerciements", "sigles", "sigles et abreviations", "abreviations", "liste des abreviations",
        "contact", "contacts", "contact us", "follow us", "subscribe", "newsletter", "experts", "ilo experts",
        "contacto", "contactenos", "nous contacter",
    ),
}
_HEADING_NUMBER = re.compile(r"^(?:(?:chapter|chapitre|cap[ií]tulo|annex|annexe|anexo)\s+)?[\divxlc]+(?:[.:]\d+)*[.:)]?\s+",
                             re.IGNORECASE)

# Contents: dot leaders, or several "title ... page" entries run together on one line.
_LEADER = re.compile(r"(?:\.\s?){5,}|…{2,}|(?:\s\.){4,}")
_TOC_ENTRY = re.compile(r"[A-Za-zÀ-ÿ)]\s+(\d{1,3})\s+(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?[A-ZÀ-Ý][a-zà-ÿ]")
_TOC_ENTRIES = 3
# References: "Surname, A. (2019)", "ILO (2017).", "World Bank. 2020.", lines that are mostly a URL, footnotes.
_AUTHOR_YEAR = re.compile(
    r"^(?:[A-ZÀ-Ý][\w'’.-]*(?:,? (?:[A-ZÀ-Ý][\w'’.-]*|and|y|et|&|de|van|von|del|la|le|du|des|da|do|dos)){0,10}"
    r"(?:,? (?:[A-Z]\.\s?)+)?(?:,? et al\.?)?|[A-Z]{2,}(?:[ /-][A-Z]{2,})*)"
    r"(?:,? \((?:19|20)\d\d[a-z]?(?:, [^)]{1,30})?\)|\.? (?:19|20)\d\d[a-z]?\.)"
)
_NARRATIVE = re.compile(r"\s+(?:et al\.?\s+)?[a-zà-ÿ]+\s+[a-zà-ÿ]")  # "(2020) report that": a verb after the year
_YEAR_FIRST = re.compile(r"^(?:(?:_{3,}|—{2,}|-{3,})\.?\s*)?\((?:(?:19|20)\d\d[a-z]?|n\.d\.)\)[.,]")
_SURNAME_INITIALS = re.compile(r"^[A-ZÀ-Ý][\w'’-]+, (?:[A-Z]\.\s?){1,3}(?:,|and|&| y | et )")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_FOOTNOTE = re.compile(r"^\d{1,3}\s?[A-ZÀ-Ý\"“]")
_REFERENCE_CUES = re.compile(
    r"\b(?:(?:19|20)\d\d[a-z]?\)?[.,]|available (?:at|from)|retrieved|accessed|disponible en|consultado|ibid|"
    r"op\. cit|vol\.|pp?\. \d|no\. \d)", re.IGNORECASE)
# Captions and source lines of figures and tables.
_CAPTION = re.compile(
    r"^(?:figure|fig\.|table|box|chart|graph|map|exhibit|infographic|gr[áa]fico|cuadro|tabla|figura|recuadro|mapa|"
    r"ilustraci[óo]n|tableau|graphique|encadr[ée]|carte)\s*(?:\d+|[ivxlc]+\b|[a-z]\b)(?:[.:\-–]\d+)*"
    r"(?:\s*[.:\-–—]\s|\s*$)",  # "Figure 2-2: Coverage", "Gráfico 5"; not "Figure 3 shows that ..."
    re.IGNORECASE,
)
# "Table 3 Coverage by region": a short unpunctuated line after a figure or table label is a caption too
_CAPTION_LABEL = re.compile(
    r"^(?:figure|fig\.|table|box|chart|graph|map|gr[áa]fico|cuadro|tabla|figura|recuadro|tableau|graphique|"
    r"encadr[ée])\s*\d+(?:[.\-–]\d+)*\s+\S",
    re.IGNORECASE,
)
_CAPTION_WORDS = 20
_SOURCE_LINE = re.compile(r"^(?:sources?|fuentes?|source des donn[ée]es|data sources?)\s*:", re.IGNORECASE)
_NOTE_LINE = re.compile(r"^(?:note|notes|nota|notas|photo|photos|photograph|foto|fotos|cr[ée]dits? photo|image)\s*:",
                        re.IGNORECASE)
# Front matter printed on covers and imprint pages.
_IMPRINT = re.compile(
    r"©|\(c\) ?(?:19|20)\d\d|\ball rights reserved\b|\btodos los derechos reservados\b|\btous droits r[ée]serv[ée]s\b|"
    r"\bisbn\b|\bissn\b|\bsuggested citation\b|\bcitaci[óo]n sugerida\b|\bcitation sugg[ée]r[ée]e\b|"
    r"\bcover (?:photo|image|design)\b|\bphoto credits?\b|\bdesign and layout\b|\bprinted in\b|"
    r"\bthe views expressed\b|\blas opiniones expresadas\b|\bles opinions exprim[ée]es\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[•▪●◦‣∙·■□➢►✓]\s*|[-–—*]\s+|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]\s+)")
_ITEM_NUMBER = re.compile(r"^\[?\d{1,3}[.)\]]\s+")
_TABLE_ROW = re.compile(r"\S\s\|\s\S")


@lru_cache(maxsize=8192)
def heading_role(heading: str) -> str | None:
    """The role a heading gives its section ("References" → references), or None for an ordinary heading."""
    name = fold_words(_HEADING_NUMBER.sub("", heading.strip()))
    for role, names in _SECTION_ROLES.items():
        if name in names:
            return role
    return None


def section_role(path: Sequence[str]) -> str | None:
    """The role of a section from its heading path: the innermost heading's, else its parent's ("ILO Experts ›
    Jane Doe"). Not further up: headings found by font size can have the wrong level, and an "Abbreviations"
    two levels up must not swallow the chapters after it."""
    for heading in reversed(path[-2:]):
        role = heading_role(heading)
        if role:
            return role
    return None


def line_role(line: str) -> str | None:
    """What one line is when that shows in the line itself: contents, references, caption, front_matter, table
    or list; None for running text."""
    text = line.strip()
    if not text:
        return None
    if _LEADER.search(text):
        return "contents"
    if is_reference(text):
        return "references"
    entries = [int(n) for n in _TOC_ENTRY.findall(text)]
    if len(entries) >= _TOC_ENTRIES:
        # footnotes run together number on (26, 27, 28...); a contents line's page numbers jump
        run_in_notes = sum(b == a + 1 for a, b in itertools.pairwise(entries)) >= len(entries) // 2
        return "references" if run_in_notes else "contents"
    if _SOURCE_LINE.match(text):
        return "references"
    if _CAPTION.match(text) or _NOTE_LINE.match(text) or (
        _CAPTION_LABEL.match(text) and len(text.split()) <= _CAPTION_WORDS and not text.endswith(".")
    ):
        return "caption"
    if _IMPRINT.search(text) and len(text) < 400:
        return "front_matter"
    if _TABLE_ROW.search(text) and text.count(" | ") >= 1:
        return "table"
    if _BULLET.match(text):
        return "list"
    return None


def is_reference(text: str) -> bool:
    """Whether a line is a bibliography entry, a footnote or a bare link."""
    urls = _URL.findall(text)
    if urls and sum(len(u) for u in urls) >= 0.4 * len(text):
        return True
    entry = _BULLET.sub("", _ITEM_NUMBER.sub("", text))  # listed references: "5. IMF (2019) ...", "• Doe, J. ..."
    cited = _AUTHOR_YEAR.match(entry)
    if cited and _NARRATIVE.match(entry, cited.end()):
        return False  # "Gentilini et al (2020) report that ...": running text that cites, not an entry
    if cited or _SURNAME_INITIALS.match(entry) or _YEAR_FIRST.match(entry):
        return True
    return bool(_FOOTNOTE.match(text) and (urls or _REFERENCE_CUES.search(text)) and len(text) < 600)


def is_list_item(line: str) -> bool:
    """Whether a line starts with a bullet or an item number."""
    return bool(_BULLET.match(line.strip()))


def bullet_length(line: str) -> int:
    """Characters of the bullet or item number that starts a line (0 when there is none)."""
    found = _BULLET.match(line)
    return found.end() if found else 0
