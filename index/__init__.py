"""The local knowledge-base store: SQLite (passages, metadata, FTS5) plus FAISS (vectors)."""

import kb.core  # noqa: F401  (runs kb/__init__: hub offline, Haystack telemetry off, before any module here imports Haystack)
