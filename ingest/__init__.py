"""Ingestion: files → clean, page-aware passages with metadata → embeddings → the store."""

import kb.core  # noqa: F401  (runs kb/__init__: hub offline, Haystack telemetry off, before any module here imports Haystack)
