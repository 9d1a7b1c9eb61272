"""Set each document's facets: catalogue entry > front matter/document properties > detection from the text."""

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from haystack import Document, component

from ingest import facet_values as fv
from ingest.doc_signals import (
    clean_author,
    clean_title,
    detect_doc_type,
    detect_year,
    title_from_path,
    title_from_text,
)
from ingest.language import detect_language, detector
from ingest.topics import detect_topics
from kb.core.countries import choose_dominant, count_mentions, regions_for

logger = logging.getLogger(__name__)

_PARSERS: dict[str, Callable[[Any], Any]] = {
    "countries": fv.parse_countries,
    "regions": fv.parse_regions,
    "doc_type": fv.parse_doc_type,
    "year": fv.parse_year,
    "lang": fv.parse_lang,
    "topics": fv.parse_topics,
}


@component
class FacetExtractor:
    """Adds title, countries, regions, doc_type, year, lang and topics (and author, publisher and url when given)
    to each document's meta."""

    def warm_up(self) -> None:
        """Load the language models once, so the first document is not slow."""
        detector().detect_language_of("warm up the language models")

    @component.output_types(documents=list[Document])
    def run(
        self, documents: list[Document], catalog: dict[str, Any] | None = None
    ) -> dict[str, list[Document]]:
        """Return the documents with facets; `catalog` holds a catalogue entry's values (they win)."""
        out = []
        for doc in documents:
            given = {**_from_properties(doc.meta.get("properties") or {}), **(catalog or {})}
            facets = extract_facets(doc.content or "", doc.meta, given)
            out.append(Document(id=doc.id, content=doc.content, meta={**doc.meta, **facets}))
        return {"documents": out}


def _from_properties(properties: dict[str, Any]) -> dict[str, Any]:
    """Valid facet values from front matter or document properties; invalid ones are logged and ignored."""
    values: dict[str, Any] = {}
    title = clean_title(properties.get("title"))
    if title:
        values["title"] = title
    for key, parse in {**_PARSERS, **fv.CITATION_PARSERS}.items():
        raw = clean_author(properties.get(key)) if key == "author" else properties.get(key)
        if key == "year" and raw in (None, ""):
            raw = properties.get("date")
        try:
            parsed = parse(raw)
        except fv.FacetValueError as error:
            logger.warning("Ignoring document property %s: %s", key, error)
            continue
        if parsed not in (None, []):
            values[key] = parsed
    return values


def extract_facets(text: str, meta: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """All facets of one document: values in `given` first, detection for the rest."""
    body = (
        "\n".join(line for line in text.split("\n") if not line.startswith("#"))
        if meta.get("heading_markup")
        else text
    )
    title = (
        given.get("title") or title_from_text(text) or title_from_path(str(meta.get("path") or "document"))
    )
    counts = count_mentions(body)
    countries = given.get("countries") or choose_dominant(counts, count_mentions(title))
    top_mentions = counts.most_common(1)[0][1] if counts else 0
    doc_type = given.get("doc_type") or detect_doc_type(
        body, title, str(meta.get("source_format")), mention_share(counts), top_mentions
    )
    file_date = (meta.get("properties") or {}).get("file_date")
    return {
        "title": title,
        "countries": countries,
        "regions": given.get("regions") or regions_for(countries),
        "doc_type": doc_type,
        "year": given.get("year") or detect_year(body, title) or fv.parse_year(file_date),
        "lang": given.get("lang") or detect_language(body),
        "topics": given.get("topics") or detect_topics(body),
        **{key: given.get(key) or "" for key in fv.CITATION_PARSERS},
    }


def mention_share(counts: Counter[str]) -> float:
    """The share of all country mentions that go to the most named country."""
    return counts.most_common(1)[0][1] / sum(counts.values()) if counts else 0.0
