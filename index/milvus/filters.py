"""Compile Haystack filter dictionaries into Milvus boolean expressions, with `index.filters`' semantics.

Metadata comparisons use the tokens and ranges of `index.milvus.meta`; `id` and `content` are columns.
Constant parts are folded away, so a filter that can match nothing compiles to `False` (the caller
returns nothing without asking Milvus) and one that matches everything to `True` (no expression).
Every atom is two-valued (arrays are never null, ranges are guarded by `exists`), so `not` behaves
the same whether the engine uses two- or three-valued logic.
"""

from datetime import datetime
from typing import Any

from haystack.errors import FilterError

from index.filters import list_value, require_iso_date, sql_value
from index.milvus.meta import equal_token, has_token, range_key

Expr = str | bool  # a Milvus expression, or a constant

TERMS_FIELD = "mterms"
RANGE_FIELD = "mrange"
_COLUMNS = ("id", "content")
_ORDERING = (">", ">=", "<", "<=")


def compile_filters(filters: dict[str, Any] | None) -> Expr:
    """The Milvus expression for `filters`; True for no filter, False for one that matches nothing."""
    if not filters:
        return True
    if not isinstance(filters, dict):
        raise FilterError(f"filters must be a dictionary, got {type(filters).__name__}")
    if "field" in filters:
        return _comparison(filters)
    return _logic(filters)


def literal(value: str) -> str:
    """A double-quoted Milvus string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def number(value: float) -> str:
    """A Milvus number literal."""
    return str(int(value)) if isinstance(value, bool) else repr(value)


def and_(parts: list[Expr]) -> Expr:
    """Conjunction with constants folded."""
    if any(p is False for p in parts):
        return False
    rest = [p for p in parts if p is not True]
    if not rest:
        return True
    return rest[0] if len(rest) == 1 else " and ".join(f"({p})" for p in rest)


def or_(parts: list[Expr]) -> Expr:
    """Disjunction with constants folded."""
    if any(p is True for p in parts):
        return True
    rest = [p for p in parts if p is not False]
    if not rest:
        return False
    return rest[0] if len(rest) == 1 else " or ".join(f"({p})" for p in rest)


def not_(part: Expr) -> Expr:
    """Negation with constants folded."""
    return (not part) if isinstance(part, bool) else f"not ({part})"


def in_list(field: str, values: list[str]) -> Expr:
    """`field in [...]` for string values; an empty list matches nothing."""
    return f"{field} in [{', '.join(literal(v) for v in values)}]" if values else False


def _logic(condition: dict[str, Any]) -> Expr:
    if "operator" not in condition:
        raise FilterError(f"'operator' key missing in {condition}")
    if "conditions" not in condition:
        raise FilterError(f"'conditions' key missing in {condition}")
    operator, conditions = condition["operator"], condition["conditions"]
    if not isinstance(conditions, list):
        raise FilterError(f"'conditions' must be a list in {condition}")
    parts = [compile_filters(c) if c else True for c in conditions]
    if operator == "AND":
        return and_(parts)
    if operator == "OR":
        return or_(parts)
    if operator == "NOT":
        return not_(and_(parts))
    raise FilterError(f"unknown logical operator '{operator}'; use AND, OR or NOT")


def _comparison(condition: dict[str, Any]) -> Expr:
    for key in ("field", "operator", "value"):
        if key not in condition:
            raise FilterError(f"'{key}' key missing in {condition}")
    field, operator, value = condition["field"], condition["operator"], condition["value"]
    if field in _COLUMNS:
        return _column(field, operator, value)
    key = field.removeprefix("meta.")
    if operator == "==":
        return _equal(key, value)
    if operator == "!=":
        return not_(_equal(key, value))
    if operator in _ORDERING:
        return _ordering(key, operator, value)
    if operator in ("in", "not in"):
        found = _in(key, list_value(operator, value))
        return found if operator == "in" else not_(found)
    raise FilterError(f"unknown comparison operator '{operator}'")


def _contains(tokens: list[str]) -> Expr:
    if not tokens:
        return False
    if len(tokens) == 1:
        return f"array_contains({TERMS_FIELD}, {literal(tokens[0])})"
    return f"array_contains_any({TERMS_FIELD}, [{', '.join(literal(t) for t in tokens)}])"


def _equal(key: str, value: Any) -> Expr:
    if value is None:
        return not_(_contains([has_token(key)]))
    if isinstance(value, (list, dict, tuple)):
        raise FilterError(f"'==' needs a single value for '{key}'; use 'in' to match any of several values")
    return _contains([equal_token(key, sql_value(value))])


def _in(key: str, values: list[Any]) -> Expr:
    present = _contains([equal_token(key, sql_value(v)) for v in values if v is not None])
    missing = _equal(key, None) if any(v is None for v in values) else False
    return or_([present, missing])


def _ordering(key: str, op: str, value: Any) -> Expr:
    if value is None:
        return False
    if isinstance(value, (list, tuple, dict)):
        raise FilterError(f"'{op}' needs a number or an ISO date for '{key}', not {type(value).__name__}")
    if isinstance(value, datetime):
        kind, bound = "s", literal(value.isoformat())
    elif isinstance(value, str):
        require_iso_date(value)
        kind, bound = "s", literal(value)
    else:
        kind, bound = "n", number(value)
    # some value above the bound ⇔ the largest is; some value below ⇔ the smallest is
    path = f'{RANGE_FIELD}[{literal(range_key(kind + ("max" if op[0] == ">" else "min"), key))}]'
    return f"exists {path} and {path} {op} {bound}"


def _column(column: str, operator: str, value: Any) -> Expr:
    nullable = column == "content"
    if operator == "==":
        if value is None:
            return f"{column} is null" if nullable else False
        return f"{column} == {literal(_text(value))}"
    if operator == "!=":
        if value is None:
            return f"{column} is not null" if nullable else True
        inequality = f"{column} != {literal(_text(value))}"
        return or_([f"{column} is null", inequality]) if nullable else inequality
    if operator in ("in", "not in"):
        values = [_text(v) for v in list_value(operator, value) if v is not None]
        found = in_list(column, values)
        if operator == "in":
            return found
        return and_([f"{column} is not null", not_(found)]) if nullable else not_(found)
    if operator in _ORDERING:
        if value is None:
            return False
        if not isinstance(value, str):
            raise FilterError(f"'{operator}' on '{column}' needs a string value")
        return f"{column} {operator} {literal(value)}"
    raise FilterError(f"unknown comparison operator '{operator}'")






def _text(value: Any) -> str:
    """How SQLite compares a value with a TEXT column: converted to text."""
    if isinstance(value, bool):
        return str(int(value))
    return value if isinstance(value, str) else str(value)

