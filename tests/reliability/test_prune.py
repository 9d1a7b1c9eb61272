"""`kb ingest --prune` forgets only files known to be gone: never files under a folder it could not read, nor files
whose existence it could not check; the report lists what it kept and why."""

import errno
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from index.store import LocalStore
from ingest.run import IngestRunner
from tests.reliability.conftest import make_folder
from tests.reliability.fakes import FakeConverter, FakeEmbedder

NOBODY = {"uid": 65534, "gid": 65534}


def _as_nobody(server, args: list[str], out: Path) -> dict:
    """Run `kb` as a non-root user when we are root (chmod 000 stops only non-root reads), else as ourselves."""
    options = NOBODY if os.geteuid() == 0 else {}
    return server.ingest(args, out, **options)


def test_prune_keeps_documents_under_a_folder_it_could_not_read(server):
    base = Path(tempfile.mkdtemp(prefix="kb-prune-"))
    try:
        os.chmod(base, 0o777)
        folder = make_folder(base / "docs", documents=10)  # doc000 and doc005 live in docs/nested
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        args = ["ingest", str(folder), "--index", str(base / "index"), "--json"]
        first = _as_nobody(server, args, base / "out.json")
        assert first["code"] == 0, first["stderr"]
        assert json.loads(first["stdout"])["documents_total"] == 10
        (folder / "nested").chmod(0o000)
        (folder / "doc003.txt").unlink()  # really gone: pruned
        result = _as_nobody(server, [*args, "--prune"], base / "out.json")
        report = json.loads(result["stdout"])
        assert [Path(f["path"]).name for f in report["failed"]] == ["nested"]
        assert report["removed"] == 1 and report["documents_total"] == 9
        kept = {Path(k["path"]).name: k["reason"] for k in report["kept"]}
        assert set(kept) == {"doc000.txt", "doc005.txt"}
        assert all("could not be read in this run" in reason for reason in kept.values())
        (folder / "nested").chmod(0o755)
        again = _as_nobody(server, [*args, "--prune"], base / "out.json")
        report = json.loads(again["stdout"])
        assert report["failed"] == [] and report["kept"] == [] and report["removed"] == 0
        assert report["unchanged"] == 10 and report["passages_added"] == 0  # nothing was lost, nothing re-embedded
    finally:
        for path in [base, *base.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o700)
        shutil.rmtree(base)


def test_prune_keeps_a_file_whose_existence_cannot_be_checked(tmp_path, monkeypatch):
    folder = make_folder(tmp_path / "docs", documents=4)
    with LocalStore(tmp_path / "index", embedding_model="fake", dimension=16) as store:
        IngestRunner(store, FakeConverter, FakeEmbedder).run([folder])
        flaky = str((folder / "doc002.txt").resolve())
        real_scan = __import__("ingest.run", fromlist=["scan"]).scan
        real_lstat = os.lstat

        def scan_without(paths, **kwargs):  # the file is not listed: its folder entry vanished on a flaky mount
            return [f for f in real_scan(paths, **kwargs) if str(f.path) != flaky]

        def lstat(path, *args, **kwargs):
            if os.fspath(path) == flaky:
                raise OSError(errno.EIO, "Input/output error", flaky)
            return real_lstat(path, *args, **kwargs)

        monkeypatch.setattr("ingest.run.scan", scan_without)
        monkeypatch.setattr("ingest.run.os.lstat", lstat)
        report = IngestRunner(store, FakeConverter, FakeEmbedder).run([folder], prune=True)
        assert report.removed == 0
        assert report.kept == [{"path": flaky, "reason": "kept: cannot check that it still exists "
                                                        "(Input/output error)"}]
        assert flaky in store.file_records()


def test_the_text_report_says_what_prune_kept(tmp_path):
    from kb import render
    from kb.core.models import IngestReport

    text = render.ingest_report(IngestReport(kept=[{"path": "/d/a.txt", "reason": "kept: under /d, which could "
                                                                                   "not be read in this run"}]))
    assert "not pruned: /d/a.txt: kept: under /d" in text


@pytest.mark.parametrize("missing", ["file", "folder"])
def test_prune_still_removes_what_is_really_gone(tmp_path, missing):
    folder = make_folder(tmp_path / "docs", documents=10)
    with LocalStore(tmp_path / "index", embedding_model="fake", dimension=16) as store:
        IngestRunner(store, FakeConverter, FakeEmbedder).run([folder])
        if missing == "file":
            (folder / "doc003.txt").unlink()
        else:
            shutil.rmtree(folder / "nested")
        report = IngestRunner(store, FakeConverter, FakeEmbedder).run([folder], prune=True)
        assert report.removed == (1 if missing == "file" else 2) and report.kept == []
