"""`kb ingest` killed with SIGKILL at random moments loses nothing and corrupts nothing.

Each run is the real CLI, runner and store, forked from a warm process (tests/reliability/driver.py) with
a fake converter and embedder so a run starts in milliseconds; two passages per commit and vectors flushed
every 50 ms, so kills land in SQLite commits, FAISS saves and manifest renames alike.
"""

import json
import os
import random
import signal
import time
from pathlib import Path

import numpy as np

from tests.reliability.conftest import assert_whole, content, make_folder, paragraph

KILLS = 24
SLOW = {"group": 2, "flush": 0.05, "delay": 0.03}  # ~10 s of work in all: no run gets far before its kill
FAST = {"group": 2, "flush": 0.05, "delay": 0.0}


def _args(folder: Path, index: Path) -> list[str]:
    return ["ingest", str(folder), "--index", str(index), "--json"]


def test_sigkill_at_random_moments_then_resume_gives_the_uninterrupted_result(tmp_path, server):
    folder = make_folder(tmp_path / "docs", documents=60, paragraphs=8)
    out = tmp_path / "out.json"
    rng = random.Random(20240611)
    index = tmp_path / "crashed"
    kills, finished, seen = 0, 0, []
    while kills < KILLS:
        pid = server.start_ingest(_args(folder, index), out, **SLOW)
        time.sleep(rng.uniform(0.0, 0.4))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        status = server.wait(pid)
        if status["signal"] == signal.SIGKILL:
            kills += 1
        else:  # it finished before the kill: give the next runs new work (added and changed files)
            assert status["code"] == 0, json.loads(out.read_text())["stderr"]
            finished += 1
            _more_work(folder, finished)
        if (index / "manifest.json").exists():
            seen.append(assert_whole(index)["passages"])

    final = server.ingest(_args(folder, index), out, **FAST)
    assert final["code"] == 0, final["stderr"]
    assert not json.loads(final["stdout"])["interrupted"]
    reference = tmp_path / "reference"
    assert server.ingest(_args(folder, reference), out, **FAST)["code"] == 0

    assert content(index) == content(reference)
    assert assert_whole(index, vectors_exact=True) == assert_whole(reference)
    leftovers = [p.name for p in index.iterdir() if ".tmp-" in p.name]
    assert not leftovers, f"temporary files left behind by killed runs: {leftovers}"
    assert len(list(index.glob("vectors-*.faiss"))) == 1
    print(f"\n{kills} SIGKILLs ({finished} runs finished first); passages seen after each kill: {seen}")
    assert len(set(seen)) >= 5, "the kills should land at many different points of the run"


def _more_work(folder: Path, round_: int) -> None:
    """New files and a changed one, so the next run has something to commit (and to replace)."""
    for extra in range(5):
        (folder / f"added{round_:03d}-{extra}.txt").write_text(
            "\n\n".join(paragraph(1000 + round_ * 10 + extra, i) for i in range(8)), encoding="utf-8"
        )
    changed = next(folder.rglob(f"doc{(round_ * 7) % 60:03d}.txt"))  # every fifth document is in nested/
    changed.write_text(changed.read_text() + "\n\n" + paragraph(5000 + round_, 0), encoding="utf-8")


def test_a_migration_killed_at_random_moments_leaves_whole_documents_then_converges(tmp_path, server):
    """After a SIGKILL during a local→local migrate the destination said "0 documents, 102 passages" yet returned
    hits: passages were copied first, documents last. Each kill must leave whole documents only."""
    from index.store import LocalStore
    from tests.reliability.driver import check_snapshot

    source, destination = tmp_path / "source", tmp_path / "destination"
    folder = make_folder(tmp_path / "docs", documents=60, paragraphs=8)
    assert server.ingest(_args(folder, source), tmp_path / "src.json", **FAST)["code"] == 0
    migrate = ["migrate", "--from", str(source), "--to", str(destination), "--batch", "3", "--json"]
    out = tmp_path / "out.json"
    rng = random.Random(7)
    kills, seen = 0, set()
    while kills < 8:
        pid = server.start_ingest(migrate, out, write_delay=0.02)  # ~60 commits: ~1.5 s in all
        time.sleep(rng.uniform(0.05, 0.8))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if server.wait(pid)["signal"] != signal.SIGKILL:
            break  # it finished: nothing left to interrupt
        kills += 1
        if (destination / "manifest.json").exists():
            with LocalStore(destination, create=False) as store:
                assert check_snapshot(store, np.random.default_rng(0), set()) == []
                seen.add(store.count_documents())
            assert_whole(destination)
    assert server.ingest(migrate, out)["code"] == 0
    assert content(destination) == content(source)
    assert_whole(destination, vectors_exact=True)
    print(f"\n{kills} SIGKILLs during migrate; passages in the destination after each: {sorted(seen)}")
    assert kills >= 3 and len(seen) >= 3, "the kills should land at several points of the migration"
