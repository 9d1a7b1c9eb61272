"""How the UI names things: countries, document types, topics, pages, paths, and highlighted quotes."""

import re
import textwrap
from pathlib import Path

from textual.content import Content

from kb.core.countries import country_name
from kb.core.models import TOPICS

HIGHLIGHT = "bold $text-accent on $accent-muted"
MARKER = "bold $text-accent"
_MARKER = re.compile(r"\[\d+\]")


def countries_label(codes: list[str] | tuple[str, ...], *, codes_too: bool = False) -> str:
    """`Kenya, Senegal` (or `Kenya (KEN)` with `codes_too`); `global` when the list is empty."""
    if not codes:
        return "global"
    if codes_too:
        return ", ".join(f"{country_name(c)} ({c})" for c in codes)
    return ", ".join(country_name(c) for c in codes)


def type_label(doc_type: str | None) -> str:
    """`country study` for `country_study`."""
    return (doc_type or "other").replace("_", " ")


def topic_label(slug: str) -> str:
    """The topic's readable label."""
    return TOPICS.get(slug, slug.replace("_", " "))


def display_path(path: str | Path) -> str:
    """A path as short as it can be: relative to the current folder, else to the home folder."""
    if not path:
        return ""
    p = Path(path)
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + str(p.relative_to(base))
        except ValueError:
            continue
    return str(p)


def find_quote(passage: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` sits in `passage` (exact, then ignoring case and spacing), or None."""
    if not quote:
        return None
    start = passage.find(quote)
    if start >= 0:
        return start, start + len(quote)
    words = [re.escape(w) for w in quote.split()]
    match = re.search(r"\s+".join(words), passage, flags=re.IGNORECASE) if words else None
    return (match.start(), match.end()) if match else None


def highlighted(passage: str, quote: str, *, window: int | None = None) -> Content:
    """The passage with the quote highlighted; with `window`, only that many characters around the quote."""
    span = find_quote(passage, quote)
    if span is None:
        text = (
            passage if window is None or len(passage) <= 2 * window else passage[: 2 * window].rstrip() + " …"
        )
        return Content(" ".join(text.split()) if window else text)
    start, end = span
    if window is not None:
        left, right = word_bounds(
            passage, max(0, start - window), min(len(passage), end + window), start, end
        )
        head = ("… " if left > 0 else "") + passage[left:start]
        tail = passage[end:right] + (" …" if right < len(passage) else "")
        head, quote_text, tail = " ".join(head.split()), passage[start:end], " ".join(tail.split())
        return Content.assemble(
            head + (" " if head else ""), (quote_text, HIGHLIGHT), (" " if tail else "") + tail
        )
    return Content(passage).stylize(HIGHLIGHT, start, end)


def word_bounds(text: str, left: int, right: int, start: int, end: int) -> tuple[int, int]:
    """Move a cut at `left`/`right` to the nearest space outside `start`–`end`, so no word is split."""
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    return left, right


def marked_answer(text: str) -> Content:
    """The answer text with its `[n]` citation markers emphasised."""
    content = Content(text)
    for match in _MARKER.finditer(text):
        content = content.stylize(MARKER, match.start(), match.end())
    return content


def wrap(text: str, width: int, lines: int) -> str:
    """`text` wrapped to `width`, cut to `lines` lines with an ellipsis."""
    wrapped = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "\n".join(wrapped)
