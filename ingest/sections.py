"""The section structure of a document's lines, for the splitter: which headings open which sections (numbers,
levels, PDF bookmarks), which "headings" are styled text, which lines continue a list, and covers."""

import re
from typing import Any

from haystack import Document

from kb.core.structure import is_list_item

HEADING_LINE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SECTION_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+\D")
PAGINATED_FORMATS = ("pdf", "image")  # documents with physical pages (form feeds between them): cited by page
_COVER_MAX_WORDS = 120  # the first page of a PDF of several pages with fewer words is its cover
_COVER_MIN_PAGES = 3


def open_sections(stack: list[tuple[int, str]], level: int, heading: str) -> list[tuple[int, str]]:
    """The open sections after a heading of `level`: the outer ones stay. A numbered heading ("3.1 Guinea") sits
    only under the headings its number continues ("3 Case studies"), whatever their levels: levels read from
    fonts and bookmarks disagree, numbers do not."""
    number = _SECTION_NUMBER.match(heading)
    if number:
        kept = [e for e in stack if _continued_by(e[1], number.group(1))]
    else:
        kept = [e for e in stack if e[0] < level]
    return [*kept, (level, heading)]


def _continued_by(heading: str, number: str) -> bool:
    found = _SECTION_NUMBER.match(heading)
    return bool(found) and number.startswith(f"{found.group(1)}.")


def item_like(line: str) -> bool:
    """A line that continues a list: bulleted, a bare bullet, or starting in lower case."""
    stripped = line.strip()
    return is_list_item(stripped) or stripped[:1].islower() or stripped in ("•", "-", "–", "*")


def styled_text(pages: list[str]) -> set[tuple[int, int]]:
    """(page, line) of heading lines that are styled text rather than headings: a heading ending with ':' (a
    lead-in), or followed by another heading of the same or a higher level with nothing between them (web
    pages set list items, names and dates as headings)."""
    marked: list[tuple[int, int, int, str]] = []  # page, line, level (0: a text line), text
    for page_index, page in enumerate(pages):
        for line_index, line in enumerate(page.split("\n")):
            found = HEADING_LINE.match(line)
            if found:
                marked.append((page_index, line_index, len(found.group(1)), found.group(2)))
            elif line.strip():
                marked.append((page_index, line_index, 0, line))
    demoted: set[tuple[int, int]] = set()
    for here, after in zip(marked, [*marked[1:], None]):
        page_index, line_index, level, text = here
        if not level:
            continue
        if text.rstrip().endswith(":") or (after is not None and 0 < after[2] <= level):
            demoted.add((page_index, line_index))
    return demoted


def outline_stack(outline: list[list[Any]], page: int, current: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The open sections at `page` by the PDF's bookmarks (for PDFs whose headings were not found in the text)."""
    stack: list[tuple[int, str]] = []
    for first_page, level, title in outline:
        if first_page > page:
            break
        stack = [*(e for e in stack if e[0] < level + 1), (level + 1, title)]
    return stack or current


def is_cover(doc: Document, pages: list[str]) -> bool:
    """Whether the first page of a paginated document is a cover (few words, more pages after it)."""
    if doc.meta.get("source_format") not in PAGINATED_FORMATS or len(pages) < _COVER_MIN_PAGES:
        return False
    words = [w for line in pages[0].split("\n") if not HEADING_LINE.match(line) for w in line.split()]
    return len(words) < _COVER_MAX_WORDS
