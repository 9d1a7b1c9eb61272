"""Ingestion: files → clean, page-aware passages with metadata → embeddings → the store."""

import kb  # noqa: F401  (hub offline and Haystack telemetry off before any module here imports Haystack)
