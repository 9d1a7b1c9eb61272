"""Memory and disk per passage, for each vector index type (flat, IVF-SQ8), at 100k and 1M passages.

Usage: `.venv/bin/python -m bench.memory_disk [--sizes 100k,1m] [--runs 3] [--skip-1m]` (a size is a passage
count: 100k, 1m, 2k, 300).

Disk: the files of the index directory, and SQLite's own page accounting (`dbstat`) split into passages (text,
metadata JSON, float32 vector), the FTS5 keyword index, the metadata index used by filters, and other indexes.
RAM: the resident set (VmRSS, and its peak VmHWM) of a fresh process that imported kb, loaded the model, opened
the index and ran a search and a filtered search, minus the same figures of a baseline process that only
imported kb and loaded the model; baseline and index processes alternate, `--runs` times, medians reported. The
indexes are bench/synthetic.py's (1M: `auto` gives IVF; the other type is the same SQLite file with its vectors
rebuilt). Results: bench/results/memory_disk.json.
"""

import argparse
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import bench.common
from bench import synthetic
from bench.common import ROOT, header, log, median, passage_count, rss_bytes, target, write_json

GIB = 1 << 30
RAM_LIMIT = 4 * GIB
QUERY = "How did countries extend pensions to older people who never contributed?"


def child(index: str | None) -> None:
    """Run in a fresh process: load the model (and open the index and search it); print RSS as JSON."""
    from kb.core.filters import SearchFilters
    from kb.service import KnowledgeBase

    base = KnowledgeBase(index=index or "/nonexistent")
    base.warm_up()
    base.embed_texts(["warm"])
    if index:
        base.search(QUERY)
        base.search(QUERY, SearchFilters(countries=["KEN"], year_from=2010, year_to=2020))
    print(json.dumps(rss_bytes()))


def measure_rss(index: Path | None) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.memory_disk", "--child", str(index) if index else ""],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def disk(path: Path, n: int) -> dict[str, Any]:
    """Bytes on disk per file and per SQLite structure, and per passage."""
    files = {f.name: f.stat().st_size for f in sorted(path.iterdir()) if f.is_file()}
    con = sqlite3.connect(f"{(path / 'kb.sqlite3').as_uri()}?mode=ro", uri=True)
    groups: dict[str, int] = {}
    for name, size in con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        if name.startswith("passages_fts"):
            group = "keyword index (FTS5)"
        elif name.startswith("meta_index"):
            group = "metadata index (filters)"
        elif name == "passages":
            group = "passages (text, metadata JSON, vector)"
        else:
            group = "other tables and indexes"
        groups[group] = groups.get(group, 0) + size
    columns = con.execute(
        "SELECT avg(length(CAST(content AS BLOB))), avg(length(CAST(meta AS BLOB))), avg(length(embedding)),"
        " avg(length(CAST(context AS BLOB))) FROM passages"
    ).fetchone()
    rows = con.execute("SELECT count(*) FROM meta_index").fetchone()[0]
    con.close()
    sqlite_bytes = sum(v for k, v in files.items() if k.startswith("kb.sqlite3"))
    faiss_bytes = sum(v for k, v in files.items() if k.endswith(".faiss"))
    return {
        "files": files,
        "sqlite_bytes": sqlite_bytes,
        "faiss_bytes": faiss_bytes,
        "total_bytes": sum(files.values()),
        "per_passage": {
            "total": round(sum(files.values()) / n),
            "sqlite": round(sqlite_bytes / n),
            "faiss": round(faiss_bytes / n),
            **{k: round(v / n) for k, v in sorted(groups.items(), key=lambda kv: -kv[1])},
        },
        "passage_columns_mean_bytes": dict(zip(("content", "meta_json", "embedding", "context"),
                                               (round(c or 0) for c in columns))),
        "meta_index_rows_per_passage": round(rows / n, 1),
    }


def measure(size: str, runs: int) -> dict[str, Any]:
    n = passage_count(size)
    out: dict[str, Any] = {}
    paths = {}
    for kind in ("flat", "ivf"):
        auto = synthetic.build(n, "auto", log)
        if auto["vector_kind"] == kind:
            paths[kind] = synthetic.index_dir(n, "auto")
        else:
            synthetic.rekind(n, "auto", kind, log)
            paths[kind] = synthetic.index_dir(n, kind)
    raw: dict[str, list[dict[str, int]]] = {"baseline": [], "flat": [], "ivf": []}
    for r in range(runs):
        raw["baseline"].append(measure_rss(None))
        for kind, path in paths.items():
            raw[kind].append(measure_rss(path))
        log(f"  {size} round {r + 1}/{runs}: " + ", ".join(
            f"{k} rss {v[-1]['rss'] / 2**20:,.0f} MiB (peak {v[-1]['peak'] / 2**20:,.0f})" for k, v in raw.items()))
    base_rss = median([x["rss"] for x in raw["baseline"]])
    base_peak = median([x["peak"] for x in raw["baseline"]])
    for kind, path in paths.items():
        rss = median([x["rss"] for x in raw[kind]])
        peak = median([x["peak"] for x in raw[kind]])
        out[kind] = {
            "index": path.name,
            "disk": disk(path, n),
            "ram": {
                "process_rss": int(rss), "process_peak": int(peak),
                "baseline_rss": int(base_rss), "baseline_peak": int(base_peak),
                "index_rss": int(rss - base_rss), "index_peak": int(peak - base_peak),
                "index_rss_per_passage": round((rss - base_rss) / n), "runs": raw[kind],
            },
        }
    out["baseline_runs"] = raw["baseline"]
    return out


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for size, res in results.items():
        for kind in ("flat", "ivf"):
            if kind not in res:
                continue
            d, m = res[kind]["disk"], res[kind]["ram"]
            fits = m["process_peak"] <= RAM_LIMIT
            checked = size == "1m" and kind == "ivf"  # what kb's index_type `auto` builds at 1M (above 200k)
            rows.append(target(
                f"memory and disk, {size} passages, {kind}",
                "fits in 4 GiB of RAM (whole process, peak)" if checked else
                "informational (`auto` takes IVF above 200k passages)" if size == "1m" else "informational",
                f"disk {d['per_passage']['total']:,} B/passage ({d['total_bytes'] / GIB:.2f} GiB; FAISS "
                f"{d['per_passage']['faiss']:,} B); RAM {m['index_rss_per_passage']:,} B/passage over the model "
                f"({m['index_rss'] / GIB:.2f} GiB), process peak {m['process_peak'] / GIB:.2f} GiB",
                fits if checked else None,
                baseline=f"kb + model alone {m['baseline_rss'] / 2**20:,.0f} MiB",
            ))
    return rows


def table(results: dict[str, Any]) -> str:
    lines = [(f"{'size':5} {'type':5} {'disk B/p':>9} {'sqlite':>8} {'faiss':>7} {'RAM B/p':>8} "
             f"{'RSS GiB':>8} {'peak GiB':>9}")]
    for size, res in results.items():
        for kind in ("flat", "ivf"):
            d, m = res[kind]["disk"]["per_passage"], res[kind]["ram"]
            lines.append(f"{size:5} {kind:5} {d['total']:>9,} {d['sqlite']:>8,} {d['faiss']:>7,} "
                         f"{m['index_rss_per_passage']:>8,} {m['process_rss'] / GIB:>8.2f} {m['process_peak'] / GIB:>9.2f}")
        lines.append("      disk per passage by structure: "
                     + ", ".join(f"{k} {v:,}" for k, v in res["flat"]["disk"]["per_passage"].items()
                                 if k not in ("total", "sqlite", "faiss")))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-1m", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child or None)
        return
    sizes = [s for s in args.sizes.split(",") if not (args.skip_1m and s == "1m")]
    for size in sizes:
        try:
            passage_count(size)
        except ValueError as why:
            parser.error(str(why))
    try:
        previous = json.loads((bench.common.RESULTS / "memory_disk.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        previous = {}
    results = {}
    for size in sizes:
        log(f"size {size}")
        results[size] = measure(size, args.runs)
    merged = {**{k: v for k, v in previous.items() if k not in results}, **results}
    payload = {**header({"sizes": sizes, "runs": args.runs, "ram_limit_bytes": RAM_LIMIT, "query": QUERY}),
               "results": merged, "targets": targets(merged)}
    print(table(results))
    print(f"written to {write_json('memory_disk', payload)}")


if __name__ == "__main__":
    main()
