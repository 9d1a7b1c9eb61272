"""Index files from elsewhere: a newer format or another model is refused clearly, damaged files are detected
(FAISS by the checksum in the manifest and rebuilt from SQLite; SQLite by its own structure checks), vector files
of another index or inconsistent with their manifest are rebuilt, and nothing is ever unpickled."""

import ast
import hashlib
import json
import logging
import os
import pickle
import shutil
import sqlite3
from pathlib import Path

import faiss
import numpy as np
import pytest

from index.manifest import read_manifest
from index.store import LocalStore
from index.vectors import MAGIC
from kb import cli
from kb.core.errors import IndexCorruptError, IndexIncompatibleError
from kb.service import KnowledgeBase
from tests.reliability.conftest import ROOT, assert_whole, content, make_folder, paragraph


@pytest.fixture(scope="module")
def built(tmp_path_factory, server) -> Path:
    """A small index built by `kb ingest` (fake converter and embedder, the real model's identity)."""
    root = tmp_path_factory.mktemp("foreign")
    folder = make_folder(root / "docs", documents=12)
    result = server.ingest(["ingest", str(folder), "--index", str(root / "index")], root / "out.json")
    assert result["code"] == 0, result["stderr"]
    return root / "index"


@pytest.fixture(scope="module")
def other(tmp_path_factory, server) -> Path:
    """Another index of the same (fake) model, of other documents: its vids 1..N mean other passages."""
    root = tmp_path_factory.mktemp("other")
    _ingest_new(server, root / "index", root / "docs", first=500, documents=4)
    return root / "index"


def _ingest_new(server, index: Path, folder: Path, first: int, documents: int) -> None:
    """Ingest `documents` files of text no other test document has (documents `first`, `first + 1`...)."""
    folder.mkdir()
    for doc in range(first, first + documents):
        (folder / f"other{doc}.txt").write_text("\n\n".join(paragraph(doc, i) for i in range(5)), encoding="utf-8")
    result = server.ingest(["ingest", str(folder), "--index", str(index)], folder.parent / "out.json")
    assert result["code"] == 0, result["stderr"]


@pytest.fixture
def index(built, tmp_path) -> Path:
    """A fresh copy of the built index to damage."""
    return Path(shutil.copytree(built, tmp_path / "index"))


def _cli_error(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kb: error: ") and "Traceback" not in captured.err, (
        captured.err
    )
    return code, lines[0]


def _edit_manifest(index: Path, **changes) -> None:
    path = index / "manifest.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"format_version": 2}, "newer than this kb understands"),
        ({"format_version": "1"}, "index format version '1'"),
        (
            {"embedding_model": "intfloat/multilingual-e5-small@0123456789ab"},
            "built with the embedding model",
        ),
        ({"dimension": 768}, "768-dimensional"),
    ],
    ids=["newer-format", "odd-format", "other-model", "other-dimension"],
)
def test_an_index_from_elsewhere_is_refused_with_a_clear_message(index, capsys, changes, says):
    _edit_manifest(index, **changes)
    for command in (
        ["search", "pension", "--mode", "keyword"],
        ["stats"],
        ["docs"],
        ["ingest", str(index.parent)],
    ):
        code, line = _cli_error(capsys, *command, "--index", str(index))
        assert code == 1 and says in line
        assert "re-index" in line or "upgrade kb" in line
    with pytest.raises(IndexIncompatibleError, match=says):
        KnowledgeBase(index=index).store()


@pytest.mark.parametrize("damage", ["not json", "", "[]", '{"format_version": 1}'])
def test_an_unreadable_manifest_is_reported_not_guessed(index, capsys, damage):
    (index / "manifest.json").write_text(damage)
    code, line = _cli_error(capsys, "stats", "--index", str(index))
    assert code == 1 and "manifest.json" in line and ("re-index" in line or "restore" in line)


@pytest.mark.parametrize(
    "damage", ["flipped bytes", "truncated", "missing", "another index's file", "no checksum"]
)
def test_a_damaged_vector_file_is_detected_and_rebuilt_from_sqlite(index, damage):
    manifest = read_manifest(index)
    vectors = index / manifest.vectors_file
    data = bytearray(vectors.read_bytes())
    if damage == "flipped bytes":
        data[len(data) // 2 : len(data) // 2 + 256] = os.urandom(256)
        vectors.write_bytes(bytes(data))
    elif damage == "truncated":
        vectors.write_bytes(bytes(data[: len(data) // 3]))
    elif damage == "missing":
        vectors.unlink()
    elif damage == "another index's file":  # a valid FAISS file, same shape, wrong content
        other = faiss.IndexIDMap2(faiss.IndexFlatIP(manifest.dimension))
        other.add_with_ids(
            np.random.default_rng(0).standard_normal((5, manifest.dimension)).astype(np.float32),
            np.arange(5, dtype=np.int64),
        )
        vectors.write_bytes(faiss.serialize_index(other).tobytes())
    else:  # a manifest without a checksum: the file is not trusted, garbage never reaches FAISS
        _edit_manifest(index, vectors_sha256=None)
        vectors.write_bytes(b"IxM2" + os.urandom(4000))
    counts = assert_whole(index, vectors_exact=True)  # opens, rebuilds from SQLite, every vector right
    assert counts["vectors"] == counts["passages"] > 0


def _adopt(index: Path, other: Path, *, manifest: bool) -> None:
    """Put `other`'s vector file into `index`, with `other`'s manifest or with this manifest pointed at it."""
    theirs = read_manifest(other)
    for old in index.glob("vectors-*.faiss"):
        old.unlink()
    shutil.copy(other / theirs.vectors_file, index / theirs.vectors_file)
    if manifest:
        shutil.copy(other / "manifest.json", index / "manifest.json")
    else:
        _edit_manifest(index, vectors_file=theirs.vectors_file, vectors_sha256=theirs.vectors_sha256,
                       vectors_count=theirs.vectors_count)


def _headerless(index: Path, *, keep_identity: bool = False) -> None:
    """Rewrite the vector file as kb wrote it before indexes had an identity: FAISS bytes only."""
    manifest = read_manifest(index)
    data = (index / manifest.vectors_file).read_bytes()
    body = data[len(MAGIC):].partition(b"\n")[2]
    (index / manifest.vectors_file).write_bytes(body)
    _edit_manifest(index, vectors_sha256=hashlib.sha256(body).hexdigest(),
                   index_id=manifest.index_id if keep_identity else None)


def _rebuilt(caplog, index: Path) -> list[str]:
    """Open `index` (checking it is whole, every vector its own); the reasons given for rebuilding its vectors."""
    with caplog.at_level(logging.WARNING, logger="index.vector_sync"):
        counts = assert_whole(index, vectors_exact=True)
    assert counts["vectors"] == counts["passages"] > 0
    return [r.getMessage() for r in caplog.records if "rebuilding it from the database" in r.getMessage()]


@pytest.mark.parametrize(
    ("foreign", "says"),
    [
        ("manifest and vectors", "manifest.json belongs to another index"),
        ("vectors only", "it belongs to another index"),
        ("wrong count", "it holds 72 vectors, manifest.json says 44"),
        ("no identity", "it names no index"),
        ("copy that grew", "ids this database never issued"),
    ],
)
def test_vector_files_of_another_index_or_inconsistent_are_rebuilt(index, other, tmp_path, server, caplog, foreign,
                                                                   says):
    """A manifest and vector file copied from another index of the same model passed every check (FAISS was matched
    to SQLite by id set, and both number from 1): dense search returned the other index's passages."""
    if foreign == "manifest and vectors":
        _adopt(index, other, manifest=True)
    elif foreign == "vectors only":
        _adopt(index, other, manifest=False)
    elif foreign == "wrong count":
        _edit_manifest(index, vectors_count=44)
    elif foreign == "no identity":  # a file of an index made before identities, under this index's manifest
        _headerless(index, keep_identity=True)
    else:  # a copy of this index (same identity) and this index grew apart: their new vids mean other passages
        grown = Path(shutil.copytree(index, tmp_path / "grown"))
        _ingest_new(server, grown, tmp_path / "theirs", first=700, documents=3)
        _ingest_new(server, index, tmp_path / "ours", first=800, documents=1)
        _adopt(index, grown, manifest=True)
    reasons = _rebuilt(caplog, index)
    assert len(reasons) == 1 and says in reasons[0], reasons
    _write_once(index)  # a writer saves the rebuilt vectors, bound to this index
    caplog.clear()
    assert _rebuilt(caplog, index) == []


def _write_once(index: Path) -> None:
    with LocalStore(index, create=False) as store:
        store.begin_writing()  # the writer's close flushes

def test_an_older_vector_file_of_the_same_index_is_used_and_caught_up(index, tmp_path, server, caplog):
    """Vids are never reused, so this index's own earlier vector file (a backup, a crash before a flush) is kept and
    reconciled with SQLite by id set, not rebuilt."""
    older = {p.name: p.read_bytes() for p in index.iterdir() if p.name == "manifest.json" or p.suffix == ".faiss"}
    folder = make_folder(tmp_path / "more", documents=3)
    for doc in folder.glob("*.txt"):
        doc.write_text(doc.read_text() + "\n\nOne more paragraph about the pension scheme.")
    result = server.ingest(["ingest", str(folder), "--index", str(index)], tmp_path / "out.json")
    assert result["code"] == 0, result["stderr"]
    for name, data in older.items():
        (index / name).write_bytes(data)
    assert _rebuilt(caplog, index) == []


def test_an_index_made_before_identities_is_read_then_upgraded(index, caplog):
    _headerless(index)
    con = sqlite3.connect(index / "kb.sqlite3")
    con.execute("DELETE FROM kv WHERE key = 'index_id'")
    con.commit()
    con.close()
    assert _rebuilt(caplog, index) == []  # trusted by its checksum, as before
    _write_once(index)  # the index gets its identity
    manifest = read_manifest(index)
    con = sqlite3.connect(index / "kb.sqlite3")
    stored = con.execute("SELECT value FROM kv WHERE key = 'index_id'").fetchone()[0]
    con.close()
    assert manifest.index_id == stored and (index / manifest.vectors_file).read_bytes().startswith(MAGIC)
    assert _rebuilt(caplog, index) == []


@pytest.mark.parametrize("where", [0.25, 0.5, 0.75, 0.9])
def test_garbage_inside_the_database_is_detected(index, capsys, where):
    """Garbage written into kb.sqlite3: each command either answers correctly or says the index is damaged."""
    reference = {
        "docs": _run(capsys, "docs", "--json", "--index", str(index))[1],
        "search": _run(
            capsys, "search", "pension scheme", "--mode", "keyword", "--json", "--index", str(index)
        )[1],
    }
    database = index / "kb.sqlite3"
    size = database.stat().st_size
    with open(database, "r+b") as fh:
        fh.seek(int(size * where) // 4096 * 4096)  # a whole page of garbage
        fh.write(os.urandom(4096))
    damaged = database.read_bytes()
    detected = 0
    for name, args in (
        ("docs", ["docs", "--json"]),
        ("search", ["search", "pension scheme", "--mode", "keyword", "--json"]),
        ("stats", ["stats"]),
    ):
        code, out, err = _run_raw(capsys, *args, "--index", str(index))
        if code == 0:
            if name in reference:
                assert out == reference[name], f"{name} read the damaged file into nonsense"
            continue
        lines = [line for line in err.splitlines() if line.strip()]
        assert code == 1 and len(lines) == 1 and "damaged" in lines[0], err
        assert "re-index" in lines[0]
        detected += 1
    with capsys.disabled():
        print(
            f"\ngarbage at {where:.0%}: {detected} of 3 commands said the index is damaged, "
            "the rest answered right"
        )
    code, out, err = _run_raw(capsys, "ingest", str(ROOT / "tests" / "reliability"), "--index", str(index))
    assert (
        code == 1 and "damaged" in err and "Traceback" not in err
    )  # a writer never builds on a damaged file
    assert database.read_bytes() == damaged, "the damaged file was left as it was"
    with pytest.raises(IndexCorruptError), LocalStore(index, create=False) as store:
        store.check()


def _run_raw(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def _run(capsys, *args: str) -> tuple[int, str]:
    code, out, err = _run_raw(capsys, *args)
    assert code == 0, err
    return code, out


def test_nothing_is_unpickled_when_an_index_is_opened_and_searched(index, monkeypatch, capsys):
    def refuse(*_args, **_kwargs):
        raise AssertionError("pickle used to read the index")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    monkeypatch.setattr(
        np, "load", lambda *a, **k: refuse() if k.get("allow_pickle") else np.lib.npyio.load(*a, **k)
    )
    before = content(index)
    with LocalStore(index, create=False) as store:
        vector = np.asarray(store.filter_documents()[0].embedding)
        assert store.embedding_search(vector, top_k=3) and store.keyword_search("pension", top_k=3)
    assert cli.main(["search", "pension scheme", "--mode", "keyword", "--index", str(index)]) == 0
    assert cli.main(["stats", "--index", str(index)]) == 0
    capsys.readouterr()
    assert content(index) == before


def test_no_source_file_reads_with_pickle():
    """kb, ingest, index and tui never deserialise with pickle, torch.load without weights_only, or np.load
    with allow_pickle (checked on the syntax tree, so comments and strings do not count)."""
    offenders = []
    for package in ("kb", "index", "ingest", "tui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                offenders += [
                    f"{path.relative_to(ROOT)}:{node.lineno}: {problem}" for problem in _pickle_use(node)
                ]
    assert offenders == []


def _pickle_use(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
        return [
            f"imports {n}"
            for n in names
            if n and n.split(".")[0] in ("pickle", "cPickle", "dill", "joblib", "shelve", "cloudpickle")
        ]
    if not isinstance(node, ast.Call):
        return []
    name = ast.unparse(node.func)
    keywords = {k.arg: ast.unparse(k.value) for k in node.keywords}
    if name.endswith("torch.load") and keywords.get("weights_only") != "True":
        return ["torch.load without weights_only=True"]
    if name.endswith(("np.load", "numpy.load")) and keywords.get("allow_pickle") == "True":
        return ["np.load(allow_pickle=True)"]
    if name.endswith(("pd.read_pickle", "pandas.read_pickle")):
        return ["read_pickle"]
    return []
