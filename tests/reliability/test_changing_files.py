"""A file edited while kb ingests it: what is converted is exactly the content its hash names. The changed file is
reported and indexed by the next run; an identical copy keeps its own text."""

from pathlib import Path

from index.store import LocalStore
from ingest.run import IngestRunner
from tests.reliability.conftest import make_folder
from tests.reliability.fakes import FakeConverter, FakeEmbedder

EDITED = "An edited paragraph written while the ingest was running."
CHANGED = "file changed during the run; it will be indexed by the next run"


class EditingConverter:
    """Edits `victim` just before the first conversion (after planning hashed it), then converts as usual."""

    def __init__(self, inner, victim: Path) -> None:
        self.inner, self.victim, self.done = inner, victim, False

    def convert(self, path, **kwargs):
        if not self.done:
            self.done = True
            self.victim.write_text(EDITED, encoding="utf-8")
        return self.inner.convert(path, **kwargs)


def _texts(store: LocalStore, path: Path) -> str:
    record = store.file_records()[str(path)]
    return " ".join(p.content for p in store.document_passages(record.doc_id))


def _run(store, converter, folder, **kwargs):
    return IngestRunner(store, lambda: converter, FakeEmbedder).run([folder], **kwargs)


def _two_copies(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    folder = tmp_path / "docs"
    folder.mkdir()
    original = "The original paragraph about pensions for older people."
    first, copy = (folder / "a.txt").resolve(), (folder / "b-copy.txt").resolve()
    first.write_text(original, encoding="utf-8")
    copy.write_text(original, encoding="utf-8")
    return folder, first, copy, original


def test_an_edit_during_the_run_is_reported_and_the_copy_keeps_its_own_text(tmp_path, converter):
    folder, first, copy, original = _two_copies(tmp_path)
    with LocalStore(tmp_path / "index", embedding_model="fake", dimension=16) as store:
        report = _run(store, EditingConverter(converter, first), folder)
        assert report.failed == [{"path": str(first), "reason": CHANGED}]
        assert str(first) not in store.file_records()  # nothing recorded: the next run looks at it again
        assert _texts(store, copy) == original  # the copy is bound to its own content, not the edit

        again = _run(store, converter, folder, prune=True)
        assert again.failed == [] and again.added == 1 and again.removed == 0
        assert _texts(store, first) == EDITED and _texts(store, copy) == original
        assert {r.status for r in store.file_records().values()} == {"indexed"}

        third = _run(store, converter, folder, prune=True)
        assert third.unchanged == 2 and third.passages_added == 0 and third.removed == 0


def test_an_edited_file_without_copies_is_indexed_by_the_next_run(tmp_path):
    folder = make_folder(tmp_path / "docs", documents=3)
    victim = (folder / "doc002.txt").resolve()
    with LocalStore(tmp_path / "index", embedding_model="fake", dimension=16) as store:
        report = _run(store, EditingConverter(FakeConverter(), victim), folder)
        assert report.failed == [{"path": str(victim), "reason": CHANGED}]
        for path, rec in store.file_records().items():
            text = " ".join(p.content for p in store.document_passages(rec.doc_id))
            assert (EDITED in text) == (path == str(victim)), path
        again = _run(store, FakeConverter(), folder)
        assert again.failed == [] and _texts(store, victim) == EDITED


def test_an_edit_to_an_unchanged_files_copy_is_picked_up(tmp_path, converter):
    """The old kb left a copy bound to edited text; now every later run agrees with the files on disk."""
    folder, first, copy, original = _two_copies(tmp_path)
    with LocalStore(tmp_path / "index", embedding_model="fake", dimension=16) as store:
        _run(store, converter, folder)
        first.write_text(EDITED, encoding="utf-8")
        report = _run(store, converter, folder, prune=True)
        assert report.updated == 1 and report.removed == 0
        assert _texts(store, first) == EDITED and _texts(store, copy) == original
