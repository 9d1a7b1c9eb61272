"""Readers see whole batches while an ingest writes; a second writer waits or is refused, no corruption."""

import json
import time
from pathlib import Path

from tests.reliability.conftest import assert_whole, content, make_folder

SLOW = {"group": 2, "flush": 0.05, "delay": 0.02}


def _args(folder: Path, index: Path, *extra: str) -> list[str]:
    return ["ingest", str(folder), "--index", str(index), "--json", *extra]


def _wait_for_passages(index: Path, timeout: float = 30.0) -> None:
    """Block until the writer has committed something (so it holds the writer lock)."""
    import sqlite3

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            con = sqlite3.connect(f"file:{index / 'kb.sqlite3'}?mode=ro", uri=True, timeout=5)
            try:
                if con.execute("SELECT count(*) FROM passages").fetchone()[0]:
                    return
            finally:
                con.close()
        except sqlite3.OperationalError:
            pass
        time.sleep(0.02)
    raise AssertionError("the first ingest never committed")


def test_a_reader_in_another_process_only_sees_whole_batches(tmp_path, server):
    folder = make_folder(tmp_path / "docs", documents=40)
    index = tmp_path / "index"
    writer = server.start_ingest(_args(folder, index), tmp_path / "writer.json", **SLOW)
    reader = server.start_reader(index, seconds=4.0, out=tmp_path / "reader.json")
    assert server.wait(writer)["code"] == 0, json.loads((tmp_path / "writer.json").read_text())["stderr"]
    assert server.wait(reader)["code"] == 0
    seen = json.loads((tmp_path / "reader.json").read_text())
    print(
        f"\nreader: {seen['iterations']} snapshots, {seen['states']} distinct states, while the ingest wrote"
    )
    assert seen["violations"] == []
    assert seen["states"] >= 5, "the reader should have watched the index grow"
    assert_whole(index, vectors_exact=True)


def test_a_second_ingest_is_refused_clearly_or_waits_and_nothing_is_corrupted(tmp_path, server):
    folder = make_folder(tmp_path / "docs", documents=40)
    index = tmp_path / "index"
    first = server.start_ingest(_args(folder, index), tmp_path / "first.json", **SLOW)
    _wait_for_passages(index)

    refused = server.ingest(_args(folder, index), tmp_path / "refused.json")
    waited = server.start_ingest(_args(folder, index, "--wait", "120"), tmp_path / "waited.json", **SLOW)

    assert refused["code"] == 1
    lines = refused["stderr"].strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kb: error: another kb process"), refused["stderr"]
    assert "--wait" in lines[0] and "Traceback" not in refused["stderr"]
    assert server.wait(first)["code"] == 0
    assert server.wait(waited)["code"] == 0, json.loads((tmp_path / "waited.json").read_text())["stderr"]
    second = json.loads(json.loads((tmp_path / "waited.json").read_text())["stdout"])
    assert second["added"] == 0 and second["passages_added"] == 0, "it waited, then found the work done"

    reference = tmp_path / "reference"
    assert server.ingest(_args(folder, reference), tmp_path / "ref.json")["code"] == 0
    assert content(index) == content(reference)
    assert_whole(index, vectors_exact=True)


def test_a_migration_into_a_locked_index_is_refused_or_waits_as_its_message_says(tmp_path, server):
    """`kb migrate` refused by the lock suggested `--wait`, which migrate did not take."""
    from index.manifest import read_manifest
    from index.store import LocalStore

    source, destination = tmp_path / "source", tmp_path / "destination"
    assert server.ingest(_args(make_folder(tmp_path / "docs", documents=8), source), tmp_path / "src.json")["code"] == 0
    migrate = ["migrate", "--from", str(source), "--to", str(destination), "--json"]
    built = read_manifest(source)
    holder = LocalStore(destination, embedding_model=built.embedding_model, dimension=built.dimension,
                        chunking=built.chunking)
    holder.begin_writing()  # another writer holds the destination
    try:
        refused = server.ingest(migrate, tmp_path / "refused.json")
        lines = refused["stderr"].strip().splitlines()
        assert refused["code"] == 1 and len(lines) == 1 and "--wait" in lines[0], refused["stderr"]
        waiting = server.start_ingest([*migrate, "--wait", "60"], tmp_path / "waited.json")
        time.sleep(1.0)
    finally:
        holder.close()
    assert server.wait(waiting)["code"] == 0, json.loads((tmp_path / "waited.json").read_text())["stderr"]
    assert content(destination) == content(source)
