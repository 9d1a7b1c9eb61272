"""Run every benchmark in sequence (each in its own process), then print the README's Performance section.

Usage: `.venv/bin/python -m bench.run_all [--skip-1m] [--only ingest_speed,query_latency,...] [--update-readme]`
(`make bench` runs it). A benchmark that fails is reported and the others still run; each writes its own
bench/results/*.json. The first run builds the synthetic indexes in bench/cache/ (the 1M one takes ~10-20 min
and ~7 GB of disk; `--skip-1m` leaves the 1M sizes out and keeps their earlier results).
"""

import argparse
import subprocess
import sys
import time

from bench.common import ROOT, log

# (module, arguments, arguments added by --skip-1m), in the order they run.
BENCHMARKS: list[tuple[str, list[str], list[str]]] = [
    ("retrieval_quality", [], []),
    ("tui_startup", [], []),
    ("cli_startup", [], []),
    ("query_latency", [], ["--skip-1m"]),
    ("memory_disk", [], ["--skip-1m"]),
    ("milvus_vs_local", ["--sizes", "10000", "--runs", "3"], []),
    ("embedding_speed", ["--passages", "1000"], []),
    ("ingest_speed", [], []),
    ("ocr_speed", ["--pages", "6", "--report-pages", "60"], []),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-1m", action="store_true", help="leave out the 1M-passage sizes (slow builds)")
    parser.add_argument("--only", help="comma-separated benchmark names")
    parser.add_argument("--update-readme", action="store_true", help="replace the README's Performance section")
    args = parser.parse_args(argv)
    chosen = set(args.only.split(",")) if args.only else None
    failed = []
    for name, extra, skip in BENCHMARKS:
        if chosen is not None and name not in chosen:
            continue
        command = [sys.executable, "-m", f"bench.{name}", *extra, *(skip if args.skip_1m else [])]
        log(f"\n=== {' '.join(command[1:])}")
        start = time.perf_counter()
        code = subprocess.call(command, cwd=ROOT)
        log(f"=== {name}: exit {code} after {time.perf_counter() - start:,.0f} s")
        if code:
            failed.append(name)
    report = [sys.executable, "-m", "bench.report", *(["--update-readme"] if args.update_readme else [])]
    subprocess.call(report, cwd=ROOT)
    if failed:
        log(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
