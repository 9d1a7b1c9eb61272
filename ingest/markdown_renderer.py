"""Markdown → plain text whose headings stay as '#' lines; YAML front matter and [[key:value]] tags → properties."""

import logging
import re
from typing import Any

from haystack import Document, component
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ingest import yaml_safe

logger = logging.getLogger(__name__)

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_TAG_LINE = re.compile(r"^\[\[([A-Za-z_]+):([^\]\n]*)\]\][ \t]*$", re.MULTILINE)
_TAG_KEYS = {
    "country": "countries",
    "countries": "countries",
    "year": "year",
    "date": "date",
    "title": "title",
    "lang": "lang",
    "language": "lang",
    "type": "doc_type",
    "doc_type": "doc_type",
    "topics": "topics",
}
_PROPERTY_KEYS = ("title", "countries", "regions", "year", "date", "lang", "doc_type", "topics", "author", "publisher",
                  "url")
_HTML_TAG = re.compile(r"<[^>]+>")
# A paragraph that stops without closing its sentence, before one that carries it on (in lower case, or after a
# word no sentence ends with): the pieces of one sentence, set as paragraphs by a PDF-to-Markdown conversion.
_OPEN_END = re.compile(
    r"(?:[,\-–]|\b(?:a|an|and|as|at|by|for|from|in|into|of|on|or|that|the|their|to|with|which|who|"
    r"de|del|el|la|las|los|en|y|o|que|con|por|para|un|une|des|du|le|les|et|ou|au|aux|à))$",
    re.IGNORECASE,
)
_CLOSED = re.compile(r"[.!?:;…\"”’)\]]$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@component
class MarkdownRenderer:
    """
    Renders Markdown Documents (Markdown files, or HTML pages converted to Markdown) as plain text.

    Headings stay as '#' lines so the splitter can record them as passage headings; list items start with
    '• ' (or their number), so that a lead-in and its items can be quoted together; emphasis, link and image
    syntax is dropped, tables become 'a | b' rows. Haystack's MarkdownToDocument needs `mdit_plain` (not
    installed) and its plain renderer drops the heading markers (see ingest/NOTES.md).
    """

    def __init__(self, read_front_matter: bool = True) -> None:
        """Create the renderer; with `read_front_matter`, YAML front matter becomes `meta['properties']`."""
        self.read_front_matter = read_front_matter
        self._parser = MarkdownIt("commonmark", {"html": True}).enable("table")

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        """Return the documents rendered as plain text with heading lines."""
        rendered = []
        for doc in documents:
            text, properties = (doc.content or "", {})
            if self.read_front_matter:
                text, properties = split_front_matter(text)
            merged = {**doc.meta.get("properties", {}), **properties}
            meta = {**doc.meta, "heading_markup": True, "properties": merged}
            rendered.append(Document(content=self.render(text), meta=meta))
        return {"documents": rendered}

    def render(self, markdown: str) -> str:
        """Plain text of `markdown`: one line per paragraph, list item, table row or heading."""
        lines: list[str] = []
        paragraph = False  # the last line is a paragraph's text (not a heading, item, row or block)
        heading = 0
        row: list[str] | None = None
        item: str | None = None  # the marker of a list item whose first line is still to come
        for token in self._parser.parse(markdown):
            kind = token.type
            if kind == "list_item_open":
                item = f"{token.info}{token.markup} " if token.info else "• "
            elif kind in ("heading_open", "heading_close"):
                heading = int(token.tag[1]) if kind == "heading_open" else 0
            elif kind in ("tr_open", "tr_close"):
                if kind == "tr_close" and row and any(row):
                    lines.append(" | ".join(row))
                row = [] if kind == "tr_open" else None
            elif kind == "inline":
                text = _inline_text(token)
                if row is not None:
                    row.append(text)
                elif text and paragraph and not heading and not item and _carries_on(lines[-1], text):
                    lines[-1] = f"{lines[-1]} {text}"
                elif text:
                    lines.append(f"{'#' * heading} {text}" if heading else f"{item or ''}{text}")
                    paragraph = not heading and item is None
                    item = None
                continue
            elif kind in ("fence", "code_block"):
                lines.append(token.content.rstrip("\n"))
            elif kind == "html_block" and (text := _strip_html(token.content)):
                lines.append(text)
            if kind not in ("paragraph_open", "paragraph_close"):
                paragraph = False
        return "\n".join(lines)


def _carries_on(previous: str, text: str) -> bool:
    """Whether paragraph `text` continues the sentence that paragraph `previous` left open."""
    if _CLOSED.search(previous):
        return False
    return text[:1].islower() or bool(_OPEN_END.search(previous))


def _inline_text(token: Token) -> str:
    """The visible text of an inline token (links keep their text, images and inline HTML are dropped)."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return re.sub(r"[ \t]+", " ", "".join(parts)).strip()


def _strip_html(block: str) -> str:
    """The text of a raw HTML block, comments and tags removed."""
    return " ".join(_HTML_TAG.sub(" ", _HTML_COMMENT.sub(" ", block)).split())


def split_front_matter(text: str) -> tuple[str, dict[str, Any]]:
    """The text without its YAML front matter and [[key:value]] tag lines, and the properties they held."""
    properties: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml_safe.load(match.group(1))
        except yaml_safe.YAMLError as error:  # aliases too: they could expand without end
            logger.warning("Ignoring unreadable YAML front matter: %s", yaml_safe.describe(error))
            loaded = None
        if isinstance(loaded, dict):
            properties.update({k: loaded[k] for k in _PROPERTY_KEYS if loaded.get(k) not in (None, "", [])})
        text = text[match.end() :]
    for key, value in _TAG_LINE.findall(text):
        name = _TAG_KEYS.get(key.lower())
        if name and value.strip() and name not in properties:
            properties[name] = value.strip()
    return _TAG_LINE.sub("", text), properties
