"""The ingestion benchmark runs end to end at a tiny size, so a change in kb that breaks it fails CI."""

import json
import shutil
from pathlib import Path

import pytest

import bench.common
from bench import ingest_speed

CORPUS = Path(__file__).parents[2] / "corpus"


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Benchmark results written to a temporary folder, never over bench/results/."""
    folder = tmp_path / "results"
    monkeypatch.setattr(bench.common, "RESULTS", folder)
    monkeypatch.setattr(ingest_speed, "REALCORPUS_INDEX", tmp_path / "index")
    return folder


def test_ingest_speed_runs_through_the_public_timing_hook(tmp_path: Path, results: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for source in sorted((CORPUS / "docs").glob("**/*.md"))[:2]:
        shutil.copy(source, folder / source.name)
    ingest_speed.main(["--folder", str(folder), "--runs", "1"])
    written = json.loads((results / "ingest_speed.json").read_text())
    assert written["summary"]["passages_per_s"]["ingest"] > 0
    assert "plan (hash files)" in written["summary"]["phases_median_round"]["main_thread"]
