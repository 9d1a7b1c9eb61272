"""Milvus filter expressions give exactly the local store's answers, on awkward metadata and filters."""

import random
from datetime import datetime

import pytest
from haystack import Document
from haystack.errors import FilterError

from index.milvus.filters import compile_filters, literal
from index.store import LocalStore

METAS = [
    {"n": 1, "s": "a", "l": ["x", "y"], "d": "2020-01-01T00:00:00", "nested": {"k": 1}},
    {"n": 1.0, "s": "b", "l": ["y"], "d": "2021-06-01T12:00:00", "b": True},
    {"n": True, "s": "1", "l": [], "nested": {"k": "1"}},
    {"n": "1", "s": None, "l": [1, 2, 3], "b": False},
    {"n": None, "l": ["x", None], "d": "1999-12-31T23:59:59"},
    {"n": -2.5, "s": "a\"b\\c", "l": [2.5, "z"], "nested": {"k": None}},
    {"n": 10, "s": "é ü", "l": "x"},
    {},
    {"n": 3, "l": [True, 0], "b": 1},
    {"n": 2**40, "s": "line\nbreak", "d": "2020-01-01"},
]

FIELDS = ["meta.n", "meta.s", "meta.l", "meta.d", "meta.b", "meta.nested.k", "meta.missing", "n"]
VALUES = [None, 0, 1, 1.0, True, False, -2.5, 10, 3, 2**40, "1", "a", "x", "y", "z", "é ü", 'a"b\\c', "line\nbreak"]
DATES = ["2020-01-01T00:00:00", "2020-01-01", "1999-12-31T23:59:59", datetime(2021, 1, 1)]


def _docs() -> list[Document]:
    return [Document(id=f"d{i}", content=f"text {i}", meta=m) for i, m in enumerate(METAS)]


def _random_filter(rng: random.Random, depth: int = 0) -> dict:
    if depth < 2 and rng.random() < 0.35:
        op = rng.choice(["AND", "OR", "NOT"])
        return {"operator": op, "conditions": [_random_filter(rng, depth + 1) for _ in range(rng.randint(1, 3))]}
    field = rng.choice(FIELDS)
    op = rng.choice(["==", "!=", ">", ">=", "<", "<=", "in", "not in"])
    if op in ("in", "not in"):
        value = rng.sample(VALUES, rng.randint(0, 3))
    elif op in (">", ">=", "<", "<="):
        value = rng.choice([None, 0, 1, 2.5, -3, 10, True, *DATES])
    else:
        value = rng.choice(VALUES)
    return {"field": field, "operator": op, "value": value}


@pytest.fixture(scope="module")
def both(tmp_path_factory, lite_db):
    from index.milvus.store import MilvusStore

    local = LocalStore(tmp_path_factory.mktemp("local") / "idx", embedding_model="m", dimension=4)
    milvus = MilvusStore.from_uri(f"milvus:{lite_db}", embedding_model="m", dimension=4, name="filters")
    local.write_documents(_docs())
    milvus.write_documents(_docs())
    yield local, milvus
    local.close()
    milvus.close()


def _ids(store, filters):
    return [d.id for d in store.filter_documents(filters)]


def test_random_filters_match_the_local_store(both):
    local, milvus = both
    rng = random.Random(11)
    checked = 0
    for _ in range(400):
        flt = _random_filter(rng)
        try:
            expected = _ids(local, flt)
        except FilterError:
            with pytest.raises(FilterError):
                _ids(milvus, flt)
            continue
        assert _ids(milvus, flt) == expected, flt
        assert milvus.count_documents_by_filter(flt) == len(expected), flt
        checked += 1
    assert checked > 250


@pytest.mark.parametrize(
    "flt",
    [
        {"field": "id", "operator": "==", "value": "d3"},
        {"field": "id", "operator": "in", "value": ["d1", "d7", "nope"]},
        {"field": "id", "operator": "not in", "value": ["d1"]},
        {"field": "content", "operator": "!=", "value": "text 2"},
        {"field": "content", "operator": ">=", "value": "text 5"},
        {"field": "meta.l", "operator": "==", "value": "y"},
        {"field": "meta.n", "operator": "==", "value": 1},
        {"field": "meta.n", "operator": "==", "value": "1"},
        {"field": "meta.d", "operator": "<", "value": "2020-06-01T00:00:00"},
        {"operator": "NOT", "conditions": [{"field": "meta.n", "operator": ">", "value": 0}]},
        {"operator": "OR", "conditions": []},
        {"operator": "AND", "conditions": []},
    ],
)
def test_named_cases_match_the_local_store(both, flt):
    local, milvus = both
    assert _ids(milvus, flt) == _ids(local, flt)


def test_constant_filters_fold_away():
    assert compile_filters(None) is True
    assert compile_filters({"field": "meta.x", "operator": "in", "value": []}) is False
    assert compile_filters({"field": "meta.x", "operator": ">", "value": None}) is False
    assert compile_filters({"operator": "NOT", "conditions": [{"field": "meta.x", "operator": "in", "value": []}]}) is True


def test_bad_filters_raise_filter_error():
    for flt in (
        {"field": "meta.x", "operator": ">", "value": "not a date"},
        {"field": "meta.x", "operator": "<=", "value": [1]},
        {"field": "meta.x", "operator": "in", "value": "abc"},
        {"field": "meta.x", "operator": "==", "value": [1]},
        {"field": "meta.x", "operator": "~", "value": 1},
        {"operator": "XOR", "conditions": []},
        {"conditions": []},
        {"field": "meta.x", "value": 1},
        "not a dict",
    ):
        with pytest.raises(FilterError):
            compile_filters(flt)  # type: ignore[arg-type]


def test_string_literals_are_escaped():
    assert literal('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
