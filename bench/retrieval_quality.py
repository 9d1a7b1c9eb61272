"""Retrieval quality: SciFact nDCG@10 per mode next to the published baselines, and the dev-question figures.

Usage: `.venv/bin/python -m bench.retrieval_quality [--beir ../shared/eval/scifact]`.

A thin wrapper: `KnowledgeBase.eval_beir` (what `kb eval --beir DIR` runs: the corpus indexed once per model and
embedder, cached, then the 300 test queries through kb's dense, keyword and hybrid pipelines) and
`KnowledgeBase.eval_questions` (what `kb eval --questions corpus/questions.jsonl` runs) on a fresh temporary index
of corpus/. Published figures are from ../shared/eval/README.md. Results: bench/results/retrieval_quality.json.
"""

import argparse
import tempfile
from pathlib import Path
from typing import Any

import kb  # noqa: F401  (keeps the hub offline)
from bench.common import ROOT, SCIFACT, header, log, target, write_json

# ../shared/eval/README.md: published nDCG@10 on SciFact's 300 test queries.
PUBLISHED = {
    "BM25 (Elasticsearch), BEIR paper Table 2": 0.665,
    "BM25 (bm25s), MTEB": 0.687,
    "all-MiniLM-L6-v2 dense, MTEB": 0.645,
    "BM25 top-100 + MiniLM-L6 cross-encoder, BEIR paper Table 2": 0.688,
}
COMPARE = {"dense": "all-MiniLM-L6-v2 dense, MTEB", "keyword": "BM25 (Elasticsearch), BEIR paper Table 2"}


def main(argv: list[str] | None = None) -> None:
    from kb.service import KnowledgeBase

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, default=SCIFACT)
    parser.add_argument("--questions", type=Path, default=ROOT / "corpus" / "questions.jsonl")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {**header({"beir": str(args.beir), "questions": str(args.questions)}),
                              "published_ndcg@10": PUBLISHED}
    rows = []
    if (args.beir / "corpus.jsonl").is_file():
        log(f"kb eval --beir {args.beir}")
        base = KnowledgeBase()
        beir = base.eval_beir(args.beir, progress=lambda done, total: None)
        result["beir"] = beir
        result["embedder"] = base.chunking()["embedder"]
        m = beir["metrics"]
        for mode in ("dense", "keyword", "hybrid"):
            ref = COMPARE.get(mode)
            rows.append(target(
                f"SciFact nDCG@10, {mode}", "informational (published baselines beside it)",
                f"{m[mode]['ndcg@10']:.4f} (recall@100 {m[mode]['recall@100']:.3f}, {m[mode]['ms_per_query']:.0f} ms/query)",
                None,
                baseline=f"{ref} {PUBLISHED[ref]:.3f}" if ref else
                f"best published here: cross-encoder re-ranking {max(PUBLISHED.values()):.3f}"))
    else:
        log(f"{args.beir} absent: SciFact skipped")
    with tempfile.TemporaryDirectory(prefix="kb-quality-") as tmp, KnowledgeBase(index=Path(tmp) / "index") as base:
        log("indexing corpus/ into a fresh index, then kb eval --questions")
        base.ingest([ROOT / "corpus"])
        questions = base.eval_questions(args.questions)
    questions.pop("index", None)
    result["questions"] = questions
    o = questions["overall"]
    rows.append(target("dev questions (corpus/questions.jsonl), hybrid", "informational",
                       f"hit@1 {o['hit@1']:.2f}, hit@5 {o['hit@5']:.2f}, hit@10 {o['hit@10']:.2f}; "
                       f"answerable refused {o['answerable_refused']:.2f}, unanswerable answered "
                       f"{o['unanswerable_answered']:.2f}; quotes valid {o['quotes_valid']:.2f}", None))
    result["targets"] = rows
    for row in rows:
        print(f"{row['target']:44} {row['measured']}  [{row['baseline']}]")
    print(f"written to {write_json('retrieval_quality', result)}")


if __name__ == "__main__":
    main()
