"""Symbolic and hard links planted where kb writes (the writer lock, an exported brief) are never written
through; links in an ingested folder that lead outside it are skipped and reported unless allowed."""

import os
from pathlib import Path

import pytest

from index.lock import WriterLock
from index.store import LocalStore
from ingest.run import IngestRunner
from kb.core.errors import IndexWriteError, UsageError
from tests.reliability.conftest import make_folder
from tests.reliability.fakes import FakeConverter, FakeEmbedder
from tests.reliability.test_offline import _collection


def _index(path: Path) -> Path:
    LocalStore(path, embedding_model="fake", dimension=16).close()
    return path


@pytest.mark.parametrize("kind", ["symlink", "dangling", "hardlink"])
def test_a_planted_write_lock_link_is_refused_and_its_target_untouched(tmp_path, kind):
    index = _index(tmp_path / "index")
    victim = tmp_path / "precious.txt"
    victim.write_text("do not truncate me")
    (index / "write.lock").unlink()
    if kind == "symlink":
        (index / "write.lock").symlink_to(victim)
    elif kind == "dangling":
        (index / "write.lock").symlink_to(tmp_path / "created-elsewhere")
    else:
        os.link(victim, index / "write.lock")
    with pytest.raises(IndexWriteError, match="write.lock"):
        WriterLock(index).acquire()
    assert victim.read_text() == "do not truncate me"
    assert not (tmp_path / "created-elsewhere").exists()


def test_kb_ingest_with_a_symlinked_lock_is_one_clear_error(tmp_path, server):
    folder = make_folder(tmp_path / "docs", documents=2)
    index = tmp_path / "index"
    args = ["ingest", str(folder), "--index", str(index)]
    assert server.ingest(args, tmp_path / "out.json")["code"] == 0
    victim = tmp_path / "precious.txt"
    victim.write_text("do not truncate me")
    (index / "write.lock").unlink()
    (index / "write.lock").symlink_to(victim)
    result = server.ingest(args, tmp_path / "out.json")
    err = result["stderr"].strip().splitlines()
    assert result["code"] == 1 and len(err) == 1 and "symbolic link" in err[0], result
    assert victim.read_text() == "do not truncate me"


@pytest.mark.parametrize("dangling", [True, False])
def test_a_brief_is_never_written_through_a_symlink(tmp_path, dangling):
    collection = _collection()
    elsewhere = tmp_path / "elsewhere.md"
    if not dangling:
        elsewhere.write_text("someone else's file")
    link = tmp_path / "brief.md"
    link.symlink_to(elsewhere)
    with pytest.raises(UsageError, match="symbolic link"):
        collection.export(link)
    assert elsewhere.exists() != dangling  # nothing created or changed through the link
    if not dangling:
        assert elsewhere.read_text() == "someone else's file"
    written = collection.export(link, overwrite=True)  # confirmed: the link itself is replaced
    assert written == link and not link.is_symlink() and link.read_text().startswith("# Evidence brief")
    assert elsewhere.exists() != dangling
    if not dangling:
        assert elsewhere.read_text() == "someone else's file"


def _ingest(store: LocalStore, folder: Path, **kwargs) -> dict[str, str]:
    report = IngestRunner(store, FakeConverter, FakeEmbedder, **kwargs).run([folder])
    return {Path(f["path"]).name: f["reason"] for f in report.failed}


def test_links_leading_outside_the_folder_are_skipped_and_reported_unless_allowed(tmp_path):
    folder = make_folder(tmp_path / "docs", documents=2)
    outside = make_folder(tmp_path / "private", documents=2)
    (folder / "linked-file.txt").symlink_to(outside / "doc001.txt")
    (folder / "linked-folder").symlink_to(outside / "nested", target_is_directory=True)
    (folder / "inside-link.txt").symlink_to(folder / "doc001.txt")  # stays inside: indexed as a copy
    (outside / "secret.txt").write_text("Private pension paragraph.")
    os.link(outside / "secret.txt", folder / "hard.txt")
    with LocalStore(tmp_path / "index", embedding_model="fake", dimension=16) as store:
        failed = _ingest(store, folder)
        assert set(failed) == {"linked-file.txt", "linked-folder", "hard.txt"}, failed
        assert "outside the ingested folder" in failed["linked-file.txt"]
        assert "KB_OUTSIDE_LINKS=follow" in failed["linked-folder"]
        assert "hard link" in failed["hard.txt"]
        paths = set(store.file_records())
        assert str(folder.resolve() / "inside-link.txt") in paths
        assert not any("secret" in text or "Private" in text for text in _texts(store))
    with LocalStore(tmp_path / "index2", embedding_model="fake", dimension=16) as store:
        assert _ingest(store, folder, outside_links="follow") == {}
        assert any("Private pension" in text for text in _texts(store))


def test_the_link_policy_is_a_setting(tmp_path, monkeypatch):
    from kb.core.config import Settings

    assert Settings().outside_links == "skip"
    monkeypatch.setenv("KB_OUTSIDE_LINKS", "follow")
    assert Settings().outside_links == "follow"


def _texts(store: LocalStore) -> list[str]:
    return [p.content or "" for p in store.filter_documents()]
