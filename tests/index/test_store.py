"""LocalStore behaviour beyond Haystack's suites: exact filtered search, consistency, refusal, keywords."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from index.manifest import read_manifest
from index.store import LocalStore
from kb.core.errors import IndexIncompatibleError, IndexLockedError, IndexNotFoundError
from kb.core.models import FileRecord, SourceDocument

DIM = 32


def _store(path: Path, **kw) -> LocalStore:
    return LocalStore(path, embedding_model="test-model", dimension=DIM, **kw)


def _docs(vectors: np.ndarray, groups: np.ndarray, offset: int = 0) -> list[Document]:
    return [
        Document(id=f"p{i}", content=f"passage {i}", meta={"group": int(g)}, embedding=v.tolist())
        for i, (v, g) in enumerate(zip(vectors, groups), start=offset)
    ]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_filtered_search_over_100k_returns_exactly_the_matching_50_ranked(tmp_path):
    rng = np.random.default_rng(7)
    n = 100_000
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    groups = np.arange(n) % 2000  # group 7 holds exactly 50 passages
    with _store(tmp_path / "idx") as store:
        for start in range(0, n, 20_000):
            store.write_documents(_docs(vectors[start : start + 20_000], groups[start : start + 20_000], start))
        query = rng.standard_normal(DIM).astype(np.float32)
        flt = {"field": "meta.group", "operator": "==", "value": 7}

        hits = store.embedding_search(query, filters=flt, top_k=100)

        members = np.flatnonzero(groups == 7)
        expected = members[np.argsort(-(_unit(vectors[members]) @ _unit(query)), kind="stable")]
        assert [h.id for h in hits] == [f"p{i}" for i in expected]
        assert len(hits) == 50
        assert all(h.meta["group"] == 7 for h in hits)
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        top10 = store.embedding_search(query, filters=flt, top_k=10)
        assert [h.id for h in top10] == [h.id for h in hits[:10]]


def test_filter_matching_nothing_returns_nothing(tmp_path):
    with _store(tmp_path / "idx") as store:
        store.write_documents(_docs(np.ones((5, DIM), np.float32), np.zeros(5)))
        flt = {"field": "meta.group", "operator": "==", "value": 99}
        assert store.embedding_search(np.ones(DIM), filters=flt, top_k=5) == []
        assert store.keyword_search("passage", filters=flt, top_k=5) == []


def test_reopen_after_crash_reconciles_vectors_with_database(tmp_path):
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((300, DIM)).astype(np.float32)
    store = _store(tmp_path / "idx")
    store.write_documents(_docs(vectors[:200], np.zeros(200)))
    store.flush()
    store.write_documents(_docs(vectors[200:], np.ones(100), 200))  # committed, vectors never saved
    store.delete_documents(["p0", "p1"])
    store._lock.release()  # the process "dies": no flush, no close

    reopened = _store(tmp_path / "idx")
    assert reopened.vector_count == 298
    hit = reopened.embedding_search(vectors[250], top_k=1)[0]
    assert hit.id == "p250"
    assert reopened.embedding_search(vectors[0], top_k=1)[0].id != "p0"
    reopened.close()


def test_damaged_vector_file_is_detected_and_rebuilt(tmp_path):
    vectors = np.random.default_rng(2).standard_normal((50, DIM)).astype(np.float32)
    with _store(tmp_path / "idx") as store:
        store.write_documents(_docs(vectors, np.zeros(50)))
    manifest = read_manifest(tmp_path / "idx")
    vector_file = tmp_path / "idx" / manifest.vectors_file
    data = bytearray(vector_file.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64
    vector_file.write_bytes(bytes(data))

    with _store(tmp_path / "idx") as store:
        assert store.vector_count == 50
        assert store.embedding_search(vectors[3], top_k=1)[0].id == "p3"


def test_index_built_with_another_model_is_refused(tmp_path):
    _store(tmp_path / "idx").close()
    with pytest.raises(IndexIncompatibleError, match="re-index"):
        LocalStore(tmp_path / "idx", embedding_model="other-model", dimension=DIM)
    with pytest.raises(IndexIncompatibleError, match="384"):
        LocalStore(tmp_path / "idx", embedding_model="test-model", dimension=384)


def test_newer_format_version_is_refused(tmp_path):
    _store(tmp_path / "idx").close()
    path = tmp_path / "idx" / "manifest.json"
    data = json.loads(path.read_text())
    data["format_version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(IndexIncompatibleError, match="newer"):
        _store(tmp_path / "idx")


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexNotFoundError, match="kb ingest"):
        _store(tmp_path / "nothing", create=False)


def test_keyword_search_folds_accents_and_stems(tmp_path):
    docs = [
        Document(id="es", content="La pensión universal para adultos mayores se financia con impuestos."),
        Document(id="fr", content="La sécurité sociale est un droit humain."),
        Document(id="en", content="Child benefits reduce poverty among families."),
    ]
    with _store(tmp_path / "idx") as store:
        store.write_documents(docs)
        assert [d.id for d in store.keyword_search("pension universal")] == ["es"]
        assert [d.id for d in store.keyword_search("securite sociale")] == ["fr"]
        assert [d.id for d in store.keyword_search("benefit for a family")] == ["en"]
        assert store.keyword_search('"; DROP TABLE passages; --') == []
        assert store.keyword_search("   ") == []


def test_commit_is_atomic(tmp_path):
    good = Document(id="a", content="fine", meta={"doc_id": "d1"}, embedding=[0.1] * DIM)
    bad = Document(id="b", content="wrong size", meta={"doc_id": "d1"}, embedding=[0.1] * (DIM + 1))
    source = SourceDocument(doc_id="d1", path="/x.txt", title="X")
    rec = FileRecord("/x.txt", "d1", 0.0, 1, "indexed", None, "d1")
    with _store(tmp_path / "idx") as store:
        with pytest.raises(ValueError, match="dimensions"):
            store.commit(passages=[good, bad], documents=[source], files=[rec])
        assert store.count_documents() == 0
        assert store.documents() == []
        assert store.file_records() == {}
        assert store.vector_count == 0


def test_forget_files_keeps_a_document_that_another_copy_still_holds(tmp_path):
    passage = Document(id="a", content="text", meta={"doc_id": "d1", "path": "/one.txt"}, embedding=[0.1] * DIM)
    with _store(tmp_path / "idx") as store:
        store.commit(
            passages=[passage],
            documents=[SourceDocument(doc_id="d1", path="/one.txt", title="T")],
            files=[FileRecord("/one.txt", "d1", 0, 1, "indexed", None, "d1"),
                   FileRecord("/two.txt", "d1", 0, 1, "duplicate", None, "d1")],
        )
        assert store.forget_files(["/one.txt"]) == 0
        assert store.document("d1").path == "/two.txt"
        assert store.filter_documents()[0].meta["path"] == "/two.txt"
        assert store.forget_files(["/two.txt"]) == 1
        assert store.count_documents() == 0 and store.vector_count == 0


def test_ivf_index_deletes_and_filtered_search(tmp_path):
    rng = np.random.default_rng(3)
    n = 25_000
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    groups = np.arange(n) % 1000
    with _store(tmp_path / "idx", index_type="ivf") as store:
        store.write_documents(_docs(vectors, groups))
        store.flush()
        assert store.vector_kind == "ivf"
        store.delete_documents([f"p{i}" for i in range(1000)])
        assert store.vector_count == n - 1000
        flt = {"field": "meta.group", "operator": "==", "value": 5}
        hits = store.embedding_search(vectors[1005], filters=flt, top_k=30)
        assert len(hits) == 24  # group 5 had 25 passages; p5 was deleted
        assert hits[0].id == "p1005"
        assert "p5" not in {h.id for h in store.embedding_search(vectors[5], top_k=10)}


def test_a_second_writer_is_refused_clearly(tmp_path):
    with _store(tmp_path / "idx") as store:
        store.write_documents([Document(id="x", content="held")])  # takes the writer lock
        code = (
            "import sys; from index.store import LocalStore; from haystack import Document\n"
            f"s = LocalStore({str(tmp_path / 'idx')!r}, embedding_model='test-model', dimension={DIM})\n"
            "print(s.count_documents())\n"
            "s.write_documents([Document(id='y', content='second')])\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[2])
        assert out.stdout.strip() == "1"  # readers are never blocked
        assert IndexLockedError.__name__ in out.stderr and "another kb process" in out.stderr


def _range(field: str, low: object, high: object) -> dict:
    return {"operator": "AND", "conditions": [{"field": field, "operator": ">=", "value": low},
                                              {"field": field, "operator": "<=", "value": high}]}


def test_ranges_compare_each_value_and_keep_numbers_and_dates_apart(tmp_path):
    """A list matches a range when each bound is met by some value; numbers and ISO dates never compare."""
    from index.columns import MetaColumns

    metas = {"a": {"year": 2010, "score": 2}, "b": {"year": 2020, "score": 3}, "c": {"year": [2005, 2020], "score": 1},
             "d": {"year": "2012-01-01", "score": "x"}, "e": {}}
    with _store(tmp_path / "i") as store:
        store.write_documents([Document(id=k, content=k, meta=m) for k, m in metas.items()])
        names = {vid: doc_id for doc_id, vid in store.passages.vids_by_ids(list(metas)).items()}
        for columns in (None, MetaColumns(store._con)):  # SQL, and the in-memory columns searches use
            ids = lambda f, c=columns: sorted(names[v] for v in store.passages.matching(f, c))
            assert ids(_range("meta.year", 2008, 2018)) == ["a", "c"]  # c: 2020 >= 2008 and 2005 <= 2018
            assert ids(_range("meta.score", 2, 2)) == ["a"]  # numbers only: the string "x" sorts above them
            assert ids(_range("meta.year", "2011-01-01", "2013-01-01")) == ["d"]  # dates only
            assert ids({"field": "meta.score", "operator": "<", "value": 3}) == ["a", "c"]
