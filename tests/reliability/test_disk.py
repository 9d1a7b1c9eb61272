"""A full disk or a read-only index directory: a clear one-line error; the previous index intact, searchable.

The real conditions are made with small tmpfs mounts (root only); where mounting is not permitted those tests
skip, and a monkeypatched ENOSPC checks the same guarantees for the files kb writes itself.
"""

import errno
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from index.manifest import read_manifest
from index.store import LocalStore
from kb import cli
from kb.core.errors import IndexWriteError
from tests.reliability.conftest import assert_whole, content, make_folder, paragraph


@contextmanager
def tmpfs(path: Path, megabytes: int) -> Iterator[Path]:
    """A small tmpfs mounted at `path` (skips the test where mounting is not permitted)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _fill(mount: Path, leave: int = 0) -> Path:
    """Take all the free space of `mount` but `leave` bytes."""
    filler = mount / "filler"
    free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
    with open(filler, "wb") as fh:
        try:
            for _ in range(max(0, free - leave) // 65536 + 1):
                fh.write(b"\0" * 65536)
                if leave and os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize <= leave:
                    break
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def _more_files(folder: Path, count: int) -> None:
    for i in range(count):
        (folder / f"new{i:03d}.txt").write_text("\n\n".join(paragraph(500 + i, j) for j in range(20)))


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kb: error: ") and "Traceback" not in stderr, stderr
    return lines[0]


def _search(index: Path, capsys) -> list[dict]:
    assert cli.main(["search", "pension scheme", "--mode", "keyword", "--index", str(index), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_disk_full_during_an_ingest_keeps_the_previous_index(tmp_path, server, capsys):
    folder = make_folder(tmp_path / "docs", documents=10)
    out = tmp_path / "out.json"
    with tmpfs(tmp_path / "disk", 40) as disk:
        index = disk / "index"
        assert server.ingest(["ingest", str(folder), "--index", str(index)], out)["code"] == 0
        before = content(index)
        filler = _fill(disk, leave=1_500_000)
        _more_files(folder, 60)  # about 1,200 passages: several MB, more than is left

        failed = server.ingest(["ingest", str(folder), "--index", str(index)], out, group=8, flush=0.05)
        assert failed["code"] == 1
        line = _one_line(failed["stderr"])
        assert "disk full" in line or "disk is full" in line, line
        after = content(index)
        assert all(after["passages"].get(k) == v for k, v in before["passages"].items()), "nothing was lost"
        assert_whole(index, vectors_exact=True)  # what was committed before the disk filled is whole
        assert _search(index, capsys)

        filler.unlink()
        assert server.ingest(["ingest", str(folder), "--index", str(index)], out)["code"] == 0
        reference = tmp_path / "reference"
        assert server.ingest(["ingest", str(folder), "--index", str(reference)], out)["code"] == 0
        assert content(index) == content(reference)


def test_a_full_disk_refuses_to_ingest_but_still_searches(tmp_path, server, capsys):
    folder = make_folder(tmp_path / "docs", documents=10)
    out = tmp_path / "out.json"
    with tmpfs(tmp_path / "disk", 8) as disk:
        index = disk / "index"
        assert server.ingest(["ingest", str(folder), "--index", str(index)], out)["code"] == 0
        before = content(index)
        _fill(disk)  # not a byte left: SQLite cannot even create its WAL files
        _more_files(folder, 3)

        failed = server.ingest(["ingest", str(folder), "--index", str(index)], out)
        assert failed["code"] == 1
        assert "disk is full" in _one_line(failed["stderr"])
        hits = _search(index, capsys)
        assert hits and content(index) == before
        assert_whole(index, vectors_exact=True)


def test_a_read_only_index_directory_is_searchable_and_refuses_writes(tmp_path, server, capsys):
    folder = make_folder(tmp_path / "docs", documents=10)
    out = tmp_path / "out.json"
    with tmpfs(tmp_path / "disk", 16) as disk:
        index = disk / "index"
        assert server.ingest(["ingest", str(folder), "--index", str(index)], out)["code"] == 0
        before, files = content(index), sorted(p.name for p in index.iterdir())
        remount = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True)
        if remount.returncode:
            pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")

        hits = _search(index, capsys)  # searching works: SQLite opened read-only (immutable)
        assert hits and hits[0]["text"]
        assert cli.main(["stats", "--index", str(index)]) == 0
        assert cli.main(["docs", "--index", str(index)]) == 0
        capsys.readouterr()
        _more_files(folder, 2)
        refused = server.ingest(["ingest", str(folder), "--index", str(index)], out)
        assert refused["code"] == 1
        assert "read-only" in _one_line(refused["stderr"]) and "Nothing was changed" in refused["stderr"]
        assert content(index) == before and sorted(p.name for p in index.iterdir()) == files
        assert_whole(index)


def test_enospc_while_saving_vectors_or_manifest_keeps_the_previous_files(tmp_path, monkeypatch):
    """Anywhere: the files kb writes itself (vectors, manifest) fail half-way with ENOSPC (monkeypatched)."""
    from haystack import Document

    def docs(start: int) -> list[Document]:
        return [
            Document(id=f"p{i}", content=paragraph(i, 0), embedding=[float(i % 7 + 1)] * 8)
            for i in range(start, start + 20)
        ]

    index = tmp_path / "index"
    with LocalStore(index, embedding_model="m", dimension=8) as store:
        store.write_documents(docs(0))
    saved = read_manifest(index)
    real_fsync = os.fsync

    for failing_call, what in ((1, "vectors"), (3, "manifest")):  # fsyncs: vector file, its folder, manifest
        calls = {"n": 0}

        def full(fd: int, failing_call: int = failing_call, calls: dict[str, int] = calls) -> None:
            calls["n"] += 1
            if calls["n"] == failing_call:
                raise OSError(errno.ENOSPC, "No space left on device")
            real_fsync(fd)

        store = LocalStore(index, embedding_model="m", dimension=8)
        store.write_documents(docs(20 * failing_call))
        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(IndexWriteError, match="intact") as caught:
            store.flush()
        monkeypatch.setattr(os, "fsync", real_fsync)
        assert "disk full" in str(caught.value) or "No space" in str(caught.value), what
        store._lock.release()  # the process gives up without saving again (as the CLI would, exiting)
        assert read_manifest(index).vectors_file == saved.vectors_file, what  # still the old, whole file
        assert not [p for p in index.iterdir() if ".tmp-" in p.name], what
        with LocalStore(index, embedding_model="m", dimension=8) as reopened:  # SQLite had it all: reconciled
            assert reopened.vector_count == reopened.count_documents() == 20 + 20 * (failing_call // 2 + 1)
