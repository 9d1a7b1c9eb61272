"""Flatten a document's metadata into (key, value, vtype) rows for the indexed `meta_index` table."""

import json
from collections.abc import Iterator
from typing import Any

Row = tuple[str, Any, str]


def value_type(value: Any) -> str:
    """The stored type tag of a scalar; bool is checked before int because bool is an int in Python."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


def _scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return str(value)


def flatten(meta: dict[str, Any], prefix: str = "") -> Iterator[Row]:
    """Yield one row per scalar value; lists give one row per element, dicts nest with dotted keys."""
    for key, value in meta.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from flatten(value, prefix=f"{name}.")
        elif isinstance(value, (list, tuple)):
            for item in value:
                if not isinstance(item, (dict, list, tuple)):
                    yield name, _scalar(item), value_type(item)
        else:
            yield name, _scalar(value), value_type(value)


def multi_keys(meta: dict[str, Any], prefix: str = "") -> set[str]:
    """The flattened keys of `meta` holding a list of two or more values (several rows for one passage)."""
    out = set()
    for key, value in meta.items():
        if isinstance(value, dict):
            out |= multi_keys(value, prefix=f"{prefix}{key}.")
        elif isinstance(value, (list, tuple)) and len(value) > 1:
            out.add(f"{prefix}{key}")
    return out


# The keys any passage ever held several values for, kept in `kv` (index/filters.py merges range bounds only on
# the others). Made from the data when an index without it is opened for writing.
MULTI_KEYS_SQL = """INSERT OR IGNORE INTO kv SELECT 'multi_keys', json_group_array(key) FROM
    (SELECT DISTINCT key FROM (SELECT key FROM meta_index GROUP BY key, vid HAVING count(*) > 1))"""


def read_multi_keys(con: Any) -> set[str] | None:
    """The keys recorded as multi-valued, or None when unknown (an older index opened read-only)."""
    row = con.execute("SELECT value FROM kv WHERE key = 'multi_keys'").fetchone()
    return set(json.loads(row[0])) if row else None


def record_multi_keys(con: Any, keys: set[str]) -> None:
    """Add `keys` to the recorded multi-valued keys (inside the caller's write transaction)."""
    known = read_multi_keys(con)
    if keys and known is not None and not keys <= known:
        con.execute("UPDATE kv SET value = ? WHERE key = 'multi_keys'", (json.dumps(sorted(known | keys)),))


def restore(value: Any, vtype: str) -> Any:
    """Give a stored value back its Python type."""
    if vtype == "bool":
        return bool(value)
    if vtype == "float":
        return float(value)
    return value
