"""The Milvus *server* code path (`milvus://host:port`), against Milvus Lite's engine served over gRPC on a port.

No Milvus cluster is reachable here; `python -m milvus_lite server` speaks the same gRPC protocol, so these tests
cover what differs from a Lite file: connecting by address, several clients at once, a server that cannot index
ARRAY fields, and the command line's output over a server.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from index.milvus.schema import passages_schema
from index.milvus.store import MilvusStore
from kb.core.models import FileRecord, SourceDocument

DIM = 16
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`milvus://127.0.0.1:PORT` of a Milvus Lite gRPC server running for this module."""
    port = _free_port()
    data = tmp_path_factory.mktemp("milvus-server")
    log = (data.parent / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=data,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"the Milvus Lite server did not start: {(data.parent / 'server.log').read_text()}")
            time.sleep(0.2)
    yield f"milvus://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def _passages(n: int, doc_id: str = "d") -> list[Document]:
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    return [
        Document(
            id=f"{doc_id}{i}", content=f"social pension passage {i}", embedding=v.tolist(),
            meta={"doc_id": doc_id, "seq": i, "path": "/x.txt", "countries": ["KEN"] if i % 3 else ["SEN", "GHA"],
                  "year": 2000 + i},
        )
        for i, v in enumerate(vectors)
    ]


def _open(uri: str, name: str) -> MilvusStore:
    return MilvusStore.from_uri(f"{uri}/{name}", embedding_model="test-model", dimension=DIM)


def test_a_server_without_array_indexes_still_filters_list_fields_exactly(server):
    store = _open(server, "arrays")
    try:
        store.write_documents(_passages(30))
        query = np.ones(DIM, dtype=np.float32)
        hits = store.embedding_search(query.tolist(), filters={"field": "meta.countries", "operator": "in",
                                                              "value": ["SEN"]}, top_k=50)
        assert sorted(h.id for h in hits) == sorted(f"d{i}" for i in range(0, 30, 3))
        ranged = store.filter_documents({"operator": "AND", "conditions": [
            {"field": "meta.countries", "operator": "==", "value": "KEN"},
            {"field": "meta.year", "operator": ">=", "value": 2020}]})
        assert sorted(d.id for d in ranged) == sorted(f"d{i}" for i in range(20, 30) if i % 3)
    finally:
        store.close()


def test_two_clients_share_one_server_and_see_each_others_commits(server):
    first, second = _open(server, "shared"), _open(server, "shared")
    try:
        first.commit(passages=_passages(5, "a"), documents=[SourceDocument("a", "/a.txt", "A")],
                     files=[FileRecord("/a.txt", "a", 1.0, 5, "indexed", None, "a")])
        assert second.count_documents() == 5
        assert [d.doc_id for d in second.documents()] == ["a"]
        second.commit(passages=_passages(2, "a"), documents=[SourceDocument("a", "/a.txt", "A", recipe=2)],
                      files=[FileRecord("/a.txt", "a", 2.0, 5, "indexed", None, "a")], replace_doc_ids=["a"])
        assert first.count_documents() == 2 and first.document("a").recipe == 2
    finally:
        first.close()
        second.close()


def test_a_store_whose_creation_stopped_before_its_indexes_gets_them(server):
    from pymilvus import MilvusClient

    client = MilvusClient(uri=server.replace("milvus://", "http://"))
    schema, _index = passages_schema(client, DIM)
    client.create_collection("halfway_passages", schema=schema, consistency_level="Strong")  # then the run died
    assert client.list_indexes("halfway_passages") == []
    store = _open(server, "halfway")
    try:
        indexed = {f for f in ("vector", "sparse", "doc_id") if client.list_indexes("halfway_passages", field_name=f)}
        assert indexed == {"vector", "sparse", "doc_id"}
        store.write_documents(_passages(3))
        assert store.keyword_search("pension", top_k=5)
    finally:
        store.close()
        client.close()


@pytest.mark.slow
def test_the_command_line_indexes_and_searches_over_a_server_with_clean_output(server, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "kenya.md").write_text(
        "# Kenya\n\nIn 2018 Kenya began paying a universal pension to every citizen aged 70 and over.\n\n"
        "The pension is financed from general taxation and paid through banks.\n"
    )
    (docs / "senegal.md").write_text("# Sénégal\n\nLa Couverture maladie universelle a été lancée en 2013.\n")
    env = {**os.environ, "KB_STORE": f"{server}/cli", "HF_HUB_OFFLINE": "1"}

    def kb(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=600)

    ingested = kb("ingest", str(docs), "--json")
    assert ingested.returncode == 0, ingested.stderr
    assert json.loads(ingested.stdout)["passages_total"] >= 2
    assert ingested.stderr == ""  # no pymilvus warnings or tracebacks
    found = kb("search", "universal pension at 70", "--json", "--k", "1")
    assert found.returncode == 0 and found.stderr == ""
    assert "kenya.md" in json.loads(found.stdout)[0]["path"]
