"""Text normalisation for Milvus BM25: fold accents and case, split into words, Porter-stem.

Milvus Lite 3.2.2 implements only the `standard` tokenizer (lowercase + stop words) and silently
ignores other analyzer filters, so `asciifolding` alone does not make "pension" find "pensión" there.
kb therefore normalises text before it reaches Milvus, the same way as the local FTS5 tokenizer
(`porter unicode61 remove_diacritics 2`), so both backends and a Milvus server match the same words.
"""

import re
from functools import lru_cache

import snowballstemmer

from kb.core.text import fold

MAX_TERMS = 64  # as the local store: at most this many distinct query terms
MAX_BYTES = 65_535  # a Milvus VARCHAR holds at most this many bytes
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("porter")



@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def terms(text: str) -> list[str]:
    """The searchable terms of `text`: folded, split on non-word characters, Porter-stemmed."""
    return [_stem(w) for w in _WORD.findall(fold(text))]


def analysed(text: str) -> str:
    """The text stored in the BM25 field: its terms joined by spaces, cut to fit a VARCHAR."""
    out = " ".join(terms(text))
    data = out.encode("utf-8")
    if len(data) <= MAX_BYTES:
        return out
    return data[:MAX_BYTES].decode("utf-8", errors="ignore").rsplit(" ", 1)[0]


def query_text(query: str, stopwords: frozenset[str] = frozenset()) -> str | None:
    """The BM25 query for free text (distinct terms, stop words dropped), or None when none is left."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(query)):
        if word in stopwords:
            continue
        seen.setdefault(_stem(word), None)
        if len(seen) >= MAX_TERMS:
            break
    return " ".join(seen) or None
