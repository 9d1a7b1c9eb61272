"""Fixtures shared across the suite: the real model's identity and one index of the bundled corpus."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """The bundled corpus/ ingested once (real model) into a session index directory."""
    from kb.service import KnowledgeBase

    index = tmp_path_factory.mktemp("corpus-index")
    with KnowledgeBase(index=index) as kb:
        report = kb.ingest([ROOT / "corpus"])
    assert not report.failed, report.failed
    return index


@pytest.fixture(scope="session")
def corpus_milvus(tmp_path_factory) -> str:
    """The bundled corpus ingested once into Milvus Lite; returns its store URI (skips without the extra)."""
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    from kb.service import KnowledgeBase

    uri = f"milvus:{tmp_path_factory.mktemp('corpus-milvus') / 'kb.db'}"
    with KnowledgeBase(store=uri) as kb:
        report = kb.ingest([ROOT / "corpus"])
    assert not report.failed, report.failed
    return uri


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory) -> Path:
    """One OCR cache for the session: the tests' scans are made deterministically, so a page scanned by one test
    and read again by another comes from here (as it would for a user), and each distinct page is read once."""
    return tmp_path_factory.mktemp("ocr-cache")


@pytest.fixture(autouse=True)
def _own_state_home(tmp_path_factory, monkeypatch):
    """Each test saves the TUI's collection and history in a folder of its own: no test sees another's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
