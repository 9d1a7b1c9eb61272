"""Fixtures of the benchmark smoke tests: every path a benchmark writes or reads outside the repository points
into a temporary folder, and the inputs are tiny (two bundled documents, a few questions, an eight-document
BEIR folder), so the whole set runs in seconds and never touches bench/results/, bench/cache/ or ../shared."""

import importlib
import json
import pkgutil
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import bench
import bench.common
from bench import synthetic

ROOT = Path(__file__).parents[2]
CORPUS = ROOT / "corpus"
SMALL = ["docs/promotional/socle_de_protection_sociale.md", "docs/promotional/two_dimensional_extension_strategy.md"]
# Needs a Milvus test suite run, not an import per test.
NOT_IMPORTED = {"milvus_haystack_suites"}
REPOSITORY_PACKAGES = {"bench", "index", "ingest", "kb", "tui"}
# The real locations, taken before any test redirects them.
REAL = {"results": bench.common.RESULTS, "cache": bench.common.CACHE, "shared": bench.common.SHARED}
BEIR = [
    ("d1", "Pensions", "A universal social pension is paid to every older person regardless of contributions."),
    ("d2", "Child grants", "Child benefits are cash transfers paid to families with children."),
    ("d3", "Health", "Universal health coverage lets everyone use health services without financial hardship."),
    ("d4", "Unemployment", "Unemployment insurance replaces part of the wage of workers who lose their job."),
    ("d5", "Maternity", "Maternity benefits replace the earnings of women during the weeks around childbirth."),
    ("d6", "Disability", "Disability pensions support people who cannot work because of a long-term impairment."),
    ("d7", "Employment injury", "Workers injured on the job receive medical care and cash benefits."),
    ("d8", "Informal economy", "Informal workers are often outside contributory social insurance schemes."),
]
BEIR_QUERIES = [("q1", "old age pension without contributions", "d1"),
                ("q2", "money for families raising kids", "d2"),
                ("q3", "benefits after losing a job", "d4"),
                ("q4", "income support around the birth of a child", "d5")]


def bench_modules() -> list[object]:
    """Every benchmark module, but those whose optional packages (the milvus extra) are not installed."""
    modules = []
    for info in pkgutil.iter_modules(bench.__path__):
        if info.name in NOT_IMPORTED:
            continue
        try:
            modules.append(importlib.import_module(f"bench.{info.name}"))
        except ModuleNotFoundError as missing:
            if (missing.name or "").partition(".")[0] in REPOSITORY_PACKAGES:
                raise
    return modules


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The folder the benchmarks write their results to, in tmp_path. Every module-level path under
    bench/results/, bench/cache/ or ../shared (indexes, caches, data sets) is moved under tmp_path too, so the
    benchmarks build their caches there and find no ../shared (its readers must skip it cleanly)."""
    for module in bench_modules():
        for name, value in list(vars(module).items()):
            if not isinstance(value, Path):
                continue
            for kind, real in REAL.items():
                if value.is_relative_to(real):
                    monkeypatch.setattr(module, name, tmp_path / kind / value.relative_to(real))
                    break
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # kb's default index and BEIR index cache
    synthetic.vector_model.cache_clear()  # its centres come from ../shared when present
    yield tmp_path / "results"
    synthetic.vector_model.cache_clear()


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short bundled documents under docs/, and questions.jsonl: the dev questions about them, and two of
    the unanswerable ones (answer paths are relative to the file, as in corpus/questions.jsonl)."""
    folder = tmp_path_factory.mktemp("tiny-corpus")
    for name in SMALL:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / name, folder / name)
    rows = [json.loads(line) for line in (CORPUS / "questions.jsonl").read_text().splitlines() if line.strip()]
    about = [r for r in rows if any(a["path"] in SMALL for a in r.get("answers", []))]
    unanswerable = [r for r in rows if not r["answerable"]][:2]
    assert len(about) >= 3
    (folder / "questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in about + unanswerable))
    return folder


@pytest.fixture(scope="session")
def tiny_index(tiny_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny corpus ingested once with kb's defaults (copy it before a benchmark opens it)."""
    from kb.service import KnowledgeBase

    index = tmp_path_factory.mktemp("tiny-index") / "index"
    with KnowledgeBase(index=index) as base:
        report = base.ingest([tiny_corpus / "docs"])
    assert report.passages_added > 0 and not report.failed
    return index


@pytest.fixture(scope="session")
def tiny_beir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BEIR-format folder (SciFact's layout) of eight documents and four queries."""
    folder = tmp_path_factory.mktemp("tiny-beir")
    (folder / "qrels").mkdir()
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": i, "title": t, "text": x}) + "\n" for i, t, x in BEIR))
    (folder / "queries.jsonl").write_text("".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t, _ in BEIR_QUERIES))
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t1\n" for q, _, d in BEIR_QUERIES))
    return folder
