"""Every benchmark runs end to end at a tiny size, so a change in kb that breaks one fails CI. Each test calls the
script's `main(argv)` as `python -m bench.NAME` would, then reads the results file it wrote (into tmp_path, see
conftest.py) and checks that its figures are there and sane, and that bench.report can render its rows."""

import argparse
import importlib
import json
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from bench import (
    embedder_candidates,
    embedding_speed,
    ingest_speed,
    latency_indexes,
    memory_disk,
    query_latency,
    report,
    retrieval_quality,
    run_all,
    tui_startup,
)
from index import vector_sync

from .conftest import REAL, ROOT

# IVF needs 64 vectors at least (FAISS trains one centroid per list, 64 lists or more); kb builds it from 20,000.
SMOKE_IVF_MINIMUM = 64


def written(results: Path, name: str) -> dict[str, Any]:
    """The results file `name` the benchmark wrote, after checking that bench.report renders each of its rows."""
    data = json.loads((results / f"{name}.json").read_text())
    section = report.section(report.load())
    for row in report.rows_of(name, data):
        assert f"| {row['target']} |" in section
    return data


def copied(index: Path, to: Path) -> Path:
    """A private copy of a session index (a benchmark may write its lock or manifest)."""
    shutil.copytree(index, to)
    return to


def test_ingest_speed_runs_through_the_public_timing_hook(tiny_corpus: Path, results: Path) -> None:
    ingest_speed.main(["--folder", str(tiny_corpus / "docs"), "--runs", "1"])
    data = written(results, "ingest_speed")
    assert data["summary"]["passages_per_s"]["ingest"] > 0
    assert "plan (hash files)" in data["summary"]["phases_median_round"]["main_thread"]


def test_query_latency_real_text_and_ivf_with_recall(tiny_index: Path, results: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """`10k` (real text replicated, here to 120 passages, with `ask`) and `300-ivf` (synthetic, IVF: recall and
    nprobe tuning)."""
    monkeypatch.setattr(latency_indexes, "REAL_SIZE", 120)
    monkeypatch.setattr(vector_sync, "IVF_MINIMUM", SMOKE_IVF_MINIMUM)
    copied(tiny_index, latency_indexes.REALCORPUS_INDEX)
    query_latency.main(["--sizes", "10k,300-ivf", "--rounds", "1", "--queries", "3"])
    data = written(results, "query_latency")
    real, ivf = data["results"]["10k"], data["results"]["300-ivf"]
    assert (real["passages"], real["vector_kind"], ivf["passages"], ivf["vector_kind"]) == (120, "flat", 300, "ivf")
    for res in (real, ivf):
        assert all(0 < res["summary"][v]["p50"] <= res["summary"][v]["p95"]
                   for v in ("embed only", "search", "search + filter", "search + same filter"))
        assert all(ms >= 0 for ms in res["stages_ms"].values()) and len(res["stages_ms"]) == 8
    assert real["summary"]["ask"]["p50"] > 0
    assert all(0 <= r <= 1 for by in ivf["recall"]["by_nprobe"].values() for r in by.values())
    assert ivf["recall"]["nlist"] >= SMOKE_IVF_MINIMUM
    assert [t["target"] for t in data["targets"]] == ["hybrid search / ask at 10k real passages"]


def test_query_latency_rejects_an_unknown_size(results: Path) -> None:
    with pytest.raises(SystemExit):
        query_latency.main(["--sizes", "300-hnsw"])
    assert latency_indexes.parse_size("1m-flat") == (1_000_000, "flat")
    assert latency_indexes.parse_size("2k") == (2_000, "auto")


def test_memory_disk_measures_flat_and_ivf_in_fresh_processes(results: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vector_sync, "IVF_MINIMUM", SMOKE_IVF_MINIMUM)
    memory_disk.main(["--sizes", "300", "--runs", "1"])
    data = written(results, "memory_disk")
    assert list(data["results"]) == ["300"]  # bench/results/memory_disk.json's sizes are not merged in
    for kind in ("flat", "ivf"):
        disk, ram = data["results"]["300"][kind]["disk"], data["results"]["300"][kind]["ram"]
        assert disk["per_passage"]["total"] > 0 and disk["faiss_bytes"] > 0 and disk["sqlite_bytes"] > 0
        assert disk["passage_columns_mean_bytes"]["embedding"] == 384 * 4
        assert ram["process_rss"] > 0 and ram["baseline_rss"] > 0
    assert len(data["targets"]) == 2


def test_milvus_vs_local_runs_both_backends(results: Path) -> None:
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    from bench import milvus_vs_local

    milvus_vs_local.main(["--sizes", "200", "--runs", "1", "--queries", "3"])
    data = written(results, "milvus_vs_local")
    assert list(data["results"]) == ["200"]
    res = data["results"]["200"]
    for backend in ("local", "milvus_lite"):
        assert res[backend]["write_per_s"] > 0
        assert all(res[backend][key]["p50"] > 0 for _, key in milvus_vs_local.METRICS)
    assert res["local"]["matching_filter"] == res["milvus_lite"]["matching_filter"]


def test_embedding_speed_times_every_variant_and_scores_them(tiny_beir: Path, results: Path) -> None:
    """Six documents of a tiny BEIR folder; the realcorpus sample is absent (no ../shared) and skipped."""
    embedding_speed.main(["--passages", "6", "--runs", "1", "--beir", str(tiny_beir)])
    data = written(results, "embedding_speed")
    assert list(data["samples"]) == ["scifact"]
    variants = data["samples"]["scifact"]["variants"]
    assert set(variants) == {"torch", "torch-call32", "onnx-fp32", "onnx-int8"}
    assert all(v["passages_per_s"] > 0 and v["cpu_ms_per_passage"] > 0 for v in variants.values())
    assert data["cosine_to_torch"]["onnx-fp32"]["min"] > 0.99
    assert data["cosine_to_torch"]["onnx-int8"]["mean"] > 0.9
    assert set(data["ndcg@10"]) == {"torch", "onnx-fp32", "onnx-int8"}
    assert all(0 < score <= 1 for score in data["ndcg@10"].values())


def test_embedding_speed_without_data_says_so(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    embedding_speed.main([])  # ../shared is redirected to an empty folder
    assert "nothing to measure" in capsys.readouterr().out
    assert not (results / "embedding_speed.json").exists()


def test_tui_startup_launches_kb_tui_in_a_terminal(tiny_index: Path, tmp_path: Path, results: Path) -> None:
    index = copied(tiny_index, tmp_path / "index")
    tui_startup.main(["--runs", "1", "--no-warm-up", "--index", str(index)])
    data = written(results, "tui_startup")
    bare, kb = data["summary"]["bare"], data["summary"]["kb tui"]
    assert 0 < bare["box_shown"] <= bare["interactive"]
    assert 0 < kb["box_shown"] <= kb["interactive"] < kb["first_answer"]
    assert data["summary"]["ratio_kb_to_bare"]["interactive"] > 0


def test_retrieval_quality_scores_beir_and_the_dev_questions(tiny_corpus: Path, tiny_beir: Path,
                                                             results: Path) -> None:
    retrieval_quality.main(["--beir", str(tiny_beir), "--corpus", str(tiny_corpus / "docs"),
                            "--questions", str(tiny_corpus / "questions.jsonl")])
    data = written(results, "retrieval_quality")
    metrics = data["beir"]["metrics"]
    assert set(metrics) == {"dense", "keyword", "hybrid"}
    assert all(0 < m["ndcg@10"] <= 1 and m["ms_per_query"] > 0 for m in metrics.values())
    overall = data["questions"]["overall"]
    assert 0 < overall["hit@10"] <= 1 and 0 <= overall["unanswerable_answered"] <= 1
    assert len(data["targets"]) == 4


def test_embedder_candidates_reports_missing_candidates(tiny_corpus: Path, tiny_index: Path, tmp_path: Path,
                                                        results: Path) -> None:
    """The candidates are optional packages: when absent they are reported, and kb's own variants still run."""
    index = copied(tiny_index, tmp_path / "index")
    embedder_candidates.main(["--index", str(index), "--questions", str(tiny_corpus / "questions.jsonl")])
    data = json.loads((results / "embedder_candidates-questions.json").read_text())
    assert set(data["models"]) == set(embedder_candidates.MODELS)
    assert data["passages"] > 0
    minilm = data["results"]["all-MiniLM-L6-v2 dense"]["all"]
    assert minilm["questions"] >= 3 and 0 <= minilm["hit@1"] <= minilm["hit@10"] <= 1


def test_milvus_haystack_suites_import() -> None:
    """A pytest file run by hand (minutes, against Milvus Lite): here only that it still imports."""
    pytest.importorskip("milvus_haystack")
    suites = importlib.import_module("bench.milvus_haystack_suites")
    assert any(name.startswith("test_") for name in dir(suites.TestMilvusHaystackDocumentStore))


def test_report_renders_the_committed_results_into_a_copy_of_the_readme(tmp_path: Path, results: Path) -> None:
    results.mkdir()
    for file in REAL["results"].glob("*.json"):
        shutil.copy(file, results)
    readme = tmp_path / "README.md"
    original = (ROOT / "README.md").read_text()
    readme.write_text(original)
    report.main(["--update-readme", "--readme", str(readme)])
    section = report.section(report.load())
    updated = readme.read_text()
    assert section in updated and updated.count("## Performance") == 1
    assert updated.split("## Performance")[0] == original.split("## Performance")[0]
    for name in report.ORDER:
        if (results / f"{name}.json").is_file():
            rows = report.rows_of(name, json.loads((results / f"{name}.json").read_text()))
            assert rows and all(f"| {row['target']} |" in section for row in rows)
    assert (ROOT / "README.md").read_text() == original


class Parsed(Exception):
    """Raised instead of running a benchmark once its arguments are parsed."""


def parsed(module: Any, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> argparse.Namespace:
    """The arguments `module.main(argv)` parses (the benchmark itself does not run)."""
    parse = argparse.ArgumentParser.parse_args

    def stop(self: argparse.ArgumentParser, args: Any = None, namespace: Any = None) -> Any:
        raise Parsed(parse(self, args, namespace))

    with monkeypatch.context() as patch:
        patch.setattr(argparse.ArgumentParser, "parse_args", stop)
        with pytest.raises(Parsed) as got:
            module.main(argv)
    return got.value.args[0]


def test_run_all_names_benchmarks_whose_main_accepts_their_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    launched: list[list[str]] = []

    def call(command: list[str], **_kwargs: Any) -> int:
        launched.append(command)
        return 0

    monkeypatch.setattr(subprocess, "call", call)
    assert run_all.main(["--skip-1m"]) == 0
    names = [name for name, _, _ in run_all.BENCHMARKS]
    assert set(names) == set(report.ORDER) == set(report.COMMANDS)
    assert [c[2] for c in launched] == [f"bench.{n}" for n in names] + ["bench.report"]
    commands = launched + [[sys.executable, *report.COMMANDS[n].split()[1:]] for n in names]
    for command in commands:
        assert command[:2] == [sys.executable, "-m"]
        if command[2] == "bench.milvus_vs_local" and find_spec("pymilvus") is None:
            continue
        parsed(importlib.import_module(command[2]), command[3:], monkeypatch)


def test_ocr_speed_reads_pages_through_kb_and_ingests_a_scanned_report(results: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rapidocr")
    from bench import ocr_speed

    monkeypatch.setenv("KB_OCR", "rapidocr")  # the figures are RapidOCR's, whether Tesseract is installed or not
    engines = ocr_speed._engines
    monkeypatch.setattr(ocr_speed, "_engines", lambda: {"rapidocr": engines()["rapidocr"]})
    ocr_speed.main(["--pages", "1", "--runs", "1", "--report-pages", "1"])
    data = written(results, "ocr_speed")
    figures = data["results"]["rapidocr"]
    assert figures["engine_pages_per_s"] > 0 and figures["kb_pages_per_s"] > 0
    assert data["report"]["ocr_pages_read"] == 1 and data["report"]["passages"] > 0 and not data["report"]["failed"]
    assert [t["target"] for t in data["targets"]] == ["OCR through kb vs the engine alone (rapidocr)",
                                                      "ingest a 1-page scanned report"]
