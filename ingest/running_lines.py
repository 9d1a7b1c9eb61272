"""Find and drop running headers, footers and page numbers: lines at page edges that repeat across pages."""

import re
from collections import Counter

_EDGE_LINES = 3
_MIN_PAGES = 3
_MIN_PAGE_SHARE = 0.2
_MIN_EDGE_SHARE = 0.9
_PAGE_NUMBER_SHARE = 0.3
_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"\b[ivxlc]{1,7}\b")
_PAGE_NUMBER = re.compile(
    r"^(?:page|p[áa]gina|p\.|pag\.)?\s*[-–—]?\s*(?:\d{1,4}|[ivxlc]{1,7})\s*[-–—]?\s*"
    r"(?:(?:/|of|de|sur)\s*\d{1,4})?$",
    re.IGNORECASE,
)


def line_key(line: str) -> str:
    """A line with digits and roman numerals masked, so 'Page 3' and 'Page 4' compare equal."""
    masked = _ROMAN.sub("#", _DIGITS.sub("#", line.strip().lower()))
    return " ".join(masked.split())


def is_page_number(line: str) -> bool:
    """True for a line that holds only a page number ('12', '- 12 -', 'Page 3 of 9', 'xi')."""
    return bool(_PAGE_NUMBER.match(line.strip()))


def remove_running_lines(pages: list[str]) -> list[str]:
    """The pages without the header/footer lines that repeat at their edges; short documents are left alone."""
    if len(pages) < _MIN_PAGES:
        return pages
    lines = [page.split("\n") for page in pages]
    running = _running_keys(lines)
    numbered = _numbered_pages(lines) >= _PAGE_NUMBER_SHARE * len(pages)
    return ["\n".join(_strip_edges(page_lines, running, numbered)) for page_lines in lines]


def _edge_indexes(page_lines: list[str]) -> list[int]:
    """Indexes of the first and last few non-empty lines of a page."""
    filled = [i for i, line in enumerate(page_lines) if line.strip()]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def _running_keys(lines: list[list[str]]) -> set[str]:
    """Keys of lines found at the edges of enough pages and (almost) never elsewhere."""
    at_edges: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    for page_lines in lines:
        edges = _edge_indexes(page_lines)
        at_edges.update({line_key(page_lines[i]) for i in edges})
        anywhere.update(line_key(line) for line in page_lines if line.strip())
    floor = max(_MIN_PAGES, _MIN_PAGE_SHARE * len(lines))
    return {
        key
        for key, pages in at_edges.items()
        if key and pages >= floor and pages >= _MIN_EDGE_SHARE * anywhere[key]
    }


def _numbered_pages(lines: list[list[str]]) -> int:
    """How many pages have a page-number line at one of their edges."""
    return sum(any(is_page_number(page_lines[i]) for i in _edge_indexes(page_lines)) for page_lines in lines)


def _strip_edges(page_lines: list[str], running: set[str], numbered: bool) -> list[str]:
    """One page's lines without the running lines at its top and bottom edges."""

    def removable(line: str) -> bool:
        return line_key(line) in running or (numbered and is_page_number(line))

    drop: set[int] = set()
    for order in (range(len(page_lines)), range(len(page_lines) - 1, -1, -1)):
        seen = 0
        for i in order:
            if not page_lines[i].strip():
                continue
            if seen >= _EDGE_LINES or not removable(page_lines[i]):
                break
            drop.add(i)
            seen += 1
    return [line for i, line in enumerate(page_lines) if i not in drop]
