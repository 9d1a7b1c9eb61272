"""Turn free text into a safe FTS5 MATCH expression (terms OR-ed, each quoted; no user syntax)."""

import re

MAX_TERMS = 64
_TOKEN = re.compile(r"\w+", re.UNICODE)


def match_expression(query: str, stopwords: frozenset[str] = frozenset()) -> str | None:
    """A MATCH string for `query`, or None when it has no searchable term."""
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(query.lower()):
        token = token.strip("_")
        if token and token not in stopwords and token not in seen:
            seen[token] = None
        if len(seen) >= MAX_TERMS:
            break
    if not seen:
        return None
    return " OR ".join(f'"{t}"' for t in seen)
