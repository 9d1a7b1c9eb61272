"""The embedding model's Haystack components: ONNX int8 by default (`fastembed`, files made by `onnx_export`),
PyTorch sentence-transformers as the fallback; the model's identity is in `model`.

Models are always loaded from a local directory with the hub offline; nothing is downloaded.
"""

import logging

from kb.core.errors import ModelLoadError
from kb.embedding.model import CONTEXT_FIELDS, Backend, ModelInfo, model_info

__all__ = ["CONTEXT_FIELDS", "Backend", "ModelInfo", "document_embedder", "embed_batch", "embedder_name", "model_info", "text_embedder"]

logger = logging.getLogger(__name__)


def document_embedder(
    info: ModelInfo, batch_size: int = 32, embed_context: bool = False, backend: Backend = "auto"
) -> object:
    """A warmed-up Haystack document embedder for `info` (normalised vectors, local files only).

    `auto` takes the ONNX int8 path (kb/embedding/fastembed.py, about 2x faster at equal quality) when it can.
    """
    fields = list(CONTEXT_FIELDS) if embed_context else None
    if _fast(info, backend):
        from kb.embedding.fastembed import fast_document_embedder

        try:
            return fast_document_embedder(info, batch_size, meta_fields_to_embed=fields)
        except ModelLoadError as exc:
            _fall_back(backend, exc)
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersDocumentEmbedder,
    )

    embedder = SentenceTransformersDocumentEmbedder(
        model=str(info.path),
        local_files_only=True,
        normalize_embeddings=True,
        batch_size=batch_size,
        progress_bar=False,
        meta_fields_to_embed=fields,
        device=_cpu(),
    )
    _warm(embedder, info)
    return embedder


def text_embedder(info: ModelInfo, backend: Backend = "auto") -> object:
    """A warmed-up Haystack query embedder sharing the document embedder's model (and backend)."""
    if _fast(info, backend):
        from kb.embedding.fastembed import fast_text_embedder

        try:
            return fast_text_embedder(info)
        except ModelLoadError as exc:
            _fall_back(backend, exc)
    from haystack_integrations.components.embedders.sentence_transformers import (
        SentenceTransformersTextEmbedder,
    )

    embedder = SentenceTransformersTextEmbedder(
        model=str(info.path), local_files_only=True, normalize_embeddings=True, progress_bar=False, device=_cpu()
    )
    _warm(embedder, info)
    return embedder


def embed_batch(embedder: object, texts: list[str]) -> list[list[float]]:
    """Normalised vectors of many short texts in one call, from a warmed-up embedder made by `text_embedder`
    (a Haystack text embedder takes one text per `run`; both backends batch underneath)."""
    backend = embedder.embedding_backend  # type: ignore[attr-defined]
    return backend.embed(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)


def embedder_name(info: ModelInfo, backend: Backend = "auto") -> str:
    """Which path `backend` resolves to for `info`: "onnx-int8" or "torch"."""
    return "onnx-int8" if _fast(info, backend) else "torch"


def _fast(info: ModelInfo, backend: Backend) -> bool:
    if backend not in ("auto", "torch", "onnx"):
        raise ModelLoadError(f"unknown embedding backend {backend!r}; use auto, torch or onnx (KB_EMBED_BACKEND)")
    if backend == "torch":
        return False
    from kb.embedding.onnx_export import fast_path_available

    if fast_path_available(info):
        return True
    if backend == "onnx":
        raise ModelLoadError(
            f"KB_EMBED_BACKEND=onnx but {info.path} cannot take the ONNX path (it needs onnxruntime and a "
            "mean-pooling sentence-transformers model); set KB_EMBED_BACKEND=auto or torch"
        )
    return False


def _fall_back(backend: Backend, exc: ModelLoadError) -> None:
    if backend == "onnx":
        raise exc
    logger.warning("ONNX embedding path unavailable, using the plain model: %s", exc)


def _cpu() -> object:
    from haystack.utils import ComponentDevice

    return ComponentDevice.from_str("cpu")


def _warm(embedder: object, info: ModelInfo) -> None:
    try:
        embedder.warm_up()  # type: ignore[attr-defined]
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot load the embedding model from {info.path}: {exc}") from exc
