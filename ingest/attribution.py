"""Countries per passage: what a passage is about, not every country of its document's catalogue row.

A multi-country report's section "2. Germany: Kurzarbeitergeld" is about Germany even though the report is
also about France; a general paragraph of that report is about none of its countries. Filters, facet counts
and comparisons read these passage-level countries; the document's own stay in `doc_countries`.
"""

from collections.abc import Sequence

from haystack import Document, component

from kb.core.countries import count_mentions, regions_for
from kb.core.models import PassageMeta

MAX_LISTED = 3


@component
class CountryAttributor:
    """Sets each passage's `countries` and `regions` to those it is about (see `passage_countries`)."""

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        """Return the passages with passage-level countries and regions."""
        out = []
        for doc in documents:
            meta = PassageMeta.of(doc.meta)
            countries = passage_countries(doc.content or "", meta.section, meta.doc_countries, meta.title)
            regions = passage_regions(countries, meta.regions)
            out.append(
                Document(id=doc.id, content=doc.content, meta={**doc.meta, "countries": countries, "regions": regions})
            )
        return {"documents": out}


def passage_countries(text: str, section: Sequence[str], doc_countries: Sequence[str], title: str = "") -> list[str]:
    """The countries a passage is about.

    1. The innermost heading of its section that names countries (other than the document's title, which
       every section sits under): "2. Germany: Kurzarbeitergeld" → Germany, whatever else the text names.
    2. Else the countries its text names, most named first; a single-country document's country comes along
       (its paragraphs are about it even when they compare it with others). A paragraph that names more than
       `MAX_LISTED` countries ("this report compares six experiences: Germany, France, ...") is about those it
       names more than once, and otherwise about none of them.
    3. Else the document's country when it has exactly one; else none (a general paragraph of a
       multi-country report).
    """
    for heading in reversed(section):
        if heading.strip() == title.strip():
            continue
        named = _ranked(count_mentions(heading))
        if named:
            return named
    counts = count_mentions(text)
    named = _ranked(counts)
    if len(named) > MAX_LISTED:  # an overview naming many countries is about those it dwells on, if any
        named = [code for code in named if counts[code] > 1]
    own = list(doc_countries) if len(doc_countries) == 1 else []
    return own + [code for code in named if code not in own]


def passage_regions(countries: Sequence[str], doc_regions: Sequence[str]) -> list[str]:
    """The ILO regions of a passage's countries; without countries, its document's region when it has just one
    (a regional report's general paragraph)."""
    if countries:
        return regions_for(list(countries))
    return list(doc_regions) if len(doc_regions) == 1 else []


def _ranked(counts: dict[str, int]) -> list[str]:
    return [code for code, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
