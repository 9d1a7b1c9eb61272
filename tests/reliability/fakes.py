"""Fast stand-ins for the model-backed parts, so crash and concurrency tests run many short ingests.

`FakeEmbedder` gives deterministic vectors from each passage's text; `FakeConverter` reads UTF-8 text files
and makes one passage per paragraph with the metadata the real converter gives. Everything else (scan,
planning, runner, store, lock) is the real code.
"""

import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document, component

from ingest.scan import read_verified
from ingest.splitter import passage_id_for
from kb.core.errors import DocumentReadError
from kb.core.models import SourceDocument

DIM = 16
MODEL = "fake-model"


def vector_for(text: str, dim: int = DIM) -> np.ndarray:
    """The fake embedding of `text` (unit length, float32)."""
    seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
    vector = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return vector / np.linalg.norm(vector)


@component
class FakeEmbedder:
    """Deterministic vectors from the text hash; `delay` seconds per call stretches a run for kill tests."""

    def __init__(self, delay: float = 0.0, dim: int = DIM) -> None:
        self.delay = delay
        self.dim = dim
        self.embedded = 0

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        if self.delay:
            time.sleep(self.delay)
        self.embedded += len(documents)
        out = [
            Document(
                id=d.id,
                content=d.content,
                meta=d.meta,
                embedding=vector_for(d.content or "", self.dim).tolist(),
            )
            for d in documents
        ]
        return {"documents": out}


class FakeConverter:
    """UTF-8 text → one passage per blank-line-separated paragraph (no model, no language detection)."""

    def convert(
        self, path: Path, *, doc_id: str, stored_path: str, catalog: Any = None, sha256: str | None = None
    ) -> tuple[SourceDocument, list[Document]]:
        try:
            data = read_verified(path, sha256) if sha256 else Path(path).read_bytes()
            text = data.decode("utf-8")
        except FileNotFoundError:
            raise DocumentReadError(str(path), "file not found") from None
        except UnicodeDecodeError:
            raise DocumentReadError(str(path), "undecodable text") from None
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        source = SourceDocument(
            doc_id=doc_id,
            path=stored_path,
            title=Path(path).stem,
            countries=["KEN"],
            regions=["Africa"],
            doc_type="report",
            year=2020,
            lang="en",
            topics=["old_age"],
            passages=len(paragraphs),
        )
        passages = [
            Document(
                id=passage_id_for(doc_id, paragraph),
                content=paragraph,
                meta={
                    **source.facet_meta(),
                    "seq": seq,
                    "page_start": None,
                    "page_end": None,
                    "heading": None,
                },
            )
            for seq, paragraph in enumerate(paragraphs)
        ]
        return source, passages
