"""Fixtures for the TUI tests: a small index built once per session (the model loads once), and the app."""

from pathlib import Path

import pytest

from tests.tui.corpus import write_corpus


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Textual runs on asyncio."""
    return "asyncio"


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding `corpus/` (the documents) and `index/` (built from them)."""
    root = tmp_path_factory.mktemp("tui")
    write_corpus(root / "corpus")
    return root


@pytest.fixture(scope="session")
def kb_index(workspace: Path) -> Path:
    """The corpus ingested through the service, as a user's `kb ingest` would."""
    from kb.service import KnowledgeBase

    index = workspace / "index"
    with KnowledgeBase(index=index) as kb:
        report = kb.ingest([workspace / "corpus"])
    assert not report.failed, report.failed
    assert report.documents_total == 5
    return index


@pytest.fixture
def in_workspace(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the workspace, so paths show as `corpus/…` (stable in snapshots) and exports land in tmp."""
    monkeypatch.chdir(workspace)
    return workspace
