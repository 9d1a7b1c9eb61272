"""`manifest.json`: what an index was built with, so that a mismatched reader refuses it clearly."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kb.core.atomic import write_atomic
from kb.core.errors import IndexCorruptError, IndexIncompatibleError

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"


@dataclass
class Manifest:
    """Format version, embedding model, dimension, chunking settings, and the current vector file.

    `index_id` is the identity of the database the vector file was saved from (SQLite's `kv` table holds it too):
    a manifest and vector file copied from another index are then recognised and rebuilt, not trusted.
    """

    embedding_model: str
    dimension: int
    format_version: int = FORMAT_VERSION
    chunking: dict[str, Any] = field(default_factory=dict)
    index_type: str = "flat"
    vectors_file: str | None = None
    vectors_sha256: str | None = None
    vectors_count: int = 0
    index_id: str | None = None

    def check_compatible(self, embedding_model: str | None, dimension: int | None) -> None:
        """Raise `IndexIncompatibleError` unless this index can be read with the given model."""
        if embedding_model and embedding_model != self.embedding_model:
            raise IndexIncompatibleError(
                f"this index was built with the embedding model '{self.embedding_model}', "
                f"not '{embedding_model}'; re-index with `kb ingest` into a new index directory "
                "or use the model the index was built with"
            )
        if dimension and dimension != self.dimension:
            raise IndexIncompatibleError(
                f"this index holds {self.dimension}-dimensional vectors but the model gives {dimension}; "
                "re-index with `kb ingest` into a new index directory"
            )


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest in `directory`, or None when there is none."""
    path = directory / MANIFEST_NAME
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{path} is unreadable ({exc}); restore it or re-index into a new directory") from exc
    if not isinstance(data, dict):
        raise IndexCorruptError(
            f"{path} is not a kb manifest (not a JSON object); restore it or re-index into a new directory"
        )
    version = data.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise IndexIncompatibleError(
            f"{path} has index format version {version!r}, newer than this kb understands ({FORMAT_VERSION}); "
            "upgrade kb or re-index into a new directory"
        )
    known = set(Manifest.__dataclass_fields__)
    try:
        manifest = Manifest(**{k: v for k, v in data.items() if k in known})
    except TypeError as exc:
        raise IndexCorruptError(f"{path} is missing fields ({exc}); re-index into a new directory") from exc
    if not isinstance(manifest.embedding_model, str) or not isinstance(manifest.dimension, int):
        raise IndexCorruptError(
            f"{path} has an invalid model name or dimension; re-index into a new directory"
        )
    return manifest


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Write the manifest atomically."""
    payload = json.dumps(asdict(manifest), indent=2, sort_keys=True).encode("utf-8")
    write_atomic(directory / MANIFEST_NAME, payload)
