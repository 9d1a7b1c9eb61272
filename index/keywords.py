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


def selective_terms(con: sqlite3.Connection, terms: list[str], total: int) -> list[str]:
    """`terms` without those in more than `COMMON_SHARE` of `total` passages (the two rarest always stay)."""
    cap = max(int(total * COMMON_SHARE), COMMON_MIN)
    if total <= cap or len(terms) <= 2:
        return terms
    sql = "SELECT count(*) FROM (SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)"
    df = {t: con.execute(sql, (f'"{t}"', cap + 1)).fetchone()[0] for t in terms}
    rare = [t for t in terms if 0 < df[t] <= cap]
    return rare if len(rare) >= 2 else sorted(terms, key=lambda t: (df[t] == 0, df[t]))[:2]
