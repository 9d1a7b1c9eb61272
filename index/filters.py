"""Evaluate Haystack filter dictionaries to sorted arrays of passage vids, by set algebra.

Each comparison is one indexed query on `meta_index` (or on a passages column for `id`/`content`)
fetched as one `group_concat` string; AND, OR and NOT are numpy intersections, unions and
differences. Measured at 100k passages this is several times faster than SQL boolean expressions
over the passages table, whose wide rows make each lookup costly. Searches pass the store's in-memory
`MetaColumns` (index/columns.py), which answer the same comparisons without SQL once a key is loaded.
Semantics follow Haystack's in-memory store; a list-valued field matches when any element matches.
"""

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
from haystack.errors import FilterError

from index.columns import MetaColumns, intersect, minus, parse_vids, union
from index.metaindex import read_multi_keys

Vids = np.ndarray  # sorted, unique int64

_COLUMNS = {"id", "content"}
_ORDERING = (">", ">=", "<", "<=")
_EMPTY = np.empty(0, dtype=np.int64)


class FilterSets:
    """Filters → vid sets over one SQLite connection (call inside a read transaction)."""

    def __init__(self, con: sqlite3.Connection, columns: MetaColumns | None = None) -> None:
        self.con = con
        self.columns = columns  # in-memory metadata columns of the current data (read paths), else SQL
        self._all: Vids | None = None
        self._multi_keys: set[str] | None = None

    def evaluate(self, filters: dict[str, Any] | None) -> Vids | None:
        """The vids matching `filters`, or None when there is no filter (everything matches)."""
        if not filters:
            return None
        if not isinstance(filters, dict):
            raise FilterError(f"filters must be a dictionary, got {type(filters).__name__}")
        self._all = self._multi_keys = None
        try:
            return self._node(filters)
        finally:
            self._all = self._multi_keys = None

    # ---- structure ----
    def _node(self, condition: dict[str, Any]) -> Vids:
        if "field" in condition:
            return self._comparison(condition)
        if "operator" not in condition:
            raise FilterError(f"'operator' key missing in {condition}")
        if "conditions" not in condition:
            raise FilterError(f"'conditions' key missing in {condition}")
        operator, conditions = condition["operator"], condition["conditions"]
        if not isinstance(conditions, list):
            raise FilterError(f"'conditions' must be a list in {condition}")
        if operator == "AND":
            ranges, rest = _ranges(conditions, self._single_valued())
            parts = [self._range(key, bounds) for key, bounds in ranges.items()]
            return self._and(parts + [self._node(c) if c else self._universe() for c in rest])
        parts = [self._node(c) if c else self._universe() for c in conditions]
        if operator == "OR":
            return union(parts)
        if operator == "NOT":
            return minus(self._universe(), self._and(parts))
        raise FilterError(f"unknown logical operator '{operator}'; use AND, OR or NOT")

    def _single_valued(self) -> Callable[[str], bool]:
        """Whether no passage holds several values of a key (then bounds on it may be merged into one range)."""
        if self._multi_keys is None:
            self._multi_keys = read_multi_keys(self.con)
        known = self._multi_keys
        return lambda key: known is not None and key not in known

    def _and(self, parts: list[Vids]) -> Vids:
        if not parts:
            return self._universe()
        result = parts[0]
        for part in parts[1:]:
            result = intersect(result, part)
        return result

    def _comparison(self, condition: dict[str, Any]) -> Vids:
        for key in ("field", "operator", "value"):
            if key not in condition:
                raise FilterError(f"'{key}' key missing in {condition}")
        field, operator, value = condition["field"], condition["operator"], condition["value"]
        if operator not in ("==", "!=", "in", "not in", *_ORDERING):
            raise FilterError(f"unknown comparison operator '{operator}'")
        if field in _COLUMNS:
            return self._column(field, operator, value)
        key = field.removeprefix("meta.")
        if operator == "==":
            return self._equal(key, value)
        if operator == "!=":
            return self._minus(self._equal(key, value))
        if operator == "in":
            return self._in(key, list_value(operator, value))
        if operator == "not in":
            return self._minus(self._in(key, list_value(operator, value)))
        return self._ordering(key, operator, value)

    # ---- metadata comparisons ----
    def _equal(self, key: str, value: Any) -> Vids:
        if value is None:
            present = self.columns.column(key).present() if self.columns else None
            return self._minus(present if present is not None else self._meta(key, "value IS NOT NULL", []))
        if isinstance(value, (list, dict, tuple)):
            raise FilterError(f"'==' needs a single value for '{key}'; use 'in' to match any of several values")
        if self.columns:
            return self.columns.column(key).equal(sql_value(value))
        return self._meta(key, "value = ?", [sql_value(value)])

    def _in(self, key: str, values: list[Any]) -> Vids:
        present = [sql_value(v) for v in values if v is not None]
        parts = []
        if present and self.columns:
            parts.append(self.columns.column(key).any_of(present))
        elif present:
            parts.append(self._meta(key, f"value IN ({', '.join('?' for _ in present)})", present))
        if any(v is None for v in values):
            parts.append(self._equal(key, None))
        return union(parts)

    def _ordering(self, key: str, op: str, value: Any) -> Vids:
        return self._range(key, [(op, value)])

    def _range(self, key: str, bounds: list[tuple[str, Any]]) -> Vids:
        """Values of `key` within every (operator, value) bound: one index range scan."""
        if any(value is None for _, value in bounds):
            return _EMPTY
        for op, value in bounds:
            if isinstance(value, (list, tuple, dict)):
                raise FilterError(f"'{op}' needs a number or an ISO date for '{key}', not {type(value).__name__}")
            if isinstance(value, str):
                require_iso_date(value)
        text = [isinstance(value, (str, datetime)) for _, value in bounds]
        if any(text) and not all(text):
            return _EMPTY  # a value cannot be both a number and a date
        if self.columns:
            return self.columns.column(key).within([(op, sql_value(v)) for op, v in bounds], text=all(text))
        where = [f"value {op} ?" for op, _ in bounds]
        # SQLite's type order (NULL < numbers < text) keeps the other type out, still inside the index
        where.append("value >= ''" if all(text) else "value < ''")
        return self._meta(key, " AND ".join(where), [sql_value(value) for _, value in bounds])

    # ---- id and content columns ----
    def _column(self, column: str, operator: str, value: Any) -> Vids:
        if operator in ("in", "not in"):
            values = list_value(operator, value)
            found = self._rows(column, f"IN ({', '.join('?' for _ in values)})", values) if values else _EMPTY
            return found if operator == "in" else self._minus(found)
        if operator in ("==", "!="):
            found = self._rows(column, "IS NULL", []) if value is None else self._rows(column, "= ?", [value])
            return found if operator == "==" else self._minus(found)
        if value is None:
            return _EMPTY
        if not isinstance(value, str):
            raise FilterError(f"'{operator}' on '{column}' needs a string value")
        return self._rows(column, f"{operator} ?", [value])

    # ---- leaves ----
    def _meta(self, key: str, where: str, params: list[Any]) -> Vids:
        # Conditions on `value` alone, never `vtype`, so SQLite answers from the (key, value, vid) index without
        # reading table rows; SQLite's type order (NULL < numbers < text) separates the types. Duplicates (a
        # list holding a value twice) are removed by `_fetch`. 5-10x faster than with vtype and DISTINCT at 100k.
        return self._fetch(f"SELECT vid FROM meta_index WHERE key = ? AND {where}", [key, *params])

    def _rows(self, column: str, condition: str, params: list[Any]) -> Vids:
        return self._fetch(f"SELECT vid FROM passages WHERE {column} {condition}", params)

    def _universe(self) -> Vids:
        if self.columns:
            return self.columns.universe()
        if self._all is None:
            self._all = self._fetch("SELECT vid FROM passages", [])
        return self._all

    def _minus(self, vids: Vids) -> Vids:
        return minus(self._universe(), vids)

    def _fetch(self, sql: str, params: list[Any]) -> Vids:
        return parse_vids(self.con.execute(f"SELECT group_concat(vid) FROM ({sql})", params).fetchone()[0])


def _ranges(
    conditions: list[Any], single_valued: Callable[[str], bool]
) -> tuple[dict[str, list[tuple[str, Any]]], list[Any]]:
    """Split AND conditions into ordering comparisons grouped by single-valued metadata key, and the others.

    (Where a passage holds several values, each bound may be met by a different one: those stay separate.)
    """
    ranges: dict[str, list[tuple[str, Any]]] = {}
    rest = []
    for c in conditions:
        key = c["field"].removeprefix("meta.") if isinstance(c, dict) and isinstance(c.get("field"), str) else None
        if (key is not None and c.get("operator") in _ORDERING and "value" in c and c["field"] not in _COLUMNS
                and single_valued(key)):
            ranges.setdefault(key, []).append((c["operator"], c["value"]))
        else:
            rest.append(c)
    return ranges, rest


def list_value(operator: str, value: Any) -> list[Any]:
    """The list an `in`/`not in` filter needs, or `FilterError`."""
    if not isinstance(value, list):
        raise FilterError(f"'{operator}' needs a list of values, got {type(value).__name__}")
    return value


def sql_value(value: Any) -> Any:
    """A filter value as stored: bools as 0/1, datetimes as ISO strings."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def require_iso_date(value: str) -> None:
    """`FilterError` unless `value` is an ISO date (the only strings ordering operators accept)."""
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise FilterError(
            f"cannot compare with the string {value!r} using '>', '>=', '<', '<=': "
            "strings are only comparable when they are ISO dates"
        ) from None
