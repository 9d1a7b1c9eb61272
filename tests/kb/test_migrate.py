"""Migration between stores: local → Milvus Lite → local gives back the same passages and vectors; it resumes."""

import numpy as np
import pytest
from haystack import Document

from index.store import LocalStore
from kb.core.errors import IndexIncompatibleError, UsageError
from kb.core.models import FileRecord, SourceDocument
from kb.migrate import migrate, migrate_locations, open_location

DIM = 16
MODEL = "test-model"


def _fill(store: LocalStore, n_docs: int = 6, per_doc: int = 40) -> None:
    rng = np.random.default_rng(5)
    for d in range(n_docs):
        doc_id = f"doc{d}"
        source = SourceDocument(doc_id, f"/corpus/{d}.pdf", f"Título {d}", countries=["KEN", "SEN"][: d % 2 + 1],
                                regions=["Africa"], doc_type="report", year=2000 + d, lang="es", topics=["old_age"],
                                pages=3, passages=per_doc)
        passages = []
        for s in range(per_doc):
            vector = rng.standard_normal(DIM)
            # model output is float32; a few float64 vectors check that exact values survive as well
            embedding = vector.tolist() if s % 7 == 0 else vector.astype(np.float32).tolist()
            meta = {**source.facet_meta(), "seq": s, "page_start": s // 10 + 1, "page_end": s // 10 + 1,
                    "char_start": s * 100, "char_end": s * 100 + 99, "heading": None if s % 3 else "Pensión"}
            passages.append(Document(content=f"La pensión {d}-{s} cubre a {s} personas.", meta=meta, embedding=embedding))
        store.commit(passages=passages, documents=[source],
                     files=[FileRecord(source.path, doc_id, 1700000000.5 + d, 1000 + d, "indexed", None, doc_id)])
    store.commit(files=[FileRecord("/corpus/broken.pdf", "x", 1.0, 1, "failed", "no text found", None)])


def _snapshot(store) -> tuple:
    docs = [(d.id, d.content, d.meta, d.embedding) for d in store.filter_documents()]
    return docs, store.documents(), store.file_records()


def test_local_to_milvus_to_local_round_trips_exactly(tmp_path):
    src = LocalStore(tmp_path / "a", embedding_model=MODEL, dimension=DIM)
    _fill(src)
    src.close()
    lite = f"milvus:{tmp_path / 'kb.db'}"

    there = migrate_locations(str(tmp_path / "a"), lite, batch=64)
    back = migrate_locations(lite, str(tmp_path / "b"), batch=100)

    assert there.passages_copied == back.passages_copied == 240
    assert (there.documents, there.files) == (back.documents, back.files) == (6, 7)
    original = LocalStore(tmp_path / "a", create=False)
    returned = LocalStore(tmp_path / "b", create=False)
    milvus = open_location(lite, create=False)
    try:
        expected = _snapshot(original)
        assert _snapshot(milvus) == expected
        assert _snapshot(returned) == expected
        assert returned.manifest.embedding_model == MODEL and returned.manifest.dimension == DIM
        first = expected[0][0]
        assert milvus.embedding_search(first[3], top_k=1)[0].id == first[0]
    finally:
        for store in (original, returned, milvus):
            store.close()


def test_an_interrupted_migration_resumes(tmp_path):
    src = LocalStore(tmp_path / "a", embedding_model=MODEL, dimension=DIM)
    _fill(src, n_docs=3, per_doc=30)
    dst = open_location(f"milvus:{tmp_path / 'kb.db'}", create=True, embedding_model=MODEL, dimension=DIM)

    def stop_after_two_batches(progress):
        if progress.done == 50:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        migrate(src, dst, batch=25, progress=stop_after_two_batches)
    assert dst.count_documents() == 30 and [d.doc_id for d in dst.documents()] == ["doc0"]  # whole documents only

    seen = []
    report = migrate(src, dst, batch=25, progress=seen.append)
    assert (report.passages_copied, report.passages_skipped, report.passages_total) == (60, 30, 90)
    assert [p.done for p in seen] == [25, 50, 75, 90]
    assert dst.count_documents() == 90 and len(dst.documents()) == 3 and len(dst.file_records()) == 4
    assert [d.id for d in dst.filter_documents()] == [d.id for d in src.filter_documents()]
    src.close()
    dst.close()


def test_stores_of_different_models_are_refused(tmp_path):
    src = LocalStore(tmp_path / "a", embedding_model=MODEL, dimension=DIM)
    dst = LocalStore(tmp_path / "b", embedding_model="other-model", dimension=DIM)
    with pytest.raises(IndexIncompatibleError, match="re-index"):
        migrate(src, dst)
    with pytest.raises(UsageError, match="same"):
        migrate_locations(str(tmp_path / "a"), str(tmp_path / "a" / ".." / "a"))
    src.close()
    dst.close()
