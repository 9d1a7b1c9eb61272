"""HTML → Markdown that keeps the page's structure: headings (h1–h6), lists, tables and paragraphs in page
order, without scripts, navigation, headers, footers, forms and link menus.

Haystack's HTMLToDocument (trafilatura) keeps the main text but not its structure: on the 15 pages of the ILO
flagship site in `../shared/realcorpus` it kept 1 of 252 headings (a funding widget's "US$ 3'000'000", which
then titled every passage of its page) and put widget text first (ingest/NOTES.md, "Document structure").
Here lxml removes the page furniture and html2text writes the Markdown; `MarkdownRenderer` reads it as it
reads Markdown files.
"""

import logging
import re
from pathlib import Path
from typing import Any

import html2text
from haystack import Document, component
from haystack.dataclasses import ByteStream
from lxml import etree
from lxml import html as lxml_html

from ingest.sources import read_sources
from kb.core.errors import DocumentReadError

logger = logging.getLogger(__name__)

_FURNITURE = (
    "//script|//style|//noscript|//template|//nav|//header|//footer|//aside|//form|//button|//select|//svg|"
    "//iframe|//object|//embed|//*[@hidden]|//*[@aria-hidden='true']|"
    "//*[@role='navigation' or @role='banner' or @role='contentinfo' or @role='search' or @role='dialog']|"
    "//i[contains(@class, 'icon')]|//span[contains(@class, 'icon')]"  # icon-font ligatures ('play_arrow')
)
# class or id words of page furniture ("menu", "cookie-banner", "nav_main"; not "has-sidebar-layout")
_FURNITURE_WORDS = frozenset(
    ["cookie", "cookies", "breadcrumb", "breadcrumbs", "share", "social", "navbar", "nav", "menu", "skip", "sidebar", "pagination", "modal"]
)
_MIN_WORDS = 20  # less than this left after removing furniture: the page was misread, keep its furniture
_LINK_SHARE = 0.8  # a list or block whose text is mostly link text is a menu
_MENU_MAX_WORDS = 120


@component
class HtmlToMarkdown:
    """Converts HTML pages (ByteStreams from `HtmlHeadReader`) to Markdown Documents that keep their headings."""

    @component.output_types(documents=list[Document])
    def run(
        self,
        sources: list[str | Path | ByteStream],
        meta: dict[str, Any] | list[dict[str, Any]] | None = None,
    ) -> dict[str, list[Document]]:
        """Convert each page; raises DocumentReadError for a page that cannot be parsed."""
        documents = []
        for data, name, source_meta in read_sources(sources, meta):
            documents.append(Document(content=html_to_markdown(data, name), meta=source_meta))
        return {"documents": documents}


def html_to_markdown(data: bytes, name: str = "page") -> str:
    """The Markdown of a page's content (see the module docstring)."""
    text = _markdown(_parse(data, name), strict=True)
    if len(text.split()) < _MIN_WORDS:
        text = _markdown(_parse(data, name), strict=False)
    return text


def _parse(data: bytes, name: str) -> Any:
    try:
        return lxml_html.document_fromstring(data)
    except (etree.ParserError, ValueError) as error:
        raise DocumentReadError(name, f"cannot parse HTML ({error})") from None


def _markdown(tree: Any, strict: bool) -> str:
    """Markdown of the page without scripts and forms; with `strict`, without its menus and furniture too."""
    for element in tree.xpath(_FURNITURE if strict else "//script|//style|//noscript|//template|//form|//svg"):
        _drop(element)
    if strict:
        for element in tree.xpath("//*[@class or @id]"):
            if element.tag not in ("body", "html", "main", "article") and _is_furniture(element):
                _drop(element)
        for element in tree.xpath("//ul|//ol|//p|//div"):
            if _is_menu(element):
                _drop(element)
    body = tree.find("body")
    markup = lxml_html.tostring(body if body is not None else tree, encoding="unicode")
    writer = html2text.HTML2Text(bodywidth=0)
    writer.ignore_links = True
    writer.ignore_images = True
    writer.ignore_emphasis = True
    writer.ignore_mailto_links = True
    writer.unicode_snob = True
    return writer.handle(markup)


def _is_furniture(element: Any) -> bool:
    words = f"{element.get('class', '')} {element.get('id', '')}".lower().split()
    return any(word in _FURNITURE_WORDS or re.split(r"[-_]", word)[0] in _FURNITURE_WORDS for word in words)


def _drop(element: Any) -> None:
    if element.getparent() is not None:
        element.drop_tree()


def _is_menu(element: Any) -> bool:
    """A block of links with little other text (a menu, a tag cloud, 'See all')."""
    text = " ".join(element.text_content().split())
    if not text or len(text.split()) > _MENU_MAX_WORDS:
        return False
    links = " ".join(" ".join(a.text_content().split()) for a in element.iter("a"))
    return len(links) >= _LINK_SHARE * len(text)
