"""Flatten a document's metadata into (key, value, vtype) rows for the indexed `meta_index` table."""

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


def restore(value: Any, vtype: str) -> Any:
    """Give a stored value back its Python type."""
    if vtype == "bool":
        return bool(value)
    if vtype == "float":
        return float(value)
    return value
