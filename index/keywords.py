"""Free text → a safe FTS5 MATCH expression: terms quoted and OR-ed (no user syntax), very common terms dropped."""

import re
import sqlite3

MAX_TERMS = 64
# A term found in more than this share of passages says little (BM25 gives it almost no weight) but
# makes ranking touch most of the index; it is dropped when rarer terms remain (see bench/ and README).
COMMON_SHARE = 0.05
COMMON_MIN = 2_000  # small indexes keep every term
_TOKEN = re.compile(r"\w+", re.UNICODE)


def query_terms(query: str) -> list[str]:
    """Distinct lower-case word tokens of `query`, in order, at most `MAX_TERMS`."""
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(query.lower()):
        token = token.strip("_")
        if token:
            seen.setdefault(token, None)
        if len(seen) >= MAX_TERMS:
            break
    return list(seen)


def match_expression(terms: list[str]) -> str | None:
    """A MATCH string OR-ing the quoted terms, or None when there are none."""
    return " OR ".join(f'"{t}"' for t in terms) or None


def selective_terms(
    con: sqlite3.Connection, terms: list[str], total: int, known: dict[tuple[str, int], int] | None = None
) -> list[str]:
    """`terms` without those in more than `COMMON_SHARE` of `total` passages (the two rarest always stay).

    `known`: passage counts (capped) of terms already looked up in this data version, updated here.
    """
    cap = max(int(total * COMMON_SHARE), COMMON_MIN)
    if total <= cap or len(terms) <= 2:
        return terms
    sql = "SELECT count(*) FROM (SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)"
    known = {} if known is None else known
    for t in terms:
        if (t, cap) not in known:
            known[(t, cap)] = con.execute(sql, (f'"{t}"', cap + 1)).fetchone()[0]
    df = {t: known[(t, cap)] for t in terms}
    rare = [t for t in terms if 0 < df[t] <= cap]
    return rare if len(rare) >= 2 else sorted(terms, key=lambda t: (df[t] == 0, df[t]))[:2]


class KeywordCache:
    """Per data version: term passage counts and the best-ranked prefix of recent MATCH expressions.

    A question that names a country runs the same MATCH twice (all passages, then the country's); the second
    finds its top-k in the cached prefix instead of ranking every match again.
    """

    PREFIX = 1000  # rows ranked by one MATCH (measured at 1M: LIMIT 1000 costs 73 ms, no limit 88 ms)
    ENTRIES = 8

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}
        self._ranked: dict[str, list[tuple[int, float]]] = {}

    def ranked(self, con: sqlite3.Connection, match: str) -> tuple[list[tuple[int, float]], bool]:
        """The best `PREFIX` (rowid, bm25) rows of `match`, and whether they are all its matches."""
        if match not in self._ranked:
            if len(self._ranked) >= self.ENTRIES:
                self._ranked.pop(next(iter(self._ranked)))
            sql = f"{RANKED} LIMIT {self.PREFIX}"
            self._ranked[match] = con.execute(sql, [match]).fetchall()
        rows = self._ranked[match]
        return rows, len(rows) < self.PREFIX


RANKED = "SELECT rowid, bm25(passages_fts, 1.0, 0.5) AS s FROM passages_fts WHERE passages_fts MATCH ? ORDER BY s, rowid"
