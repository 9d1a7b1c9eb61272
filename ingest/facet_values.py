"""Parse and check facet values given by people (catalogues, front matter, document properties)."""

import re
from collections.abc import Callable
from typing import Any

from kb.core import filters
from kb.core.errors import FilterValueError

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


def _parse_each(value: Any, resolve: Callable[[str], str]) -> list[str]:
    """Resolve every item of a list or ';'-separated string, dropping repeats, keeping order."""
    found: list[str] = []
    for item in as_list(value):
        try:
            resolved = resolve(item)
        except FilterValueError as error:
            raise FacetValueError(str(error)) from None
        if resolved not in found:
            found.append(resolved)
    return found


def parse_countries(value: Any) -> list[str]:
    """ISO alpha-3 codes of ILO member States from codes or English/French/Spanish names."""
    return _parse_each(value, filters.resolve_country)


def parse_regions(value: Any) -> list[str]:
    """ILO region names."""
    return _parse_each(value, filters.resolve_region)


def parse_doc_type(value: Any) -> str | None:
    """One of kb.core.models.DOC_TYPES ('country study' is read as 'country_study')."""
    types = _parse_each(value, filters.resolve_doc_type)
    return types[0] if types else None


def parse_topics(value: Any) -> list[str]:
    """Topic slugs of kb.core.models.TOPICS, given as slugs or labels."""
    return _parse_each(value, filters.resolve_topic)


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


def parse_name(value: Any) -> str:
    """An author's or publisher's name: one line of at most 200 characters ('' for none)."""
    name = " ".join(str(value or "").split())
    if len(name) > 200:
        raise FacetValueError(f"name too long ({len(name)} characters; at most 200): {name[:40]!r}…")
    return name


def parse_url(value: Any) -> str:
    """A web address a reader can follow: http(s) with a host ('' for none)."""
    url = str(value or "").strip()
    if not url:
        return ""
    if not _URL.match(url) or any(c.isspace() for c in url) or len(url) > 2000:
        raise FacetValueError(f"invalid url {url[:80]!r}: give a web address starting with https:// or http://")
    return url


_URL = re.compile(r"^https?://[^/\s:?#]+[^\s]*$", re.IGNORECASE)

# What a reference names besides title and year, as catalogues and document properties give it.
CITATION_PARSERS: dict[str, Callable[[Any], str]] = {"author": parse_name, "publisher": parse_name, "url": parse_url}
