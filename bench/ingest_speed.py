"""Ingestion vs the model's own speed: passages/s of a real `kb ingest` against the embedding model alone.

Usage: `.venv/bin/python -m bench.ingest_speed [--runs 3] [--folder ../shared/realcorpus]`.

Each round, interleaved: `ingest` is `KnowledgeBase.ingest` of the folder into a fresh temporary index with
default settings (end to end: scan, hashing, model load, conversion, splitting, embedding, SQLite commits,
FAISS save), then the same ingest again (`rerun`, which embeds nothing); `torch` is
`SentenceTransformer.encode` (the plain model, batch 32, one call so it sorts by length) on exactly the texts the
ingest embedded (passage with its title and heading, as `meta_fields_to_embed` joins them); `onnx-int8` is kb's
default embedder (kb/embedding/fastembed.py) alone on the same texts, in one call; `onnx-int8-groups` is the same in the
groups the ingest embedded them in (padding is cut per group, not over the whole collection). The phases of the
ingest are timed without touching kb's code: the runner's own phases through its public `timing` hook, the
converter, embedder and store it is given by wrapping them, the conversion pipeline's components by Haystack's
tracer. Results: bench/results/ingest_speed.json.
"""

import argparse
import contextlib
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

import kb  # noqa: F401  (keeps the hub offline)
from bench.common import CACHE, REALCORPUS, header, log, median, target, write_json

TARGET_RATIO = 0.85
REALCORPUS_INDEX = CACHE / "realcorpus-index"  # the first round's index, reused by bench.query_latency


class Phases:
    """Seconds (wall, and CPU of the calling thread) accumulated per phase name; thread-safe."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            with self._lock:
                self.wall[name] += time.perf_counter() - wall
                self.cpu[name] += time.thread_time() - cpu
                self.calls[name] += 1

    def wrap(self, name: str, function: Any) -> Any:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            with self.timed(name):
                return function(*args, **kwargs)

        return timed_call

    def to_dict(self) -> dict[str, dict[str, float]]:
        return {
            k: {"wall": round(self.wall[k], 2), "cpu": round(self.cpu[k], 2), "calls": self.calls[k]} for k in self.wall
        }


def component_tracer(phases: Phases) -> Any:
    """A Haystack tracer that times every pipeline component run (the conversion pipeline's steps)."""
    from haystack.tracing import Span, Tracer

    class _Span(Span):
        def set_tag(self, key: str, value: Any) -> None:
            pass

    class ComponentTimer(Tracer):
        @contextlib.contextmanager
        def trace(self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Any = None) -> Any:
            if operation_name != "haystack.component.run":
                yield _Span()
                return
            with phases.timed(f"convert:{(tags or {}).get('haystack.component.name')}"):
                yield _Span()

        def current_span(self) -> Any:
            return None

    return ComponentTimer()


def timed_runner(phases: Phases, captured: dict[str, Any]) -> type:
    """An `IngestRunner` whose converter, embedder and store calls are timed, and whose embedded texts are kept."""
    from ingest.run import IngestRunner
    from kb.embedding import CONTEXT_FIELDS

    class TimedRunner(IngestRunner):
        def __init__(self, store: Any, make_converter: Any, make_embedder: Any, **kwargs: Any) -> None:
            store.commit = phases.wrap("sqlite commits", store.commit)  # includes the FAISS adds, subtracted below
            store._apply = phases.wrap("faiss add (memory)", store._apply)
            store.flush = phases.wrap("faiss save (flush)", store.flush)
            store.begin_writing = phases.wrap("lock + integrity check", store.begin_writing)
            super().__init__(
                store, self._converter(make_converter), self._embedder(make_embedder), timing=phases.timed, **kwargs
            )

        @staticmethod
        def _converter(make: Any) -> Any:
            def build() -> Any:
                with phases.timed("converter build"):
                    converter = make()
                converter.convert = phases.wrap("conversion thread: convert", converter.convert)
                return converter

            return build

        @staticmethod
        def _embedder(make: Any) -> Any:
            def build() -> Any:
                with phases.timed("model load"):
                    embedder = make()
                run = embedder.run

                def embed(documents: list[Any]) -> Any:
                    captured["groups"].append(len(documents))
                    captured["texts"] += [
                        "\n".join(
                            [str(d.meta[k]) for k in CONTEXT_FIELDS if d.meta.get(k) is not None] + [d.content or ""]
                        )
                        for d in documents
                    ]
                    with phases.timed("embedding"):
                        return run(documents=documents)

                embedder.run = embed
                return embedder

            return build

    return TimedRunner


def ingest_once(folder: Path, index: Path, phases: Phases, captured: dict[str, Any]) -> dict[str, Any]:
    """One `KnowledgeBase.ingest` of `folder` into `index` with timing proxies; wall seconds and the report."""
    from haystack import tracing

    import ingest.run
    from kb.service import KnowledgeBase

    original = ingest.run.IngestRunner
    ingest.run.IngestRunner = timed_runner(phases, captured)  # type: ignore[misc]
    tracing.enable_tracing(component_tracer(phases))
    try:
        start = time.perf_counter()
        with KnowledgeBase(index=index) as base:
            report = base.ingest([folder])
        seconds = time.perf_counter() - start
    finally:
        ingest.run.IngestRunner = original  # type: ignore[misc]
        tracing.disable_tracing()
    return {"seconds": seconds, "passages": report.passages_added, "report_seconds": report.seconds,
            "failed": len(report.failed), "files": report.files_seen}


def encoders() -> dict[str, Any]:
    """The model alone: plain torch `encode` and kb's default ONNX int8 backend."""
    from sentence_transformers import SentenceTransformer

    from kb.core.config import Settings
    from kb.embedding import model_info
    from kb.embedding.fastembed import OnnxBackend

    info = model_info(Settings().model_path())
    plain = SentenceTransformer(str(info.path), device="cpu", local_files_only=True)
    onnx = OnnxBackend(info, "int8")
    return {
        "torch": lambda texts: plain.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False),
        "onnx": lambda texts: onnx.encode(texts, 32),
    }


def breakdown(phases: Phases, total: float) -> dict[str, Any]:
    """Main-thread wall time per phase (seconds and share of the ingest), and the conversion thread's work."""
    wall = dict(phases.wall)
    main = {
        "lock + integrity check": wall.get("lock + integrity check", 0.0),
        "plan (hash files)": wall.get("plan (hash files)", 0.0),
        "converter build": wall.get("converter build", 0.0),
        "model load": wall.get("model load", 0.0),
        "waiting for conversion": wall.get("waiting for conversion", 0.0),
        "embedding": wall.get("embedding", 0.0),
        "sqlite commits": wall.get("sqlite commits", 0.0) - wall.get("faiss add (memory)", 0.0),
        "faiss add (memory)": wall.get("faiss add (memory)", 0.0),
        "faiss save (flush)": wall.get("faiss save (flush)", 0.0),
    }
    main["other (imports, store open, scan, report)"] = total - sum(main.values())
    convert = {k.split(":", 1)[1]: v for k, v in wall.items() if k.startswith("convert:")}
    return {
        "main_thread": {k: {"seconds": round(v, 2), "share": round(v / total, 3)} for k, v in main.items()},
        "conversion_thread": {
            "convert_total_wall": round(wall.get("conversion thread: convert", 0.0), 2),
            "convert_total_cpu": round(phases.cpu.get("conversion thread: convert", 0.0), 2),
            "components_wall": {k: round(v, 2) for k, v in sorted(convert.items(), key=lambda kv: -kv[1])},
        },
        "embedding_cpu_seconds": round(phases.cpu.get("embedding", 0.0), 2),
    }


def run(folder: Path, runs: int) -> dict[str, Any]:
    """`runs` interleaved rounds of ingest, re-run and the model alone."""
    models = encoders()
    captured: dict[str, Any] = {"texts": [], "groups": []}
    rounds: list[dict[str, Any]] = []
    texts: list[str] = []
    groups: list[int] = []
    for r in range(runs):
        row: dict[str, Any] = {}
        with tempfile.TemporaryDirectory(prefix="kb-ingest-bench-") as tmp:
            phases = Phases()
            captured = {"texts": [], "groups": []}
            first = ingest_once(folder, Path(tmp) / "index", phases, captured)
            row["ingest"] = {**first, "passages_per_s": first["passages"] / first["seconds"],
                             "phases": breakdown(phases, first["seconds"])}
            log(f"  round {r + 1}/{runs} ingest: {first['passages']} passages in {first['seconds']:.1f} s "
                f"({row['ingest']['passages_per_s']:.2f}/s)")
            again = ingest_once(folder, Path(tmp) / "index", Phases(), {"texts": [], "groups": []})
            row["rerun"] = {**again, "fraction_of_first": again["seconds"] / first["seconds"]}
            log(f"  round {r + 1}/{runs} rerun: {again['seconds']:.2f} s ({again['passages']} passages embedded)")
            if not REALCORPUS_INDEX.exists() and folder.resolve() == REALCORPUS.resolve():
                shutil.copytree(Path(tmp) / "index", REALCORPUS_INDEX)
        if not texts:
            texts, groups = captured["texts"], captured["groups"]
        elif captured["texts"] != texts:
            log("  warning: this round embedded other texts than the first one")
        for name, encode, batches in (
            ("torch", models["torch"], [texts]),
            ("onnx-int8", models["onnx"], [texts]),
            ("onnx-int8-groups", models["onnx"], _split(texts, groups)),
        ):
            start = time.perf_counter()
            for batch in batches:
                encode(batch)
            seconds = time.perf_counter() - start
            row[name] = {"seconds": seconds, "passages_per_s": len(texts) / seconds}
            log(f"  round {r + 1}/{runs} {name}: {row[name]['passages_per_s']:.2f} passages/s")
        rounds.append(row)
    return {"rounds": rounds, "texts": len(texts), "groups": groups,
            "tokens": _tokens(texts)}


def _split(texts: list[str], sizes: list[int]) -> list[list[str]]:
    out, start = [], 0
    for size in sizes:
        out.append(texts[start : start + size])
        start += size
    return out


def _tokens(texts: list[str]) -> dict[str, float]:
    """Word-piece counts of the embedded texts (after truncation to the model's window)."""
    from tokenizers import Tokenizer

    from kb.core.config import Settings

    tok = Tokenizer.from_file(str(Settings().model_path() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=256)
    lengths = np.array([len(e.ids) for e in tok.encode_batch(texts)]) if texts else np.zeros(1)
    return {"mean": round(float(lengths.mean()), 1), "median": float(np.median(lengths)),
            "share_at_256": round(float((lengths >= 256).mean()), 3)}


def summarise(data: dict[str, Any]) -> dict[str, Any]:
    """Medians over rounds, ratios per round (then their median), the phase breakdown of the median round."""
    rounds = data["rounds"]
    rate = {k: [r[k]["passages_per_s"] for r in rounds] for k in ("ingest", "torch", "onnx-int8", "onnx-int8-groups")}
    ratios = {
        "ingest/torch": median([r["ingest"]["passages_per_s"] / r["torch"]["passages_per_s"] for r in rounds]),
        "ingest/onnx-int8": median([r["ingest"]["passages_per_s"] / r["onnx-int8"]["passages_per_s"] for r in rounds]),
        "onnx-int8/torch": median([r["onnx-int8"]["passages_per_s"] / r["torch"]["passages_per_s"] for r in rounds]),
        "onnx-int8-groups/onnx-int8": median(
            [r["onnx-int8-groups"]["passages_per_s"] / r["onnx-int8"]["passages_per_s"] for r in rounds]
        ),
        "rerun/first": median([r["rerun"]["fraction_of_first"] for r in rounds]),
    }
    middle = sorted(rounds, key=lambda r: r["ingest"]["seconds"])[len(rounds) // 2]
    return {
        "passages_per_s": {k: round(median(v), 2) for k, v in rate.items()},
        "ingest_seconds": round(median([r["ingest"]["seconds"] for r in rounds]), 1),
        "rerun_seconds": round(median([r["rerun"]["seconds"] for r in rounds]), 2),
        "ratios": {k: round(v, 3) for k, v in ratios.items()},
        "phases_median_round": middle["ingest"]["phases"],
    }


def table(summary: dict[str, Any], passages: int) -> str:
    """The printed summary."""
    rate, ratios = summary["passages_per_s"], summary["ratios"]
    lines = [f"{'variant':22} {'passages/s':>10} {'vs torch':>9}"]
    for name in ("ingest", "torch", "onnx-int8", "onnx-int8-groups"):
        lines.append(f"{name:22} {rate[name]:>10.2f} {rate[name] / rate['torch']:>9.2f}")
    lines.append(f"\n{passages} passages; ingest/torch (median of per-round ratios) {ratios['ingest/torch']:.2f} "
                 f"(target >= {TARGET_RATIO}); ingest/onnx-int8 {ratios['ingest/onnx-int8']:.2f}; "
                 f"re-run {summary['rerun_seconds']} s = {ratios['rerun/first']:.3f} of the first ingest")
    lines.append("\nwhere the ingest's time goes (main thread, median round):")
    for name, row in summary["phases_median_round"]["main_thread"].items():
        lines.append(f"  {name:44} {row['seconds']:>8.2f} s {100 * row['share']:>5.1f}%")
    conv = summary["phases_median_round"]["conversion_thread"]
    lines.append(f"conversion thread (overlaps embedding): {conv['convert_total_wall']} s wall, "
                 f"{conv['convert_total_cpu']} s CPU; by component: "
                 + ", ".join(f"{k} {v}" for k, v in list(conv["components_wall"].items())[:6]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=REALCORPUS)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"{args.folder} is absent: nothing to measure (this benchmark reads ../shared/realcorpus)")
        return
    log(f"ingesting {args.folder}, {args.runs} interleaved rounds")
    data = run(args.folder, args.runs)
    summary = summarise(data)
    ratio = summary["ratios"]["ingest/torch"]
    rate = summary["passages_per_s"]
    result = {
        **header({"folder": str(args.folder), "runs": args.runs, "batch_size": 32, "target_ratio": TARGET_RATIO,
                  "embedded_texts": data["texts"], "embedding_groups": len(data["groups"]), "tokens": data["tokens"]}),
        "summary": summary,
        "rounds": data["rounds"],
        "targets": [
            target("ingestion vs the plain model", f"kb ingest passages/s >= {TARGET_RATIO} x SentenceTransformer.encode",
                   f"{rate['ingest']:.1f} vs {rate['torch']:.1f} passages/s: {ratio:.2f}x", ratio >= TARGET_RATIO,
                   baseline=f"ONNX int8 alone {rate['onnx-int8']:.1f}/s (ingest {summary['ratios']['ingest/onnx-int8']:.2f}x)"),
            target("ingestion re-run (nothing changed)", "informational",
                   f"{summary['rerun_seconds']} s = {100 * summary['ratios']['rerun/first']:.1f}% of the first ingest",
                   None),
        ],
    }
    print(table(summary, data["texts"]))
    print(f"written to {write_json('ingest_speed', result)}")


if __name__ == "__main__":
    main()
