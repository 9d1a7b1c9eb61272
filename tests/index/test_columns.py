"""In-memory metadata columns answer every filter exactly as the SQL evaluation does."""

import random

import numpy as np
import pytest
from haystack import Document
from haystack.errors import FilterError

from index.columns import MetaColumns, intersect, minus, union
from index.store import LocalStore

FIELDS = {
    "meta.year": [2001, 2010, 2015, 2020, 2015.0, "2015", None, True],
    "meta.countries": ["KEN", "SEN", "BRA", "ZAF", None, 3],
    "meta.score": [0.5, 1, 2.5, 3, -1, "x", False],
    "meta.date": ["2020-01-01", "2021-06-30T10:00:00", "2019-12-31", 2020, None],
    "meta.flag": [True, False, 0, 1, None],
    "meta.missing": [1, "a", None],
}
OPS = ["==", "!=", "in", "not in", ">", ">=", "<", "<="]


def _meta(rng: random.Random) -> dict:
    meta = {}
    if rng.random() < 0.9:
        meta["year"] = rng.choice([2001, 2005, 2010, 2015, 2020, 2015.0, "2015", None, True])
    if rng.random() < 0.9:
        meta["countries"] = rng.sample(["KEN", "SEN", "BRA", "ZAF", "IND"], rng.randint(0, 3))
    if rng.random() < 0.8:
        meta["score"] = rng.choice([0.5, 1, 2, 2.5, 3, "x", False])
    if rng.random() < 0.7:
        meta["date"] = rng.choice(["2020-01-01", "2021-06-30", "2019-12-31T23:00:00", 7])
    if rng.random() < 0.7:
        meta["flag"] = rng.choice([True, False])
    return meta


def _condition(rng: random.Random, depth: int = 0) -> dict:
    if depth < 2 and rng.random() < 0.4:
        op = rng.choice(["AND", "OR", "NOT"])
        return {"operator": op, "conditions": [_condition(rng, depth + 1) for _ in range(rng.randint(1, 3))]}
    field = rng.choice(list(FIELDS))
    op = rng.choice(OPS)
    if op in ("in", "not in"):
        value = rng.sample(FIELDS[field], rng.randint(0, 3))
    else:
        value = rng.choice(FIELDS[field])
    return {"field": field, "operator": op, "value": value}


def _evaluate(store: LocalStore, filters: dict, columns: MetaColumns | None) -> object:
    try:
        found = store.passages.matching(filters, columns)
    except FilterError as exc:
        return type(exc)
    return None if found is None else found.tolist()


def test_columns_and_sql_agree_on_random_filters(tmp_path):
    rng = random.Random(5)
    with LocalStore(tmp_path / "i", embedding_model="m", dimension=4) as store:
        store.write_documents([Document(id=f"d{i}", content=f"d{i}", meta=_meta(rng)) for i in range(400)])
        store.delete_documents([f"d{i}" for i in range(0, 400, 7)])  # holes in the id range
        columns = MetaColumns(store._con)
        filters = [_condition(rng) for _ in range(1500)]
        differ = [f for f in filters if _evaluate(store, f, None) != _evaluate(store, f, columns)]
        matched = sum(1 for f in filters if isinstance(_evaluate(store, f, None), list))
    assert not differ, differ[:3]
    assert matched > 1000  # most random filters are valid and are compared on their results


def test_search_uses_the_columns_and_sees_new_data(tmp_path):
    with LocalStore(tmp_path / "i", embedding_model="m", dimension=4) as store:
        vector = [1.0, 0.0, 0.0, 0.0]
        store.write_documents([Document(id="a", content="pension", meta={"year": 2010}, embedding=vector)])
        flt = {"field": "meta.year", "operator": ">=", "value": 2000}
        assert [d.id for d in store.embedding_search(vector, flt)] == ["a"]
        store.write_documents([Document(id="b", content="pension", meta={"year": 2012}, embedding=vector)])
        assert sorted(d.id for d in store.embedding_search(vector, flt)) == ["a", "b"]
        assert sorted(d.id for d in store.keyword_search("pension", flt)) == ["a", "b"]


@pytest.mark.parametrize("size", [10, 10_000])
def test_set_operations_match_numpy(size):
    rng = np.random.default_rng(size)
    a, b, c = (np.unique(rng.integers(0, 3 * size, size)) for _ in range(3))
    assert np.array_equal(union([a, b, c]), np.union1d(np.union1d(a, b), c))
    assert np.array_equal(intersect(a, b), np.intersect1d(a, b))
    assert np.array_equal(minus(a, b), np.setdiff1d(a, b))
