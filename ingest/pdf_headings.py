"""Find a PDF's headings from its fonts: lines set larger than the body text (or bold and numbered), ranked by
size into levels, and written as Markdown heading lines ('## 3.1 Guinea') so that the splitter records sections
as it does for DOCX, HTML and Markdown.

Bookmarks alone do not do: 4 of the 10 PDFs of `../shared/realcorpus` have none, and the others list only
chapters (ingest/NOTES.md, "Document structure").
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kb.core.structure import line_role

HEADING_SCALE = 1.12  # a line this much larger than the body text is a heading candidate
MAX_HEADING_WORDS = 18  # numbered headings ("3.2 Analysis of ... Indonesia") run long
MAX_UNNUMBERED_WORDS = 12  # an unnumbered line in a large font beyond this is a pull quote or a lead paragraph
MAX_LEVEL = 6
_MIN_LETTERS = 3
_NUMBERED = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,4}\.|[A-Z]\.)\s+\S")
_NUMBER_DEPTH = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s*[^\W\d_a-z]")
_BOOKMARK_NUMBER = re.compile(r"^(?:\d{1,2}(?: \d{1,2}){0,3}|[ivx]{1,4}) ")
_SENTENCE_INSIDE = re.compile(r"[.!?]\s+[A-Z]")
_PAGE_REFERENCE = re.compile(r"[^\W\d]\s+(?:\d{1,3}|[ivxl]{1,5})$")  # a contents entry: "Introduction 7"
_NOT_A_HEADING_END = (",", ";", "-", "–", "(")
_MARKUP = re.compile(r"^#{1,6}\s")


@dataclass(frozen=True)
class StyledLine:
    """One text line of a page with the font size most of its characters have, and whether most are bold."""

    text: str
    size: float
    bold: bool = False


def mark_headings(
    pages: list[list[StyledLine]], outline: Sequence[Sequence[Any]] = (), scale: float = HEADING_SCALE
) -> list[str]:
    """The text of each page with its heading lines written as '#' lines.

    A line is a heading when a bookmark of its page names it (level: the bookmark's), or by its font: larger
    than the body text, or bold and numbered (level: the depth of its number, "3.1" is 2; else its size's rank,
    largest first). Consecutive heading lines of one size are one heading (a title set on two lines). Sizes
    seen only on the first page (a cover) rank with the largest: the cover title is a level-1 heading.
    `scale` is how much larger than the body a heading is set (lower for sizes measured on scans by OCR).
    """
    body = body_size(pages) or 0.0
    levels = _levels(pages, body, scale) if body else {}
    bookmarked = _bookmarked(pages, outline)
    out: list[str] = []
    for number, page in enumerate(pages, start=1):
        lines: list[str] = []
        previous: tuple[int, float] | None = None  # level and size of the heading line just written
        repeated = _repeated(page)
        for index, line in enumerate(page):
            level = bookmarked.get((number, index))
            if level is None and body and line.text.strip() not in repeated:
                level = _level(line, body, levels, scale)
            if level == 0 or (level is None and previous is not None and _wrapped(previous, line, body, scale)):
                lines[-1] = f"{lines[-1]} {line.text.strip()}"  # a title's second line: joined to its first
                continue
            if level is None:
                lines.append(_escaped(line.text))
                previous = None
            elif previous is not None and lines and _continues(previous, level, line):
                lines[-1] = f"{lines[-1]} {line.text.strip()}"
            else:
                lines.append(f"{'#' * level} {line.text.strip()}")
                previous = (level, round(line.size))
        out.append("\n".join(lines))
    return out


def _continues(previous: tuple[int, float], level: int, line: StyledLine) -> bool:
    """Whether a heading line carries on the heading above it: same size, and the same level or no number of its
    own ("3.4 Qualitative Approaches Complementing" / "Quantitative Analysis: Uzbekistan, 2015")."""
    same_size = previous[1] == round(line.size)
    return same_size and (previous[0] == level or not _NUMBER_DEPTH.match(line.text.strip()))


def _wrapped(previous: tuple[int, float], line: StyledLine, body: float, scale: float) -> bool:
    """A heading's wrapped tail that starts in lower case ("… employment insurance and its" / "expansion")."""
    text = line.text.strip()
    return (bool(text) and text[0].islower() and round(line.size) == previous[1] and line.size >= body * scale
            and len(text.split()) <= MAX_UNNUMBERED_WORDS)


def body_size(pages: list[list[StyledLine]]) -> float | None:
    """The font size of most of the document's text (weighted by characters), or None without any text."""
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page:
            if line.size > 0:
                weights[round(line.size * 2) / 2] += len(line.text.strip())
    return weights.most_common(1)[0][0] if weights else None


def _candidate(line: StyledLine, body: float, scale: float = HEADING_SCALE) -> bool:
    """Whether a line could be a heading by its own look: short, with letters, not ending mid-sentence, not a
    contents entry or a caption."""
    text = line.text.strip()
    words = text.split()
    if not words or len(words) > MAX_HEADING_WORDS or sum(c.isalpha() for c in text) < _MIN_LETTERS:
        return False
    if text.endswith(_NOT_A_HEADING_END) or text[0].islower() or _PAGE_REFERENCE.search(text):
        return False
    if line_role(text) in ("contents", "references", "caption"):
        return False
    numbered = bool(_NUMBER_DEPTH.match(text))
    if not numbered and (
        len(words) > MAX_UNNUMBERED_WORDS or text.count(",") > 1 or text.endswith(".") or _SENTENCE_INSIDE.search(text)
    ):
        return False
    larger = line.size >= body * scale
    numbered_bold = line.bold and line.size >= body * 0.95 and bool(_NUMBERED.match(text)) and len(words) <= 14
    return larger or numbered_bold


def _levels(pages: list[list[StyledLine]], body: float, scale: float) -> dict[float, int]:
    """Heading level per (rounded) font size: larger sizes first; bold numbered body-size lines last."""
    sizes: set[float] = set()
    bold_only = False
    for page in pages:
        for line in page:
            if _candidate(line, body, scale):
                if line.size >= body * scale:
                    sizes.add(float(round(line.size)))
                else:
                    bold_only = True
    later = {s for page in pages[1:] for line in page if _candidate(line, body, scale) for s in [float(round(line.size))]}
    cover_only = {s for s in sizes if s not in later} if len(pages) > 1 else set()
    ranked = sorted((s for s in sizes if s not in cover_only), reverse=True)
    levels = {size: min(rank + 1, MAX_LEVEL) for rank, size in enumerate(ranked)}
    levels.update(dict.fromkeys(cover_only, 1))
    if bold_only:
        levels[0.0] = min(len(ranked) + 1, MAX_LEVEL)
    return levels


def _level(line: StyledLine, body: float, levels: dict[float, int], scale: float) -> int | None:
    if not _candidate(line, body, scale):
        return None
    numbered = _NUMBER_DEPTH.match(line.text.strip())
    if numbered:
        return min(numbered.group(1).count(".") + 1, MAX_LEVEL)
    if line.size >= body * scale:
        return levels.get(float(round(line.size)))
    return None


def _repeated(page: list[StyledLine]) -> set[str]:
    """Lines printed more than once on a page (watermarks, stamps): never headings."""
    counts = Counter(line.text.strip() for line in page if line.text.strip())
    return {text for text, count in counts.items() if count > 1}


def _bookmarked(pages: list[list[StyledLine]], outline: Sequence[Sequence[Any]]) -> dict[tuple[int, int], int]:
    """(page, line index) → level for the lines that bookmarks name: level 0 marks a title's continuation line."""
    found: dict[tuple[int, int], int] = {}
    for entry in outline:
        page, level, title = int(entry[0]), int(entry[1]), _folded(str(entry[2]))
        if not 1 <= page <= len(pages) or len(title) < _MIN_LETTERS:
            continue
        lines = pages[page - 1]
        bare = _BOOKMARK_NUMBER.sub("", title)  # "1: Introduction" is printed "Introduction" under a big "1"
        for index, line in enumerate(lines):
            text = _folded(line.text)
            if text and bare != title and text == bare:
                found[(page, index)] = min(level + 1, MAX_LEVEL)
                break
            if not text or not title.startswith(text) or (page, index) in found:
                continue
            joined, following, continued = text, index + 1, []
            while joined != title and following < len(lines):
                nxt = _folded(lines[following].text)
                if not nxt or not title.startswith(f"{joined} {nxt}"):
                    break
                joined = f"{joined} {nxt}"
                continued.append((page, following))
                following += 1
            if joined != title and (sum(c.isalpha() for c in joined) < _MIN_LETTERS or 2 * len(joined) < len(title)):
                continue  # a page number or a word that merely starts the title
            found[(page, index)] = min(level + 1, MAX_LEVEL)
            found.update(dict.fromkeys(continued, 0))
            break
    return found


def _folded(text: str) -> str:
    plain = unicodedata.normalize("NFKC", text).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def _escaped(text: str) -> str:
    """A body line that happens to start like a Markdown heading ('# 1 priority') keeps a full-width sign."""
    return f"＃{text[1:]}" if _MARKUP.match(text) else text


def cover_title(pages: list[list[StyledLine]], scan: int = 2) -> str | None:
    """The title printed on the cover: the largest-font line of the first pages with words (consecutive lines of
    that size joined), for PDFs whose title property is empty or a placeholder."""
    best: tuple[float, str] | None = None
    for page in pages[:scan]:
        index = 0
        while index < len(page):
            line = page[index]
            words = line.text.split()
            if len(words) >= 1 and sum(c.isalpha() for c in line.text) >= _MIN_LETTERS and line.size > 0:
                parts, following = [line.text.strip()], index + 1
                while following < len(page) and abs(page[following].size - line.size) < 0.5 and page[following].text.strip():
                    parts.append(page[following].text.strip())
                    following += 1
                text = " ".join(parts)
                if len(text.split()) <= 30 and (best is None or line.size > best[0] + 0.5):
                    best = (line.size, text)
                index = following
            else:
                index += 1
        if best:
            return best[1]
    return None
