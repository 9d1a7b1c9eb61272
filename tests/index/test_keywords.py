"""The keyword cache (term counts, ranked prefixes) never changes what a keyword search returns."""

import random

import numpy as np
import pytest
from haystack import Document

from index.keywords import KeywordCache
from index.store import LocalStore

WORDS = ["pension", "grant", "child", "health", "insurance", "informal", "worker", "coverage", "benefit", "contribution", "floor"]


@pytest.mark.parametrize("prefix", [5, 40, 1000])
def test_cached_prefix_gives_the_streamed_result(tmp_path, monkeypatch, prefix):
    monkeypatch.setattr(KeywordCache, "PREFIX", prefix)
    rng = random.Random(prefix)
    docs = [Document(id=f"d{i}", content=" ".join(rng.choices(WORDS, k=rng.randint(3, 12)))) for i in range(300)]
    with LocalStore(tmp_path / "i", embedding_model="m", dimension=4) as store:
        store.write_documents(docs)
        cache = KeywordCache()
        vids = np.arange(1, 301, dtype=np.int64)
        for query in ("pension for informal workers", "child grant", "health insurance floor", "unknown words"):
            for allowed in (None, vids[::3], vids[:10], vids[290:], np.empty(0, dtype=np.int64)):
                for top_k in (1, 10, 50):
                    cached = store.passages.keyword(query, None, top_k, allowed, cache)
                    assert cached == store.passages.keyword(query, None, top_k, allowed, None), (query, top_k)
