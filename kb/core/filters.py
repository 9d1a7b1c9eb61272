"""Facet filters as users type them (names in en/fr/es, codes, labels) → Haystack filter dictionaries."""

import difflib
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from kb.core.errors import FilterValueError
from kb.core.models import DOC_TYPES, LANGUAGES, REGIONS, TOPICS
from kb.core.text import fold_words

_LANG_NAMES = {
    "en": ("english", "anglais", "ingles"),
    "fr": ("french", "francais", "frances"),
    "es": ("spanish", "espagnol", "espanol", "castellano"),
}


@dataclass
class SearchFilters:
    """The facets a search can be narrowed by; empty means no restriction."""

    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    langs: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """Whether no facet is set."""
        return not self.to_haystack()

    def resolved(self, languages: Collection[str] = ()) -> "SearchFilters":
        """A copy with every value normalised to the stored form, or `FilterValueError` naming close matches;
        `languages`: codes accepted besides en/fr/es (those an index holds passages in)."""
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise FilterValueError(f"--year-from {self.year_from} is after --year-to {self.year_to}")
        return SearchFilters(
            countries=[resolve_country(c) for c in self.countries],
            regions=[resolve_region(r) for r in self.regions],
            doc_types=[resolve_doc_type(t) for t in self.doc_types],
            year_from=self.year_from,
            year_to=self.year_to,
            langs=[resolve_lang(lang, languages) for lang in self.langs],
            topics=[resolve_topic(t) for t in self.topics],
        )

    def to_haystack(self) -> dict[str, Any] | None:
        """The Haystack filter dictionary (values must already be resolved), or None."""
        conditions: list[dict[str, Any]] = []
        for key, values in (
            ("countries", self.countries),
            ("regions", self.regions),
            ("doc_type", self.doc_types),
            ("lang", self.langs),
            ("topics", self.topics),
        ):
            if values:
                conditions.append({"field": f"meta.{key}", "operator": "in", "value": list(values)})
        if self.year_from is not None:
            conditions.append({"field": "meta.year", "operator": ">=", "value": int(self.year_from)})
        if self.year_to is not None:
            conditions.append({"field": "meta.year", "operator": "<=", "value": int(self.year_to)})
        if not conditions:
            return None
        return conditions[0] if len(conditions) == 1 else {"operator": "AND", "conditions": conditions}

    def describe(self) -> str:
        """A one-line human summary, e.g. `country: KEN, SEN · years 2010–2020`."""
        parts = []
        for label, values in (
            ("country", self.countries),
            ("region", self.regions),
            ("type", self.doc_types),
            ("language", self.langs),
            ("topic", self.topics),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"years {self.year_from or '…'}–{self.year_to or '…'}")
        return " · ".join(parts)


def resolve_country(value: str) -> str:
    """An ISO alpha-3 code of an ILO member State from a code or a name/demonym in English, French or Spanish."""
    from kb.core.countries import country_name, gazetteer, lookup_country

    code = lookup_country(value)
    if code:
        return code
    names = {" ".join(words): code for words, code in gazetteer().folded.items()}
    # Closest names first; a country has many (demonyms, translations): "Germny" is near four of Germany's.
    close = difflib.get_close_matches(fold_words(value), list(names), n=20, cutoff=0.75)
    codes = list(dict.fromkeys(names[c] for c in close))[:4]
    suggestions = [f"{code} ({country_name(code)})" for code in codes]
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else "; use a country name or ISO code"
    raise FilterValueError(f"unknown country {value!r}{hint}")


def resolve_region(value: str) -> str:
    """One of the five ILO regions, from its name or a common short form (en/fr/es)."""
    return _resolve(value, "region", _region_aliases())


def resolve_doc_type(value: str) -> str:
    """One of `DOC_TYPES` ('country study' → 'country_study')."""
    return _resolve(value, "document type", _type_aliases())


def resolve_lang(value: str, indexed: Collection[str] = ()) -> str:
    """en, fr or es from its code or its name in English, French or Spanish; or another ISO 639-1 code when it is
    one of `indexed` (kb reads three languages, but an index may hold a document ingestion found in another)."""
    return _resolve(value, "language", {**_lang_aliases(), **{fold_words(str(code)): str(code) for code in indexed if code}})


def is_supported_lang(value: str) -> bool:
    """Whether `value` names en, fr or es (so that resolving it needs no index)."""
    return fold_words(value) in _lang_aliases()


def resolve_topic(value: str) -> str:
    """A topic slug from a slug or a label."""
    return _resolve(value, "topic", _topic_aliases())


def _resolve(value: str, label: str, aliases: dict[str, str]) -> str:
    key = fold_words(value)
    if key in aliases:
        return aliases[key]
    close = difflib.get_close_matches(key, list(aliases), n=3, cutoff=0.6)
    allowed = ", ".join(dict.fromkeys(aliases.values()))
    hint = f"did you mean {', '.join(sorted({aliases[c] for c in close}))}? " if close else ""
    raise FilterValueError(f"unknown {label} {value!r}; {hint}allowed: {allowed}")


@cache
def _region_aliases() -> dict[str, str]:
    aliases = {fold_words(r): r for r in REGIONS}
    aliases.update({"asia": "Asia and the Pacific", "pacific": "Asia and the Pacific", "europe": "Europe and Central Asia",
                    "central asia": "Europe and Central Asia", "arab": "Arab States", "america": "Americas",
                    "latin america": "Americas", "afrique": "Africa", "africa": "Africa", "ameriques": "Americas",
                    "americas": "Americas", "etats arabes": "Arab States", "estados arabes": "Arab States"})
    return aliases


@cache
def _type_aliases() -> dict[str, str]:
    aliases = {fold_words(t): t for t in DOC_TYPES}
    aliases.update({fold_words(t.replace("_", " ")): t for t in DOC_TYPES})
    aliases.update({"study": "country_study", "promotion": "promotional", "awareness": "promotional",
                    "law": "legal", "legal text": "legal"})
    return aliases


@cache
def _lang_aliases() -> dict[str, str]:
    aliases = {code: code for code in LANGUAGES}
    for code, names in _LANG_NAMES.items():
        aliases.update({n: code for n in names})
    return aliases


@cache
def _topic_aliases() -> dict[str, str]:
    aliases = {fold_words(slug): slug for slug in TOPICS}
    aliases.update({fold_words(label): slug for slug, label in TOPICS.items()})
    return aliases
