"""Metadata aggregates (facet counts, distinct values, types, min/max) over scanned passage metadata.

Milvus has no GROUP BY for queries, so these read the `meta` field of the matching passages and
aggregate here, flattening metadata exactly as the local store's `meta_index` does, so both backends
count, type and order values the same way (by type tag, then value).
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from index.metaindex import flatten, restore

TYPE_NAMES = {"str": "keyword", "int": "long", "float": "float", "bool": "boolean", "null": "keyword"}


def value_counts(metas: Iterable[dict[str, Any]], key: str) -> list[tuple[Any, str, int]]:
    """(value, type tag, passages) for every non-null value of `key`, ordered by type tag then value."""
    counts: Counter[tuple[str, Any]] = Counter()
    for meta in metas:
        seen = {(t, v) for k, v, t in flatten(meta) if k == key and t != "null"}
        counts.update(seen)
    ordered = sorted(counts, key=lambda tv: (tv[0], tv[1]))
    return [(restore(v, t), t, counts[(t, v)]) for t, v in ordered]


def field_types(metas: Iterable[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Metadata keys and the name of their type (the first non-null type tag, as the local store reports)."""
    tags: dict[str, set[str]] = {}
    for meta in metas:
        for key, _value, tag in flatten(meta):
            tags.setdefault(key, set()).add(tag)
    first = {key: min(found, key=lambda t: (t == "null", t)) for key, found in tags.items()}
    return {key: {"type": TYPE_NAMES[first[key]]} for key in sorted(first)}


def min_max(metas: Iterable[dict[str, Any]], key: str) -> tuple[Any, Any]:
    """Smallest and largest value of `key`: numbers if any value is numeric, else strings."""
    numbers: list[Any] = []
    strings: list[str] = []
    for meta in metas:
        for k, value, tag in flatten(meta):
            if k != key:
                continue
            if tag in ("int", "float"):
                numbers.append(value)
            elif tag == "str":
                strings.append(value)
    for values in (numbers, strings):
        if values:
            return min(values), max(values)
    return None, None
