"""Read an HTML page's <title>, <html lang> and <meta> tags into its ByteStream's meta."""

import re
from pathlib import Path
from typing import Any

from haystack import component
from haystack.components.converters.utils import get_bytestream_from_source, normalize_metadata
from haystack.dataclasses import ByteStream
from lxml import html as lxml_html

_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_DATE_KEYS = ("article:published_time", "date", "dc.date", "dcterms.date", "citation_publication_date")


@component
class HtmlHeadReader:
    """
    Adds the page's title, language, description and date to each source's meta, for HTMLToDocument to pass on.

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
            properties = read_head(stream.data)
            new_meta = {
                **stream.meta,
                **extra,
                "source_format": "html",
                "heading_markup": True,
                "properties": properties,
            }
            streams.append(ByteStream(data=stream.data, meta=new_meta, mime_type=stream.mime_type))
        return {"sources": streams}


def read_head(data: bytes) -> dict[str, Any]:
    """Title, language, description and date from the <head> of an HTML page (empty values omitted)."""
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
    }
    return {key: value for key, value in found.items() if value}
