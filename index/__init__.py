"""The local knowledge-base store: SQLite (passages, metadata, FTS5) plus FAISS (vectors)."""
