"""One Milvus Lite engine per test module (it starts once per file path); one collection name per test."""

import itertools

import pytest

from index.milvus.store import MilvusStore

_names = itertools.count()


@pytest.fixture(scope="module")
def lite_db(tmp_path_factory):
    """The Milvus Lite file shared by the tests of a module."""
    return tmp_path_factory.mktemp("milvus") / "kb.db"


@pytest.fixture
def open_store(lite_db):
    """Open a MilvusStore in the module's Milvus Lite file under a fresh collection name."""
    opened: list[MilvusStore] = []

    def _open(dimension: int, name: str | None = None, **kw) -> MilvusStore:
        kw.setdefault("embedding_model", "test-model")
        store = MilvusStore.from_uri(f"milvus:{lite_db}", dimension=dimension, name=name or f"t{next(_names)}", **kw)
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.close()
