"""The local knowledge-base store: SQLite (passages, metadata, FTS5) plus FAISS (vectors)."""

import kb  # noqa: F401  (hub offline and Haystack telemetry off before any module here imports Haystack)
