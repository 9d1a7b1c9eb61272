"""Evaluate Haystack filter dictionaries to sorted arrays of passage vids, by set algebra.

Each comparison is one indexed query on `meta_index` (or on a passages column for `id`/`content`)
fetched as one `group_concat` string; AND, OR and NOT are numpy intersections, unions and
differences. Measured at 100k passages this is several times faster than SQL boolean expressions
over the passages table, whose wide rows make each lookup costly. Searches pass the store's in-memory
`MetaColumns` (index/columns.py), which answer the same comparisons without SQL once a key is loaded.
Semantics follow Haystack's in-memory store; a list-valued field matches when any element matches.
"""

import sqlite3
from datetime import datetime
from typing import Any

from haystack.errors import FilterError

from index.columns import EMPTY as _EMPTY
from index.columns import MetaColumns, Vids, intersect, minus, parse_vids, union

_COLUMNS = {"id", "content"}
_ORDERING = (">", ">=", "<", "<=")


class FilterSets:
    """Filters → vid sets over one SQLite connection (call inside a read transaction)."""

    def __init__(self, con: sqlite3.Connection, columns: MetaColumns | None = None) -> None:
        self.con = con
        self.columns = columns  # in-memory metadata columns of the current data (read paths), else SQL
        self._all: Vids | None = None

    def evaluate(self, filters: dict[str, Any] | None) -> Vids | None:
        """The vids matching `filters`, or None when there is no filter (everything matches)."""
        if not filters:
            return None
        if not isinstance(filters, dict):
            raise FilterError(f"filters must be a dictionary, got {type(filters).__name__}")
        self._all = None
        try:
            return self._node(filters)
        finally:
            self._all = None

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
        parts = [self._node(c) if c else self._universe() for c in conditions]
        if operator == "AND":
            return self._and(parts)
        if operator == "OR":
            return union(parts)
        if operator == "NOT":
            return minus(self._universe(), self._and(parts))
        raise FilterError(f"unknown logical operator '{operator}'; use AND, OR or NOT")

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
        if value is None:
            return _EMPTY
        if isinstance(value, (list, tuple, dict)):
            raise FilterError(f"'{op}' needs a number or an ISO date for '{key}', not {type(value).__name__}")
        if isinstance(value, str):
            require_iso_date(value)
        text = isinstance(value, (str, datetime))
        if self.columns:
            return self.columns.column(key).within(op, sql_value(value), text=text)
        # SQLite's type order (NULL < numbers < text) keeps the other type out, still inside the index
        return self._meta(key, f"value {op} ? AND value {'>=' if text else '<'} ''", [sql_value(value)])

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
