"""Page-aware cleaning: running headers/footers, hyphenation, wrapped lines and repeated paragraphs."""

import re
from collections import Counter

from haystack import Document, component

from ingest.running_lines import remove_running_lines

# \b: without it a very long word makes the search quadratic (minutes on a 1 MB token)
_HYPHEN_BREAK = re.compile(r"\b(\w+)-[ \t]*\n[ \t]*([^\W\d_]+)")
_WORD = re.compile(r"\w+(?:-\w+)*")
_HEADING = re.compile(r"^#{1,6} ")  # a heading line marked by the converter (PDF fonts): never joined
_BULLET = re.compile(r"^(?:[•▪●◦‣∙·■□➢►\-–—*]|\(?[a-zA-Z0-9]{1,3}[.)])\s")
# "50 The quantitative analysis ...": a footnote at the page's foot, under a sentence that goes on over the page
_FOOTNOTE_START = re.compile(r"^\d{1,3}\s+[A-ZÀ-Ý][a-zà-ÿ]")
_SENTENCE_END = (".", "!", "?", ":", ";", "…", '"', "”", ")")
_MAX_WRAP_WIDTH = 160
_PARAGRAPH_END_WIDTH = 0.85
_SHORT_LINE_WIDTH = 0.5
_MIN_DUPLICATE_CHARS = 100
_WRAPPED_FORMATS = ("pdf", "image", "text")


@component
class PageCleaner:
    """
    Cleans text page by page (pages are separated by form feeds and never merged).

    Drops running headers, footers and page numbers that repeat at page edges, joins words hyphenated across
    line breaks, joins wrapped lines into paragraphs (PDF and plain text) and drops paragraphs that repeat an
    earlier one word for word. Haystack's DocumentCleaner only removes an n-gram common to every page, which
    misses alternating and numbered headers (measured in ingest/NOTES.md).
    """

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        """Return cleaned copies of the documents, keeping ids' inputs (meta) unchanged."""
        cleaned = []
        for doc in documents:
            text = clean_text(doc.content or "", unwrap=doc.meta.get("source_format") in _WRAPPED_FORMATS)
            cleaned.append(Document(content=text, meta=dict(doc.meta)))
        return {"documents": cleaned}


def clean_text(text: str, unwrap: bool = True) -> str:
    """Clean a form-feed-paginated text; see PageCleaner."""
    pages = remove_running_lines(text.split("\f"))
    vocabulary = Counter(word.lower() for word in _WORD.findall(text))
    pages = [_join_hyphenated(page, vocabulary) for page in pages]
    if unwrap:
        pages = [_unwrap(page) for page in pages]
    seen: set[str] = set()
    return "\f".join(_drop_repeats(page, seen) for page in pages)


def _join_hyphenated(page: str, vocabulary: Counter[str]) -> str:
    """'employ-\\nment' → 'employment', but 'socio-\\neconomic' stays 'socio-economic' when the text says so."""

    def join(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        joined, hyphenated = f"{left}{right}", f"{left}-{right}"
        if vocabulary[joined.lower()] > vocabulary[hyphenated.lower()]:
            return joined
        if vocabulary[hyphenated.lower()] or right[0].isupper() or "-" in left:
            return hyphenated
        return joined

    return _HYPHEN_BREAK.sub(join, page)


def _unwrap(page: str) -> str:
    """Join lines wrapped by the layout into one line per paragraph, keeping list items, titles and blank lines."""
    lines = [line.strip() for line in page.split("\n")]
    widths = sorted(len(line) for line in lines if len(line) >= 20)
    if not widths:
        return "\n".join(lines)
    width = widths[int(0.8 * (len(widths) - 1))]
    if width > _MAX_WRAP_WIDTH:
        return "\n".join(lines)
    out: list[str] = []
    previous = ""
    for line in lines:
        if out and out[-1] and line and previous and _continues(previous, line, width) and not (
            out[-1] == previous and _is_title(previous, line, width)
        ):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        previous = line
    return "\n".join(out)


def _is_title(first: str, line: str, width: int) -> bool:
    """A paragraph's first line that stops well short of the width without punctuation, before a capital: a title.

    (The first line of a wrapped paragraph fills the width; a one-line heading above its text does not.)
    """
    return (
        len(first) < _PARAGRAPH_END_WIDTH * width
        and (first[:1].isupper() or first[:1].isdigit())
        and not first.endswith((*_SENTENCE_END, ",", "-"))
        and line[:1].isupper()
    )


def _continues(previous: str, line: str, width: int) -> bool:
    """True when `line` carries on the paragraph whose last wrapped line was `previous`."""
    if _BULLET.match(line) or _HEADING.match(line) or _HEADING.match(previous) or _FOOTNOTE_START.match(line):
        return False
    if previous.endswith(_SENTENCE_END) and len(previous) < _PARAGRAPH_END_WIDTH * width:
        return False
    if line[:1].islower() and not previous.endswith(_SENTENCE_END):
        return True  # a sentence carried on in lower case, however short the line before it stopped
    return not (len(previous) < _SHORT_LINE_WIDTH * width and not previous.endswith((",", "-")))


def _drop_repeats(page: str, seen: set[str]) -> str:
    """The page without paragraphs (of 100+ characters) already seen in this document; blank runs collapsed."""
    kept: list[str] = []
    for line in page.split("\n"):
        key = " ".join(line.split()).casefold()
        if len(key) >= _MIN_DUPLICATE_CHARS:
            if key in seen:
                continue
            seen.add(key)
        if line.strip() or (kept and kept[-1].strip()):
            kept.append(" ".join(line.split()))
    return "\n".join(kept).strip()
