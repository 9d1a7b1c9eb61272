"""Parse and check facet values given by people (catalogues, front matter, document properties)."""

import re
from typing import Any

from ingest.countries import lookup_country
from kb.models import DOC_TYPES, REGIONS, TOPICS

_LANG = re.compile(r"^[a-z]{2}$")
_YEAR = re.compile(r"(?<!\d)((?:1[89]|20)\d{2})(?!\d)")


class FacetValueError(ValueError):
    """A facet value that is not one of the allowed values; the message lists them."""


def as_list(value: Any) -> list[str]:
    """A list of non-empty strings from a list or a ';'-separated string."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).split(";")
    return [str(item).strip() for item in items if str(item).strip()]


def parse_countries(value: Any) -> list[str]:
    """ISO alpha-3 codes from codes or English/French/Spanish names."""
    codes: list[str] = []
    for item in as_list(value):
        code = lookup_country(item)
        if code is None:
            raise FacetValueError(
                f"unknown country {item!r}: use an ISO 3166 alpha-3 code (URY) or a name in English, French or "
                "Spanish of an ILO member State"
            )
        if code not in codes:
            codes.append(code)
    return codes


def parse_regions(value: Any) -> list[str]:
    """ILO region names, matched case-insensitively."""
    by_lower = {region.lower(): region for region in REGIONS}
    regions: list[str] = []
    for item in as_list(value):
        region = by_lower.get(item.lower())
        if region is None:
            raise FacetValueError(f"unknown region {item!r}; allowed: {', '.join(REGIONS)}")
        if region not in regions:
            regions.append(region)
    return regions


def parse_doc_type(value: Any) -> str | None:
    """One of kb.models.DOC_TYPES ('country study' is read as 'country_study')."""
    if value is None or not str(value).strip():
        return None
    doc_type = re.sub(r"[\s-]+", "_", str(value).strip().lower())
    if doc_type not in DOC_TYPES:
        raise FacetValueError(f"unknown doc_type {value!r}; allowed: {', '.join(DOC_TYPES)}")
    return doc_type


def parse_topics(value: Any) -> list[str]:
    """Topic slugs of kb.models.TOPICS, given as slugs or labels."""
    by_label = {label.lower(): slug for slug, label in TOPICS.items()}
    topics: list[str] = []
    for item in as_list(value):
        key = item.strip().lower()
        slug = key if key in TOPICS else by_label.get(key) or by_label.get(key.replace("_", " "))
        if slug is None:
            raise FacetValueError(f"unknown topic {item!r}; allowed: {', '.join(TOPICS)}")
        if slug not in topics:
            topics.append(slug)
    return topics


def parse_lang(value: Any) -> str | None:
    """An ISO 639-1 code such as 'en' ('en-GB' and 'EN' accepted)."""
    if value is None or not str(value).strip():
        return None
    lang = str(value).strip().lower().replace("_", "-").split("-")[0]
    if not _LANG.match(lang):
        raise FacetValueError(f"invalid lang {value!r}: use a two-letter ISO 639-1 code such as en, fr or es")
    return lang


def parse_year(value: Any) -> int | None:
    """A year between 1800 and 2099, from an int, '2023' or a date such as '2023-05-02'."""
    if value is None or not str(value).strip():
        return None
    found = _YEAR.search(str(value))
    if not found:
        raise FacetValueError(f"invalid year {value!r}: use a four-digit year such as 2023")
    return int(found.group(1))
