"""Index files from elsewhere: a newer format or another model is refused clearly, damaged files are detected
(FAISS by the checksum in the manifest and rebuilt from SQLite; SQLite by its own structure checks), and
nothing is ever unpickled."""

import ast
import json
import os
import pickle
import shutil
from pathlib import Path

import faiss
import numpy as np
import pytest

from index.manifest import read_manifest
from index.store import LocalStore
from kb import cli
from kb.errors import IndexCorruptError, IndexIncompatibleError
from kb.service import KnowledgeBase
from tests.reliability.conftest import ROOT, assert_whole, content, make_folder


@pytest.fixture(scope="module")
def built(tmp_path_factory, server) -> Path:
    """A small index built by `kb ingest` (fake converter and embedder, the real model's identity)."""
    root = tmp_path_factory.mktemp("foreign")
    folder = make_folder(root / "docs", documents=12)
    result = server.ingest(["ingest", str(folder), "--index", str(root / "index")], root / "out.json")
    assert result["code"] == 0, result["stderr"]
    return root / "index"


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
