"""The CLI start-up benchmark runs end to end at a tiny size (two bundled documents, one round), so a change in
kb that breaks one of the commands it times fails CI."""

import json
import shutil
from pathlib import Path

import pytest

import bench.common
from bench import cli_startup

CORPUS = Path(__file__).parents[2] / "corpus"
SMALL = ["promotional/two_dimensional_extension_strategy.md", "country_studies/finland_basic_income_experiment.md"]


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Benchmark results written to a temporary folder, never over bench/results/."""
    folder = tmp_path / "results"
    monkeypatch.setattr(bench.common, "RESULTS", folder)
    return folder


def test_cli_startup_times_every_command_against_the_interpreter(tmp_path: Path, results: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in SMALL:
        shutil.copy(CORPUS / "docs" / name, docs)
    cli_startup.main(["--runs", "1", "--no-warm-up", "--corpus", str(docs), "--index", str(tmp_path / "index")])
    written = json.loads((results / "cli_startup.json").read_text())
    summary = written["summary"]
    assert set(summary) == set(cli_startup.commands(tmp_path / "index"))
    assert summary["python -c pass"]["ratio_to_python"] == 1.0
    assert all(row["seconds"] > 0 for row in summary.values())
    assert [t["target"] for t in written["targets"]][:2] == ["CLI start-up: `kb search --mode keyword`",
                                                             "CLI start-up: `kb ask`"]
