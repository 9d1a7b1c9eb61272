"""MilvusStore behaviour beyond Haystack's suites: exact filtered search, refusal, keywords, commits, journal."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from index.milvus.store import MilvusStore
from index.milvus.uri import parse
from kb.core.errors import IndexIncompatibleError, IndexLockedError, IndexNotFoundError, UsageError
from kb.core.models import FileRecord, SourceDocument

DIM = 32


def _docs(vectors: np.ndarray, groups: np.ndarray, offset: int = 0) -> list[Document]:
    return [
        Document(id=f"p{i}", content=f"passage {i}", meta={"group": int(g)}, embedding=v.tolist())
        for i, (v, g) in enumerate(zip(vectors, groups), start=offset)
    ]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _passage(pid: str, doc_id: str, seq: int, path: str = "/x.txt", text: str = "text") -> Document:
    meta = {"doc_id": doc_id, "seq": seq, "path": path, "countries": ["KEN"], "year": 2020}
    return Document(id=pid, content=text, meta=meta, embedding=[0.1 * (seq + 1)] * DIM)


def test_filtered_search_over_10k_returns_exactly_the_matching_50_ranked(open_store):
    rng = np.random.default_rng(7)
    n = 10_000
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    groups = np.arange(n) % 200  # group 7 holds exactly 50 passages
    store = open_store(DIM)
    store.write_documents(_docs(vectors, groups))
    query = rng.standard_normal(DIM).astype(np.float32)
    flt = {"field": "meta.group", "operator": "==", "value": 7}

    hits = store.embedding_search(query, filters=flt, top_k=100)

    members = np.flatnonzero(groups == 7)
    expected = members[np.argsort(-(_unit(vectors[members]) @ _unit(query)), kind="stable")]
    assert [h.id for h in hits] == [f"p{i}" for i in expected]
    assert all(h.meta["group"] == 7 for h in hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(float(_unit(vectors[expected[0]]) @ _unit(query)), abs=1e-5)
    assert [h.id for h in store.embedding_search(query, filters=flt, top_k=10)] == [h.id for h in hits[:10]]


def test_filter_matching_nothing_returns_nothing(open_store):
    store = open_store(DIM)
    store.write_documents(_docs(np.ones((5, DIM), np.float32), np.zeros(5)))
    for flt in ({"field": "meta.group", "operator": "==", "value": 99}, {"field": "meta.group", "operator": "in", "value": []}):
        assert store.embedding_search(np.ones(DIM), filters=flt, top_k=5) == []
        assert store.keyword_search("passage", filters=flt, top_k=5) == []
        assert store.filter_documents(flt) == []


def test_store_built_with_another_model_is_refused(open_store):
    open_store(DIM, name="model_check")
    with pytest.raises(IndexIncompatibleError, match="re-index"):
        open_store(DIM, name="model_check", embedding_model="other-model")
    with pytest.raises(IndexIncompatibleError, match="384"):
        open_store(384, name="model_check")


def test_newer_format_version_is_refused(open_store):
    store = open_store(DIM, name="format_check")
    store.records.put_manifest({**store.records.manifest(), "format_version": 99})
    with pytest.raises(IndexIncompatibleError, match="newer"):
        open_store(DIM, name="format_check")


def test_missing_store_is_a_clear_error(open_store):
    with pytest.raises(IndexNotFoundError, match="kb ingest"):
        open_store(DIM, name="nothing_here", create=False)


def test_keyword_search_folds_accents_and_stems(open_store):
    docs = [
        Document(id="es", content="La pensión universal para adultos mayores se financia con impuestos."),
        Document(id="fr", content="La sécurité sociale est un droit humain."),
        Document(id="en", content="Child benefits reduce poverty among families."),
    ]
    store = open_store(DIM)
    store.write_documents(docs)
    assert [d.id for d in store.keyword_search("pension universal")] == ["es"]
    assert [d.id for d in store.keyword_search("PENSIÓN")] == ["es"]
    assert [d.id for d in store.keyword_search("securite sociale")] == ["fr"]
    assert [d.id for d in store.keyword_search("benefit for a family")] == ["en"]
    assert all(d.score > 0 for d in store.keyword_search("pension"))
    assert store.keyword_search('"; DROP TABLE passages; --') == []
    assert store.keyword_search("   ") == []


def test_keyword_search_uses_title_and_heading_but_filters_first(open_store):
    store = open_store(DIM)
    store.write_documents([
        Document(id="a", content="Coverage grew.", meta={"title": "Pensiones no contributivas", "lang": "es"}),
        Document(id="b", content="Pensions for all.", meta={"lang": "en"}),
    ])
    assert {d.id for d in store.keyword_search("pensiones")} == {"a", "b"}  # Porter: pensiones → pension
    only_es = {"field": "meta.lang", "operator": "==", "value": "es"}
    assert [d.id for d in store.keyword_search("pension", filters=only_es)] == ["a"]


def test_commit_validates_everything_before_writing(open_store):
    good = Document(id="a", content="fine", meta={"doc_id": "d1"}, embedding=[0.1] * DIM)
    bad = Document(id="b", content="wrong size", meta={"doc_id": "d1"}, embedding=[0.1] * (DIM + 1))
    store = open_store(DIM)
    with pytest.raises(ValueError, match="dimensions"):
        store.commit(passages=[good, bad], documents=[SourceDocument("d1", "/x.txt", "X")],
                     files=[FileRecord("/x.txt", "d1", 0.0, 1, "indexed", None, "d1")])
    assert store.count_documents() == 0
    assert store.documents() == []
    assert store.file_records() == {}


def test_commit_replaces_a_changed_document(open_store):
    store = open_store(DIM)
    store.commit(passages=[_passage("a0", "old", 0), _passage("a1", "old", 1)],
                 documents=[SourceDocument("old", "/x.txt", "X")],
                 files=[FileRecord("/x.txt", "old", 1.0, 10, "indexed", None, "old")])
    store.commit(passages=[_passage("b0", "new", 0)], documents=[SourceDocument("new", "/x.txt", "X")],
                 files=[FileRecord("/x.txt", "new", 2.0, 12, "indexed", None, "new")], replace_doc_ids=["old"])
    assert [d.id for d in store.filter_documents()] == ["b0"]
    assert [d.doc_id for d in store.documents()] == ["new"]
    assert store.file_records()["/x.txt"].doc_id == "new"
    assert store.file_records()["/x.txt"].mtime == 2.0


def test_commit_replaces_a_document_by_itself(open_store):
    """A refresh (same content, newer ingestion recipe): same doc_id, fewer passages, recipe recorded."""
    store = open_store(DIM)
    rec = FileRecord("/x.txt", "d", 1.0, 10, "indexed", None, "d")
    store.commit(passages=[_passage("d0", "d", 0), _passage("d1", "d", 1)],
                 documents=[SourceDocument("d", "/x.txt", "X")], files=[rec])
    store.commit(passages=[_passage("d0", "d", 0, text="new text")],
                 documents=[SourceDocument("d", "/x.txt", "X", recipe=2, catalog_entry="abc")], files=[rec],
                 replace_doc_ids=["d"])
    assert [(d.id, d.content) for d in store.filter_documents()] == [("d0", "new text")]
    assert [(d.doc_id, d.recipe, d.catalog_entry) for d in store.documents()] == [("d", 2, "abc")]


def test_forget_files_keeps_a_document_that_another_copy_still_holds(open_store):
    store = open_store(DIM)
    store.commit(
        passages=[_passage("a", "d1", 0, path="/one.txt")],
        documents=[SourceDocument(doc_id="d1", path="/one.txt", title="T")],
        files=[FileRecord("/one.txt", "d1", 0, 1, "indexed", None, "d1"),
               FileRecord("/two.txt", "d1", 0, 1, "duplicate", None, "d1")],
    )
    assert store.forget_files(["/one.txt"]) == 0
    assert store.document("d1").path == "/two.txt"
    assert store.filter_documents()[0].meta["path"] == "/two.txt"
    assert store.filter_documents()[0].embedding == pytest.approx([0.1] * DIM)
    assert store.forget_files(["/two.txt", "/never-seen.txt"]) == 1
    assert store.count_documents() == 0 and store.documents() == [] and store.file_records() == {}


def test_an_interrupted_commit_is_completed_by_the_next_writer(open_store, monkeypatch):
    store = open_store(DIM, name="crashing")
    real_apply = store.journal.apply

    def crash(plan):
        store.records.put_documents([SourceDocument.from_dict(d) for d in plan.get("documents", [])])
        raise KeyboardInterrupt  # the process dies half-way through applying the journalled plan

    monkeypatch.setattr(store.journal, "apply", crash)
    with pytest.raises(KeyboardInterrupt):
        store.commit(passages=[_passage("a", "d1", 0)], documents=[SourceDocument("d1", "/x.txt", "X")],
                     files=[FileRecord("/x.txt", "d1", 0, 1, "indexed", None, "d1")])
    assert store.file_records() == {}  # the file record never points at passages before they exist
    assert len(store.records.pending()) == 1
    monkeypatch.setattr(store.journal, "apply", real_apply)

    other_machine = open_store(DIM, name="crashing")  # Milvus Lite: one process, so every entry is stale
    assert store.records.pending() == []
    assert other_machine.file_records()["/x.txt"].doc_id == "d1"
    assert [d.id for d in other_machine.document_passages("d1")] == ["a"]


def test_a_fresh_journal_entry_of_another_writer_is_left_to_it(open_store):
    store = open_store(DIM)
    store.records.journal({"documents": [SourceDocument("d9", "/y.txt", "Y").to_dict()], "writer": "someone else"})
    assert store.journal.recover() == 0  # still within the grace period: its writer may be applying it
    assert store.journal.recover(everything=True) == 1
    assert store.document("d9") is not None


def test_a_document_given_a_new_file_meanwhile_is_not_deleted(open_store):
    store = open_store(DIM)
    store.commit(passages=[_passage("a", "d1", 0)], documents=[SourceDocument("d1", "/one.txt", "T")],
                 files=[FileRecord("/one.txt", "d1", 0, 1, "indexed", None, "d1")])
    store.records.put_files([FileRecord("/copy.txt", "d1", 0, 1, "duplicate", None, "d1")])  # another machine
    store.journal.run({"delete_docs": ["d1"], "delete_files": ["/one.txt"]})  # a prune planned before that
    assert set(store.file_records()) == {"/copy.txt"}
    assert store.document("d1") is not None and store.count_documents() == 1


def test_two_writers_committing_the_same_files_do_not_duplicate(open_store):
    first = open_store(DIM, name="shared")
    second = open_store(DIM, name="shared")
    for store in (first, second, first):
        store.commit(passages=[_passage(f"p{i}", "d1", i) for i in range(5)],
                     documents=[SourceDocument("d1", "/x.txt", "X", passages=5)],
                     files=[FileRecord("/x.txt", "d1", 0, 1, "indexed", None, "d1")])
    assert first.count_documents() == second.count_documents() == 5
    assert len(second.documents()) == 1 and len(second.file_records()) == 1


def test_document_passages_in_reading_order_and_by_range(open_store):
    store = open_store(DIM)
    store.write_documents([_passage(f"p{s}", "d1", s) for s in (3, 0, 4, 1, 2)] + [_passage("q0", "d2", 0)])
    assert [d.meta["seq"] for d in store.document_passages("d1")] == [0, 1, 2, 3, 4]
    assert [d.meta["seq"] for d in store.document_passages("d1", 1, 3)] == [1, 2, 3]
    assert store.document_passages("missing") == []


def test_passages_by_id_keep_order_and_exact_vectors(open_store):
    vectors = np.random.default_rng(3).standard_normal((4, DIM)).astype(np.float32)
    store = open_store(DIM)
    store.write_documents(_docs(vectors, np.zeros(4)))
    found = store.passages_by_id(["p2", "zz", "p0"], embeddings=True)
    assert [d.id for d in found] == ["p2", "p0"]
    assert found[0].embedding == vectors[2].tolist()
    assert store.passages_by_id(["p1"])[0].embedding is None


def test_facet_counts_count_list_elements_within_filters(open_store):
    store = open_store(DIM)
    store.write_documents([
        Document(id="a", content="x", meta={"countries": ["KEN", "UGA"], "year": 2020}),
        Document(id="b", content="y", meta={"countries": ["KEN"], "year": 2021}),
        Document(id="c", content="z", meta={"countries": [], "year": 2021}),
    ])
    assert store.facet_counts("countries") == {"KEN": 2, "UGA": 1}
    assert store.facet_counts("year", {"field": "meta.countries", "operator": "==", "value": "KEN"}) == {2020: 1, 2021: 1}


def test_delete_all_keeps_the_manifest_and_to_dict_round_trips(open_store):
    store = open_store(DIM)
    store.write_documents([Document(id="a", content="x")])
    store.delete_all_documents(recreate_index=True)
    assert store.count_documents() == 0 and store.records.manifest()["dimension"] == DIM
    again = MilvusStore.from_dict(store.to_dict())
    assert again.manifest.embedding_model == "test-model"
    again.close()


def test_uris():
    assert parse("milvus://db.example.org").uri == "http://db.example.org:19530"
    assert parse("milvus+https://h:443/team_kb").uri == "https://h:443"
    assert parse("milvus+https://h:443/team_kb").name == "team_kb"
    assert parse("milvus:./kb.db?name=x").name == "x"
    for bad in ("milvus:./kb", "milvus://h/bad-name", "mongo://h"):
        with pytest.raises(UsageError):
            parse(bad)


def test_a_second_process_on_a_lite_file_is_refused_clearly(open_store, lite_db):
    open_store(DIM)
    code = (
        "from index.milvus.store import MilvusStore\n"
        f"MilvusStore.from_uri('milvus:{lite_db}', embedding_model='test-model', dimension={DIM})\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=Path(__file__).parents[3])
    assert out.returncode != 0
    assert IndexLockedError.__name__ in out.stderr and "Milvus server" in out.stderr
