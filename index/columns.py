"""Metadata columns in memory: each filtered key's passage ids grouped by value, loaded once per data version.

At 1M passages a country or a year range matches hundreds of thousands of passages; reading those ids out of
SQLite for every query cost ~1 us an id (324 ms for a country and a year range). A key is read once, as one
`group_concat` per distinct value (countries: ~200 rows, not 2M), and kept as sorted id arrays: the next
comparisons on it are dictionary look-ups, binary searches over its sorted distinct values, and numpy set
operations on boolean masks. Numbers and text are kept apart, in SQLite's own order (numbers < text), so every
comparison means what the SQL in index/filters.py means. Owned by the store, dropped when the data changes.
"""

import bisect
import sqlite3
from collections.abc import Sequence
from typing import Any

import numpy as np

Vids = np.ndarray  # sorted, unique int64
EMPTY = np.empty(0, dtype=np.int64)


def parse_vids(text: str | None) -> Vids:
    """`group_concat(vid)` text → sorted unique ids (one value's rows already come in id order)."""
    if not text:
        return EMPTY
    vids = np.fromstring(text, dtype=np.int64, sep=",")
    if len(vids) < 2 or bool(np.all(vids[1:] > vids[:-1])):
        return vids
    return np.unique(vids)


def union(parts: Sequence[Vids]) -> Vids:
    """Sorted union; a boolean mask over the id range when the parts are large (no sort)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    total = sum(len(p) for p in parts)
    top = max(int(p[-1]) for p in parts)
    if total < 4096 or top > 64 * total:
        return np.unique(np.concatenate(parts))
    mask = np.zeros(top + 1, dtype=bool)
    for part in parts:
        mask[part] = True
    return np.flatnonzero(mask).astype(np.int64, copy=False)


def intersect(a: Vids, b: Vids) -> Vids:
    """Sorted intersection of two sorted unique arrays (a mask lookup: linear, no sort)."""
    if not len(a) or not len(b):
        return EMPTY
    if len(a) > len(b):
        a, b = b, a
    mask = np.zeros(int(max(a[-1], b[-1])) + 1, dtype=bool)
    mask[b] = True
    return a[mask[a]]


def minus(a: Vids, b: Vids) -> Vids:
    """Sorted difference a - b of sorted unique arrays."""
    if not len(a) or not len(b):
        return a
    mask = np.zeros(int(max(a[-1], b[-1])) + 1, dtype=bool)
    mask[b] = True
    return a[~mask[a]]


class KeyColumn:
    """One metadata key: sorted distinct numbers and texts, each with its sorted passage ids."""

    def __init__(self, numbers: list[tuple[Any, Vids]], texts: list[tuple[str, Vids]]) -> None:
        self.numbers = [v for v, _ in numbers]
        self.number_vids = [ids for _, ids in numbers]
        self.texts = [v for v, _ in texts]
        self.text_vids = [ids for _, ids in texts]
        self._by_number = dict(numbers)
        self._by_text = dict(texts)
        self._present: Vids | None = None

    @classmethod
    def load(cls, con: sqlite3.Connection, key: str) -> "KeyColumn":
        head = "SELECT value, group_concat(vid) FROM meta_index WHERE key = ? AND "
        tail = " GROUP BY value ORDER BY value"
        numbers = [(v, parse_vids(t)) for v, t in con.execute(head + "value < ''" + tail, (key,))]
        texts = [(v, parse_vids(t)) for v, t in con.execute(head + "value >= ''" + tail, (key,))]
        return cls(numbers, texts)

    def equal(self, value: Any) -> Vids:
        """Passages holding `value` (a number, or a string; bools and datetimes as stored)."""
        table = self._by_text if isinstance(value, str) else self._by_number
        return table.get(value, EMPTY)

    def any_of(self, values: list[Any]) -> Vids:
        return union([self.equal(v) for v in values])

    def present(self) -> Vids:
        """Passages holding any non-null value."""
        if self._present is None:
            self._present = union(self.number_vids + self.text_vids)
        return self._present

    def within(self, op: str, bound: Any, text: bool) -> Vids:
        """Passages holding a value `op` `bound` (">", ">=", "<", "<="), among their numbers or their texts."""
        values, vids = (self.texts, self.text_vids) if text else (self.numbers, self.number_vids)
        if op in (">", ">="):
            lo, hi = (bisect.bisect_right if op == ">" else bisect.bisect_left)(values, bound), len(values)
        else:
            lo, hi = 0, (bisect.bisect_left if op == "<" else bisect.bisect_right)(values, bound)
        return union(vids[lo:hi])


class MetaColumns:
    """The columns of one data version of an index, loaded key by key as filters ask for them."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self._keys: dict[str, KeyColumn] = {}
        self._all: Vids | None = None

    def column(self, key: str) -> KeyColumn:
        if key not in self._keys:
            self._keys[key] = KeyColumn.load(self.con, key)
        return self._keys[key]

    def universe(self) -> Vids:
        """Every passage id."""
        if self._all is None:
            self._all = parse_vids(self.con.execute("SELECT group_concat(vid) FROM passages").fetchone()[0])
        return self._all

