"""Benchmarks: `python -m bench.NAME`; results in bench/results/."""

import kb  # noqa: F401  (hub offline and Haystack telemetry off before any module here imports Haystack)
