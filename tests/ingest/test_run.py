"""The incremental runner: unchanged files skipped, changed replaced, copies once, failures reported, resume."""

import hashlib
import shutil

import numpy as np
import pytest
from haystack import Document, component

from index.store import LocalStore
from ingest.catalog import CatalogError, load_catalogs
from ingest.pipeline import RECIPE
from ingest.run import IngestRunner

DIM = 16


@component
class FakeEmbedder:
    """Deterministic vectors from the text hash; counts what it embeds."""

    def __init__(self) -> None:
        self.embedded = 0

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        self.embedded += len(documents)
        out = []
        for doc in documents:
            seed = int(hashlib.sha256((doc.content or "").encode()).hexdigest()[:8], 16)
            vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
            out.append(Document(id=doc.id, content=doc.content, meta=doc.meta, embedding=vector.tolist()))
        return {"documents": out}


TEXT = "Social pensions pay a flat benefit to older people. They are financed from general taxation.\n\n"


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "kenya.txt").write_text("Kenya introduced a universal pension at 70 in 2018. " + TEXT * 3)
    (root / "chile.md").write_text("# Chile\n\nChile created unemployment insurance with individual accounts. " + TEXT)
    (root / "empty.pdf").write_bytes(b"")
    return root


@pytest.fixture
def runner_factory(tmp_path, converter):
    embedder = FakeEmbedder()

    def make(store):
        return IngestRunner(store, lambda: converter, lambda: embedder, catalogs=load_catalogs)

    make.embedder = embedder
    return make


def _store(tmp_path):
    return LocalStore(tmp_path / "idx", embedding_model="fake", dimension=DIM)


def test_first_run_indexes_and_reports_failures(tmp_path, folder, runner_factory):
    with _store(tmp_path) as store:
        report = runner_factory(store).run([folder])
        assert report.files_seen == 3 and report.added == 2
        assert report.failed == [{"path": str((folder / "empty.pdf").resolve()), "reason": "empty file"}]
        assert report.passages_added == store.count_documents() > 0
        assert report.documents_total == 2


def test_second_run_embeds_nothing(tmp_path, folder, runner_factory):
    with _store(tmp_path) as store:
        runner_factory(store).run([folder])
        before = runner_factory.embedder.embedded
        report = runner_factory(store).run([folder])
        assert runner_factory.embedder.embedded == before
        assert report.unchanged == 2 and report.added == 0 and report.passages_added == 0


def test_changed_file_replaces_its_passages(tmp_path, folder, runner_factory):
    with _store(tmp_path) as store:
        runner_factory(store).run([folder])
        (folder / "kenya.txt").write_text("Kenya now pays the pension through mobile money. " + TEXT)
        report = runner_factory(store).run([folder])
        assert report.updated == 1 and report.unchanged == 1
        kenya = [d for d in store.documents() if d.path.endswith("kenya.txt")]
        assert len(kenya) == 1
        texts = " ".join(p.content for p in store.document_passages(kenya[0].doc_id))
        assert "mobile money" in texts and "universal pension at 70" not in texts
        assert store.vector_count == store.count_documents()


def test_copies_of_one_file_are_indexed_once(tmp_path, folder, runner_factory):
    shutil.copy(folder / "kenya.txt", folder / "kenya-copy.txt")
    with _store(tmp_path) as store:
        report = runner_factory(store).run([folder])
        assert report.documents_total == 2
        records = store.file_records()
        statuses = {records[str((folder / name).resolve())].status for name in ("kenya.txt", "kenya-copy.txt")}
        assert statuses == {"indexed", "duplicate"}


def test_prune_removes_documents_whose_files_are_gone(tmp_path, folder, runner_factory):
    with _store(tmp_path) as store:
        runner_factory(store).run([folder])
        (folder / "chile.md").unlink()
        assert runner_factory(store).run([folder]).removed == 0  # without --prune nothing goes
        report = runner_factory(store).run([folder], prune=True)
        assert report.removed == 1 and report.documents_total == 1
        assert all("Chile" not in (p.content or "") for p in store.filter_documents())


def test_interrupted_run_keeps_commits_and_resumes(tmp_path, folder, runner_factory, monkeypatch):
    monkeypatch.setattr("ingest.run.EMBED_GROUP", 1)  # one document per embedding call and commit
    for i in range(6):
        (folder / f"extra{i}.txt").write_text(f"Document number {i} about maternity benefits. " + TEXT)
    calls = {"n": 0}

    def stop_after_first(_progress):
        calls["n"] += 1
        raise KeyboardInterrupt

    with _store(tmp_path) as store:
        runner = runner_factory(store)
        runner.progress = stop_after_first
        report = runner.run([folder])
        assert report.interrupted
        kept = len(store.documents())
        assert 0 < kept < 8
        resumed = runner_factory(store).run([folder])
        assert not resumed.interrupted and resumed.documents_total == 8
        assert resumed.added == 8 - kept


def test_kbignore_patterns_are_honoured(tmp_path, folder, runner_factory):
    (folder / "notes").mkdir()
    (folder / "notes" / "draft.txt").write_text("A draft about pensions. " + TEXT)
    (folder / "README.md").write_text("# About\n\nThis folder holds documents. " + TEXT)
    (folder / ".kbignore").write_text("# not documents\nnotes/\nREADME.md\n")
    with _store(tmp_path) as store:
        report = runner_factory(store).run([folder])
        assert report.files_seen == 3


def test_file_changed_into_a_copy_of_another_drops_its_old_content(tmp_path, folder, runner_factory):
    with _store(tmp_path) as store:
        runner_factory(store).run([folder])
        shutil.copy(folder / "chile.md", folder / "kenya.txt")  # kenya.txt now holds Chile's text
        report = runner_factory(store).run([folder])
        assert report.documents_total == 1
        assert all("Kenya" not in (p.content or "") for p in store.filter_documents())


def test_a_newer_recipe_converts_indexed_files_again_once(tmp_path, folder, runner_factory, monkeypatch):
    with _store(tmp_path) as store:
        runner_factory(store).run([folder])
        ids_before = {p.id for p in store.filter_documents()}
        assert {d.recipe for d in store.documents()} == {RECIPE}
        monkeypatch.setattr("ingest.run.RECIPE", RECIPE + 1)  # what new documents record
        monkeypatch.setattr("ingest.plan.RECIPE", RECIPE + 1)  # what planning compares
        report = runner_factory(store).run([folder])
        assert report.refreshed == 2 and report.unchanged == 0 and report.added == report.updated == 0
        assert {d.recipe for d in store.documents()} == {RECIPE + 1}
        assert {p.id for p in store.filter_documents()} == ids_before  # same passages, rewritten in place
        assert store.vector_count == store.count_documents() and len(store.documents()) == 2
        again = runner_factory(store).run([folder])
        assert again.refreshed == 0 and again.unchanged == 2 and again.passages_added == 0


def test_an_index_from_before_recipes_is_refreshed(tmp_path, folder, runner_factory):
    with _store(tmp_path) as store:
        runner_factory(store).run([folder])
        for doc in store.documents():  # as written by a kb that recorded no recipe
            doc.recipe = 0
            store.commit(documents=[doc])
        assert runner_factory(store).run([folder]).refreshed == 2


def _catalog_kenya(folder, year: str) -> None:
    (folder / "catalog.csv").write_text(
        "path,title,countries,regions,doc_type,year,lang,topics\n"
        f"kenya.txt,Kenya pensions,KEN,,country_study,{year},en,\n"
    )


def test_a_changed_catalogue_entry_converts_that_file_again(tmp_path, folder, runner_factory):
    _catalog_kenya(folder, "2020")
    with _store(tmp_path) as store:
        runner_factory(store).run([folder])
        _catalog_kenya(folder, "2021")
        report = runner_factory(store).run([folder])
        assert report.refreshed == 1 and report.unchanged == 1
        kenya = next(d for d in store.documents() if d.path.endswith("kenya.txt"))
        assert kenya.year == 2021
        assert {p.meta["year"] for p in store.document_passages(kenya.doc_id)} == {2021}
        assert runner_factory(store).run([folder]).unchanged == 2


def test_an_invalid_catalogue_stops_the_run_before_anything_changes(tmp_path, folder, runner_factory):
    _catalog_kenya(folder, "2020")
    with _store(tmp_path) as store:
        runner_factory(store).run([folder])
        before = {d.doc_id: d.year for d in store.documents()}
        _catalog_kenya(folder, "not-a-year")
        with pytest.raises(CatalogError, match="invalid year"):
            runner_factory(store).run([folder])
        assert {d.doc_id: d.year for d in store.documents()} == before


def test_a_refresh_converts_copies_once_and_keeps_their_records(tmp_path, folder, runner_factory, monkeypatch):
    shutil.copy(folder / "kenya.txt", folder / "kenya-copy.txt")
    with _store(tmp_path) as store:
        runner_factory(store).run([folder])
        before = store.file_records()
        monkeypatch.setattr("ingest.run.RECIPE", RECIPE + 1)  # what new documents record
        monkeypatch.setattr("ingest.plan.RECIPE", RECIPE + 1)  # what planning compares
        report = runner_factory(store).run([folder])
        assert report.refreshed == 2 and report.unchanged == 1  # kenya once (the copy follows it), chile
        after = store.file_records()
        assert {p: (r.status, r.doc_id) for p, r in after.items()} == {p: (r.status, r.doc_id) for p, r in before.items()}
        assert len(store.documents()) == 2 and store.vector_count == store.count_documents()


def test_a_cancel_event_stops_the_run_after_a_commit_and_it_resumes(tmp_path, folder, runner_factory, monkeypatch):
    """The TUI's stop key sets the runner's event from another thread: no exception crosses threads."""
    monkeypatch.setattr("ingest.run.EMBED_GROUP", 1)
    for i in range(6):
        (folder / f"extra{i}.txt").write_text(f"Document number {i} about maternity benefits. " + TEXT)
    with _store(tmp_path) as store:
        runner = runner_factory(store)
        runner.progress = lambda _p: runner.cancel.set()  # asked to stop as soon as the first commit is reported
        report = runner.run([folder])
        assert report.interrupted
        kept = len(store.documents())
        assert 0 < kept < 8
        resumed = runner_factory(store).run([folder])
        assert not resumed.interrupted and resumed.documents_total == 8
