"""CLI start-up: wall time of fresh `kb` processes, from launch to exit, against `python -c pass`.

Usage: `.venv/bin/python -m bench.cli_startup [--runs 5] [--corpus corpus] [--index bench/cache/cli-startup-index]`
(`--no-warm-up`: the smoke test's quick run).

Each round, interleaved after one unmeasured warm-up of each (file cache and bytecode warm, as for a user's
second command): `python -c pass` (the interpreter's own start, the baseline), `kb --help`,
`kb search pension --mode keyword` and `kb ask QUESTION` (hybrid: the ONNX query model is loaded) on an index of
the bundled corpus (built once with `kb ingest`; later runs find nothing to do). Two parts of those commands are
timed alone the same way, to say where the time goes: `import haystack` (what every command that opens an index
imports, torch deferred by kb/lazytorch.py) and the query language detection `kb ask` runs (lingua, whose models
load on first use). Medians over rounds, and each command's ratio to `python -c pass` in the same round.
Results: bench/results/cli_startup.json.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import CACHE, ROOT, corpus_index, header, log, median, target, write_json

INDEX = CACHE / "cli-startup-index"
QUERY = "pension"
QUESTION = "How are old-age pensions financed?"
KEYWORD_GOAL, ASK_GOAL = 0.5, 1.5  # seconds, cold, on 2 cores


def commands(index: Path) -> dict[str, list[str]]:
    """What is timed: the baseline, the three commands, then the two parts."""
    python, kb = sys.executable, str(Path(sys.executable).with_name("kb"))
    detect = f"from ingest.language import detect_query_language; detect_query_language({QUESTION!r})"
    return {
        "python -c pass": [python, "-c", "pass"],
        "kb --help": [kb, "--help"],
        "kb search --mode keyword": [kb, "search", QUERY, "--mode", "keyword", "--index", str(index)],
        "kb ask": [kb, "ask", QUESTION, "--index", str(index)],
        "part: import haystack": [python, "-c", "import kb, haystack"],
        "part: query language detection": [python, "-c", detect],
    }


def seconds(argv: list[str]) -> float:
    """Wall time of one fresh process, launch to exit; a failing command stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return elapsed


def measure(timed: dict[str, list[str]], runs: int, warm_up: bool = True) -> dict[str, list[float]]:
    """Seconds of each command, `runs` interleaved rounds after one warm-up round."""
    for argv in timed.values() if warm_up else ():
        seconds(argv)
    raw: dict[str, list[float]] = {name: [] for name in timed}
    for r in range(runs):
        for name, argv in timed.items():
            raw[name].append(seconds(argv))
        log(f"  round {r + 1}/{runs}: " + "; ".join(f"{n} {v[-1]:.2f} s" for n, v in raw.items()))
    return raw


def summarise(raw: dict[str, list[float]]) -> dict[str, Any]:
    """Median seconds per command, and the median of each command's per-round ratio to `python -c pass`."""
    base = raw["python -c pass"]
    return {name: {"seconds": round(median(values), 3),
                   "ratio_to_python": round(median([v / b for v, b in zip(values, base, strict=True)]), 1)}
            for name, values in raw.items()}


def targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The README's rows: the two goals, with what limits them measured in the same run."""
    def s(name: str) -> float:
        return float(summary[name]["seconds"])

    python = f"python -c pass {s('python -c pass'):.3f} s"
    keyword, ask = s("kb search --mode keyword"), s("kb ask")
    haystack, detect = s("part: import haystack"), s("part: query language detection")
    return [
        target("CLI start-up: `kb search --mode keyword`", f"<= {KEYWORD_GOAL} s cold", f"{keyword:.2f} s",
               keyword <= KEYWORD_GOAL,
               baseline=f"{python} ({summary['kb search --mode keyword']['ratio_to_python']}x)",
               limit=f"`import haystack` alone takes {haystack:.2f} s with torch deferred (its package imports the "
                     "pipeline machinery, numpy, networkx, httpx and posthog, for `Document`); the rest is kb's "
                     "settings (pydantic), the store (FAISS, SQLite) and the search"),
        target("CLI start-up: `kb ask`", f"<= {ASK_GOAL} s cold", f"{ask:.2f} s", ask <= ASK_GOAL,
               baseline=f"{python} ({summary['kb ask']['ratio_to_python']}x)",
               limit=f"detecting the question's language (lingua, en/fr/es trigrams, for the dense weight of a "
                     f"foreign query) takes {detect:.2f} s alone; the rest is the ONNX query model's session, the "
                     "store and the answer"),
        target("CLI start-up: `kb --help`", "informational", f"{s('kb --help'):.2f} s", None,
               baseline=f"{python} ({summary['kb --help']['ratio_to_python']}x)"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="folder the index is built from")
    parser.add_argument("--index", type=Path, default=INDEX, help="where the index is built (once)")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="no unmeasured first round (the smoke test: cold file cache, figures not comparable)")
    args = parser.parse_args(argv)
    index = corpus_index(args.corpus, args.index)
    timed = commands(index)
    raw = measure(timed, args.runs, args.warm_up)
    summary = summarise(raw)
    shown = {name: " ".join([Path(command[0]).name, *command[1:]]) for name, command in timed.items()}
    payload = {
        **header({"runs": args.runs, "warm_up": args.warm_up, "corpus": str(args.corpus), "index": str(index),
                  "commands": shown}),
        "summary": summary,
        "runs": raw,
        "targets": targets(summary),
    }
    print(f"{'':32} {'median':>8} {'x python':>9}")
    for name, row in summary.items():
        print(f"{name:32} {row['seconds']:>7.2f}s {row['ratio_to_python']:>8.1f}x")
    print(f"written to {write_json('cli_startup', payload)}")


if __name__ == "__main__":
    main()
