"""Ingestion: files → clean, page-aware passages with metadata → embeddings → the store."""
