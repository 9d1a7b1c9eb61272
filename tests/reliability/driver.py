"""A fork server for the crash and concurrency tests: imports kb once, then forks one child per command.

Run as `python -m tests.reliability.driver` from the repository. It reads one JSON command per line on stdin
and answers one JSON line on stdout:

- `{"op": "ingest", "args": [...], "out": FILE, "delay": S, "group": N, "flush": S, "uid": U, "gid": G,
  "write_delay": S}` forks a child that runs the real `kb` CLI (`kb.cli.main(args)`) with the fast fake converter
  and embedder (as user U if given; every store write `write_delay` seconds slower, so a short migration can be
  killed midway), its stdout/stderr and exit status written to FILE as JSON; answers `{"pid": PID}`.
- `{"op": "read", "index": DIR, "seconds": S, "out": FILE}` forks a reader that checks the index's invariants
  in a loop while others write; answers `{"pid": PID}`.
- `{"op": "wait", "pid": PID}` waits for a child; answers `{"status": wait status, "signal": N or null}`.

Forking after the imports makes each run start in milliseconds instead of seconds, so a test can SIGKILL
twenty ingests in a few seconds. The server itself never opens an index (nothing to share across a fork).
"""

import contextlib
import io
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from kb.core import offline

offline.enforce()

import numpy as np

import index.store  # imported before forking
import ingest.convert
import ingest.run
import kb.cli
import kb.embedding
import kb.service
from tests.reliability import fakes


def _ingest(cmd: dict[str, Any]) -> int:
    if "uid" in cmd:  # run as another user: chmod 000 stops reads only for non-root users
        os.environ.update({"HOME": "/nonexistent", "KB_CONFIG": "/nonexistent/config.toml"})
        os.setgroups([])
        os.setgid(cmd["gid"])
        os.setuid(cmd["uid"])
    ingest.run.EMBED_GROUP = int(cmd.get("group", ingest.run.EMBED_GROUP))
    ingest.run.FLUSH_SECONDS = float(cmd.get("flush", ingest.run.FLUSH_SECONDS))
    delay = float(cmd.get("delay", 0.0))
    if cmd.get("write_delay"):
        _slow_writes(float(cmd["write_delay"]))
    ingest.convert.Converter = lambda *_a, **_k: fakes.FakeConverter()  # type: ignore[assignment,misc]
    kb.embedding.document_embedder = (  # type: ignore[assignment]
        lambda info, *_a, **_k: fakes.FakeEmbedder(delay, info.dimension)
    )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = kb.cli.main(cmd["args"])
        except BaseException:  # noqa: BLE001 - a traceback is a test failure: record it
            traceback.print_exc()
            code = 99
    Path(cmd["out"]).write_text(
        json.dumps({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
    )
    return code


def _slow_writes(seconds: float) -> None:
    for name in ("commit", "write_documents"):
        method = getattr(index.store.LocalStore, name)

        def slow(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            time.sleep(seconds)
            return _method(*args, **kwargs)

        setattr(index.store.LocalStore, name, slow)


def _read(cmd: dict[str, Any]) -> int:
    """Check, again and again while another process writes, that every snapshot is a whole state."""
    from index.store import LocalStore

    deadline = time.monotonic() + float(cmd["seconds"])
    while not (Path(cmd["index"]) / "manifest.json").exists():
        time.sleep(0.01)
    store = LocalStore(cmd["index"], create=False)
    rng = np.random.default_rng(0)
    stats: dict[str, Any] = {"iterations": 0, "states": set(), "violations": []}
    while time.monotonic() < deadline:
        try:
            stats["violations"] += check_snapshot(store, rng, stats["states"])
        except Exception as exc:  # noqa: BLE001 - any error while reading is a finding
            stats["violations"].append(f"{type(exc).__name__}: {exc}")
        stats["iterations"] += 1
    store.close()
    stats["states"] = len(stats["states"])
    Path(cmd["out"]).write_text(json.dumps(stats))
    return 0


def check_snapshot(store: Any, rng: np.random.Generator, states: set[int]) -> list[str]:
    """Invariants of one read snapshot: documents whole, files point at documents, vectors match SQLite."""
    problems = []
    with store._read():  # one SQLite read transaction: everything below sees the same commit
        con = store._con
        for doc_id, expected, found in con.execute(
            "SELECT d.doc_id, json_extract(d.data, '$.passages'),"
            " (SELECT count(*) FROM passages p WHERE p.doc_id = d.doc_id) FROM documents d"
        ):
            if expected != found:
                problems.append(f"document {doc_id[:8]} has {found} of its {expected} passages")
        orphans = con.execute(
            "SELECT count(*) FROM passages WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} passages without a document")
        dangling = con.execute(
            "SELECT count(*) FROM files"
            " WHERE doc_id IS NOT NULL AND doc_id NOT IN (SELECT doc_id FROM documents)"
        ).fetchone()[0]
        if dangling:
            problems.append(f"{dangling} file records without a document")
        store._sync()
        held = np.sort(store._vectors.ids())
        stored = np.sort(store.passages.embedded_vids())
        if not np.array_equal(held, stored):
            problems.append(f"vector index holds {len(held)} ids, SQLite {len(stored)}")
        states.add(len(stored))
        hits = store.embedding_search(rng.standard_normal(store.manifest.dimension), top_k=5)
        known = {r[0] for r in con.execute("SELECT doc_id FROM documents")}
        problems += [
            f"hit {h.id[:8]} of a missing document" for h in hits if h.meta.get("doc_id") not in known
        ]
        store.keyword_search("pension benefit", top_k=5)
    return problems


def serve() -> None:
    """Answer commands from stdin until it closes; children left running are killed on exit."""
    children: set[int] = set()
    try:
        for line in sys.stdin:
            cmd = json.loads(line)
            if cmd["op"] == "wait":
                _pid, status = os.waitpid(cmd["pid"], 0)
                children.discard(cmd["pid"])
                signal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
                code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
                _answer({"status": status, "signal": signal, "code": code})
                continue
            pid = os.fork()
            if pid == 0:
                code = 98
                try:
                    code = _ingest(cmd) if cmd["op"] == "ingest" else _read(cmd)
                finally:
                    os._exit(code)
            children.add(pid)
            _answer({"pid": pid})
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, 9)
                os.waitpid(pid, 0)


def _answer(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    serve()
