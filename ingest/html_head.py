"""Read an HTML page's <title>, <html lang> and <meta> tags into its ByteStream's meta."""

import re
from pathlib import Path
from typing import Any

from haystack import component
from haystack.components.converters.utils import get_bytestream_from_source, normalize_metadata
from haystack.dataclasses import ByteStream
from lxml import html as lxml_html

_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
# A DOCTYPE with an internal subset ('<!DOCTYPE html [<!ENTITY ...>]>'): HTML parsers do not read it, and its
# remnant (']>') could reach the text. Searched for in the first 64 KB only (it must come first).
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
_PROLOG = 65536
_DATE_KEYS = ("article:published_time", "date", "dc.date", "dcterms.date", "citation_publication_date")


@component
class HtmlHeadReader:
    """
    Adds the page's title, language, description and date to each source's meta, for HTMLToDocument to pass on,
    and drops a DOCTYPE's internal subset (entity declarations no HTML parser reads).

    HTMLToDocument keeps only the main text; trafilatura's own title guess is 'play_arrow Building social
    protection floors for all' on 9 of 13 real pages whose <title> is right (measured in ingest/NOTES.md).
    """

    @component.output_types(sources=list[ByteStream])
    def run(
        self,
        sources: list[str | Path | ByteStream],
        meta: dict[str, Any] | list[dict[str, Any]] | None = None,
    ) -> dict[str, list[ByteStream]]:
        """Return the sources as ByteStreams whose meta has `properties` read from the <head>."""
        streams = []
        for source, extra in zip(sources, normalize_metadata(meta, sources_count=len(sources)), strict=True):
            stream = get_bytestream_from_source(source)
            data = without_internal_subset(stream.data)
            properties = read_head(data)
            new_meta = {
                **stream.meta,
                **extra,
                "source_format": "html",
                "heading_markup": True,
                "properties": properties,
            }
            streams.append(ByteStream(data=data, meta=new_meta, mime_type=stream.mime_type))
        return {"sources": streams}


def without_internal_subset(data: bytes) -> bytes:
    """The page with a DOCTYPE's internal subset (entity declarations) replaced by a plain `<!DOCTYPE html>`."""
    match = _DOCTYPE_SUBSET.search(data, 0, _PROLOG)
    if match is None:
        return data
    return data[: match.start()] + b"<!DOCTYPE html>" + data[match.end() :]


def _canonical(tree: Any) -> str | None:
    """The page's own address from `<link rel="canonical">`, when it gives a web address."""
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and (link.get("href") or "").startswith("http"):
            return link.get("href").strip()
    return None


def read_head(data: bytes) -> dict[str, Any]:
    """Title, language, description, date, author, publisher (the site's name) and canonical URL from the <head>
    of an HTML page (empty values omitted)."""
    end = _HEAD_END.search(data)
    head = data[: end.end()] if end else data[:65536]
    try:
        tree = lxml_html.fromstring(head + b"</html>")
    except (ValueError, lxml_html.etree.ParserError):
        return {}
    metas = {
        (m.get("name") or m.get("property") or "").lower(): (m.get("content") or "").strip()
        for m in tree.iter("meta")
    }
    titles = [" ".join(t.text_content().split()) for t in tree.iter("title")]
    lang = (
        (tree.get("lang") or metas.get("og:locale") or metas.get("language") or "")
        .split("-")[0]
        .split("_")[0]
    )
    found = {
        "title": next((t for t in titles if t), None) or metas.get("og:title") or None,
        "lang": lang.lower() or None,
        "description": metas.get("description") or metas.get("og:description") or None,
        "date": next((metas[k] for k in _DATE_KEYS if metas.get(k)), None),
        "author": metas.get("author") or metas.get("article:author") or metas.get("dc.creator") or None,
        "publisher": metas.get("og:site_name") or metas.get("publisher") or metas.get("dc.publisher") or None,
        "url": _canonical(tree) or metas.get("og:url") or None,
    }
    return {key: value for key, value in found.items() if value}
