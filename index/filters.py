"""Compile Haystack filter dictionaries into parameterised SQL over `passages p` and `meta_index`.

Semantics follow Haystack's in-memory store; a list-valued field matches when any element matches.
"""

from datetime import datetime
from typing import Any

from haystack.errors import FilterError

SqlPart = tuple[str, list[Any]]

_COLUMNS = {"id": "p.id", "content": "p.content"}
_ORDERING = {">": ">", ">=": ">=", "<": "<", "<=": "<="}


def compile_filters(filters: dict[str, Any] | None) -> SqlPart:
    """A SQL boolean expression and its parameters; an empty filter is `1` (everything)."""
    if not filters:
        return "1", []
    if not isinstance(filters, dict):
        raise FilterError(f"filters must be a dictionary, got {type(filters).__name__}")
    if "field" in filters:
        return _comparison(filters)
    return _logic(filters)


def _logic(condition: dict[str, Any]) -> SqlPart:
    if "operator" not in condition:
        raise FilterError(f"'operator' key missing in {condition}")
    if "conditions" not in condition:
        raise FilterError(f"'conditions' key missing in {condition}")
    operator = condition["operator"]
    conditions = condition["conditions"]
    if not isinstance(conditions, list):
        raise FilterError(f"'conditions' must be a list in {condition}")
    parts = [compile_filters(c) if c else ("1", []) for c in conditions]
    sql = [f"({s})" for s, _ in parts]
    params = [p for _, ps in parts for p in ps]
    if operator == "AND":
        return (" AND ".join(sql) or "1"), params
    if operator == "OR":
        return (" OR ".join(sql) or "0"), params
    if operator == "NOT":
        return f"NOT ({' AND '.join(sql) or '1'})", params
    raise FilterError(f"unknown logical operator '{operator}'; use AND, OR or NOT")


def _comparison(condition: dict[str, Any]) -> SqlPart:
    for key in ("field", "operator", "value"):
        if key not in condition:
            raise FilterError(f"'{key}' key missing in {condition}")
    field, operator, value = condition["field"], condition["operator"], condition["value"]
    if field in _COLUMNS:
        return _column_comparison(_COLUMNS[field], operator, value)
    key = field[5:] if field.startswith("meta.") else field
    if operator == "==":
        return _equal(key, value)
    if operator == "!=":
        sql, params = _equal(key, value)
        return f"NOT ({sql})", params
    if operator in _ORDERING:
        return _ordering(key, _ORDERING[operator], value)
    if operator in ("in", "not in"):
        sql, params = _in(key, _list_value(operator, value))
        return (sql, params) if operator == "in" else (f"NOT ({sql})", params)
    raise FilterError(f"unknown comparison operator '{operator}'")


def _has(key: str, where: str, params: list[Any]) -> SqlPart:
    return f"p.vid IN (SELECT vid FROM meta_index WHERE key = ? AND {where})", [key, *params]


def _equal(key: str, value: Any) -> SqlPart:
    if value is None:
        sql, params = _has(key, "vtype != 'null'", [])
        return f"NOT ({sql})", params
    if isinstance(value, (list, dict, tuple)):
        raise FilterError(f"'==' needs a single value for '{key}'; use 'in' to match any of several values")
    return _has(key, "value = ?", [_sql_value(value)])


def _in(key: str, values: list[Any]) -> SqlPart:
    present = [_sql_value(v) for v in values if v is not None]
    parts: list[SqlPart] = []
    if present:
        marks = ", ".join("?" for _ in present)
        parts.append(_has(key, f"value IN ({marks})", present))
    if any(v is None for v in values):
        missing, params = _equal(key, None)
        parts.append((missing, params))
    if not parts:
        return "0", []
    return " OR ".join(f"({s})" for s, _ in parts), [p for _, ps in parts for p in ps]


def _ordering(key: str, op: str, value: Any) -> SqlPart:
    if value is None:
        return "0", []
    if isinstance(value, (list, tuple, dict)):
        raise FilterError(f"'{op}' needs a number or an ISO date for '{key}', not {type(value).__name__}")
    if isinstance(value, str):
        _require_iso_date(value)
        return _has(key, f"vtype = 'str' AND value {op} ?", [value])
    if isinstance(value, datetime):
        return _has(key, f"vtype = 'str' AND value {op} ?", [value.isoformat()])
    return _has(key, f"vtype IN ('int', 'float', 'bool') AND value {op} ?", [_sql_value(value)])


def _column_comparison(column: str, operator: str, value: Any) -> SqlPart:
    if operator == "==":
        return (f"{column} IS NULL", []) if value is None else (f"{column} = ?", [value])
    if operator == "!=":
        return (f"{column} IS NOT NULL", []) if value is None else (f"({column} IS NULL OR {column} != ?)", [value])
    if operator in ("in", "not in"):
        values = _list_value(operator, value)
        if not values:
            return ("0", []) if operator == "in" else ("1", [])
        marks = ", ".join("?" for _ in values)
        sql = f"{column} IN ({marks})"
        return (sql, list(values)) if operator == "in" else (f"NOT ({sql})", list(values))
    if operator in _ORDERING:
        if value is None:
            return "0", []
        if not isinstance(value, str):
            raise FilterError(f"'{operator}' on '{column}' needs a string value")
        return f"{column} {_ORDERING[operator]} ?", [value]
    raise FilterError(f"unknown comparison operator '{operator}'")


def _list_value(operator: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise FilterError(f"'{operator}' needs a list of values, got {type(value).__name__}")
    return value


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _require_iso_date(value: str) -> None:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise FilterError(
            f"cannot compare with the string {value!r} using '>', '>=', '<', '<=': "
            "strings are only comparable when they are ISO dates"
        ) from None
