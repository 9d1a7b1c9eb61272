"""`kb eval --beir` on a tiny BEIR-format folder: metrics come from ranx, the index is cached."""

import json

import pytest

from kb import beir
from kb.service import KnowledgeBase

CORPUS = [
    ("d1", "Pensions", "A universal social pension is paid to every older person regardless of contributions."),
    ("d2", "Child grants", "Child benefits are cash transfers paid to families with children."),
    ("d3", "Health", "Universal health coverage lets everyone use health services without financial hardship."),
    ("d4", "Unemployment", "Unemployment insurance replaces part of the wage of workers who lose their job."),
]
QUERIES = [("q1", "old age pension without contributions", "d1"), ("q2", "money for families raising kids", "d2"),
           ("q3", "benefits after losing a job", "d4")]


@pytest.fixture
def beir_dir(tmp_path):
    folder = tmp_path / "tiny"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps({"_id": i, "title": t, "text": x}) for i, t, x in CORPUS))
    (folder / "queries.jsonl").write_text("\n".join(json.dumps({"_id": q, "text": t}) for q, t, _ in QUERIES))
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t1\n" for q, _, d in QUERIES))
    return folder


@pytest.mark.slow
def test_beir_eval_reports_all_modes_and_caches_the_index(beir_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    kb = KnowledgeBase(index=tmp_path / "unused")
    first = beir.run(kb, beir_dir)
    assert set(first["metrics"]) == {"dense", "keyword", "hybrid"}
    assert first["queries"] == 3 and first["documents"] == 4
    assert first["metrics"]["dense"]["ndcg@10"] > 0.8
    assert first["metrics"]["hybrid"]["recall@100"] == 1.0
    second = beir.run(kb, beir_dir, modes=["keyword"])
    assert second["index"] == first["index"]
    assert set(second["metrics"]) == {"keyword"}
