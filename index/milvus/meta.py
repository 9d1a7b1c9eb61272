"""Metadata as Milvus can filter it exactly: equality tokens in an array, numeric and string ranges in JSON.

Each passage's metadata is flattened as the local store flattens it (`index.metaindex.flatten`: dicts
nest with dotted keys, a list gives one value per element). Every (key, value) becomes a hashed token
in the `mterms` ARRAY field, plus one `has` token per key with a non-null value; per key, the smallest
and largest numeric and string values go into the `mrange` JSON field. A filter then becomes
`array_contains*` and guarded range tests, which give the local store's semantics exactly: a list
matches when any element matches, 1 == 1.0 == True but "1" differs, and `!=` includes missing keys.
"""

import hashlib
import math
from functools import lru_cache
from typing import Any

from index.metaindex import flatten

MAX_TERMS = 4096  # Milvus's largest ARRAY capacity
TOKEN_LENGTH = 20


@lru_cache(maxsize=1 << 16)
def token(kind: str, key: str, canonical: str = "") -> str:
    """A fixed-length token for (kind, key, value): no quoting, escaping or length limit to worry about."""
    digest = hashlib.blake2b(f"{kind}\x00{key}\x00{canonical}".encode(), digest_size=TOKEN_LENGTH // 2)
    return digest.hexdigest()


def canonical(value: Any) -> str:
    """The equality class of a scalar as SQLite compares it: numbers (and booleans) by value, else as text."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return f"n:{value}"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**63:
            return f"n:{int(value)}"
        return f"n:{value!r}"
    return f"s:{value}"


def equal_token(key: str, value: Any) -> str:
    """The token a passage carries when `key` holds `value` (or a list containing it)."""
    return token("eq", key, canonical(value))


def has_token(key: str) -> str:
    """The token a passage carries when `key` holds at least one non-null value."""
    return token("has", key)


def range_key(bound: str, key: str) -> str:
    """The `mrange` JSON key for `bound` (nmin, nmax, smin, smax) of metadata `key`."""
    return f"{bound}:{token('key', key)}"


def index_fields(meta: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """(`mterms`, `mrange`) for one passage's metadata."""
    terms: dict[str, None] = {}
    ranges: dict[str, Any] = {}
    for key, value, vtype in flatten(meta):
        if vtype == "null":
            continue
        terms.setdefault(has_token(key), None)
        terms.setdefault(equal_token(key, value), None)
        if vtype == "str":
            _widen(ranges, "s", key, str(value))
        elif not (isinstance(value, float) and not math.isfinite(value)):
            _widen(ranges, "n", key, value)
    if len(terms) > MAX_TERMS:
        raise ValueError(
            f"metadata with {len(terms)} distinct values cannot be indexed in Milvus (at most {MAX_TERMS}); "
            "store long lists outside the passage metadata"
        )
    return list(terms), ranges


def _widen(ranges: dict[str, Any], kind: str, key: str, value: Any) -> None:
    low, high = range_key(f"{kind}min", key), range_key(f"{kind}max", key)
    if low not in ranges or value < ranges[low]:
        ranges[low] = value
    if high not in ranges or value > ranges[high]:
        ranges[high] = value
