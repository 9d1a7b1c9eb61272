"""The ONNX export behind the fast embedding path: the installed model's transformer and mean pooling exported
to ONNX and int8-quantised, once per model, into a checked cache (`$XDG_CACHE_HOME/kb/onnx/<fingerprint>/`)
that is rebuilt when stale or damaged. `kb.embedding.fastembed` runs the files.
"""

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Literal

from kb.core.errors import ModelLoadError
from kb.embedding.model import ModelInfo

logger = logging.getLogger(__name__)

Variant = Literal["int8", "fp32"]
DEFAULT_VARIANT: Variant = "int8"
EXPORT_FORMAT = 1  # bump when the export recipe changes: older caches are then rebuilt
FILES: dict[str, str] = {"fp32": "model.onnx", "int8": "model_int8.onnx"}
_SUPPORTED_MODULES = (
    ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling"],
    [
        "sentence_transformers.models.Transformer",
        "sentence_transformers.models.Pooling",
        "sentence_transformers.models.Normalize",
    ],
)


def cache_home() -> Path:
    """`$XDG_CACHE_HOME`, else `~/.cache`."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def onnx_dir(info: ModelInfo) -> Path:
    """Where the ONNX export of `info` is cached."""
    return cache_home() / "kb" / "onnx" / info.fingerprint


def fast_path_available(info: ModelInfo | None = None) -> bool:
    """True when ONNX Runtime and the exporter are installed (and `info`, if given, is exportable)."""
    if any(find_spec(name) is None for name in ("onnxruntime", "onnx", "onnxscript", "torch", "tokenizers")):
        return False
    return info is None or _supported(info)


def _supported(info: ModelInfo) -> bool:
    """A plain Transformer → mean Pooling (→ Normalize) model with a fast tokenizer file."""
    try:
        modules = [m["type"] for m in json.loads((info.path / "modules.json").read_text())]
        pooling = json.loads((info.path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return False
    modes = [key for key, on in pooling.items() if key.startswith("pooling_mode") and on is True]
    return (
        modules in _SUPPORTED_MODULES
        and modes == ["pooling_mode_mean_tokens"]
        and (info.path / "tokenizer.json").is_file()
    )


# ---- export and cache ----------------------------------------------------------------------------


def check_variant(variant: str) -> None:
    """ValueError for an ONNX variant kb does not make."""
    if variant not in FILES:
        raise ValueError(f"unknown ONNX variant {variant!r}; use one of {sorted(FILES)}")


def ensure_onnx(info: ModelInfo, variant: Variant = DEFAULT_VARIANT) -> Path:
    """The cached ONNX file for `info`; exported (and quantised) first when missing, stale or damaged."""
    check_variant(variant)
    if not fast_path_available(info):
        raise ModelLoadError(
            f"the fast embedding path cannot serve {info.path}: it needs onnxruntime, onnx and onnxscript "
            "installed and a Transformer + mean-pooling model; set KB_EMBED_BACKEND=torch"
        )
    folder = onnx_dir(info)
    if _valid(folder, info):
        return folder / FILES[variant]
    if folder.exists():
        logger.warning("ONNX cache %s is incomplete or damaged; rebuilding it", folder)
    _build(info, folder)
    return folder / FILES[variant]


def _valid(folder: Path, info: ModelInfo) -> bool:
    """The folder's manifest matches this model and export recipe, and every file has its recorded digest."""
    try:
        manifest = json.loads((folder / "export.json").read_text())
        if manifest.get("format") != EXPORT_FORMAT or manifest.get("fingerprint") != info.fingerprint:
            return False
        return all(_sha256(folder / name) == digest for name, digest in manifest["sha256"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _build(info: ModelInfo, folder: Path) -> None:
    """Export into a temporary folder beside `folder`, then rename it into place (replacing a damaged one)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _export(info, tmp / FILES["fp32"])
        _quantise(tmp / FILES["fp32"], tmp / FILES["int8"])
        manifest = {
            "format": EXPORT_FORMAT,
            "model": info.identity,
            "fingerprint": info.fingerprint,
            "exporter": "torch.onnx.export(dynamo=True); int8: quantize_dynamic(per_channel=True)",
            "versions": {name: version(name) for name in ("torch", "onnxscript", "onnxruntime")},
            "sha256": {name: _sha256(tmp / name) for name in FILES.values()},
        }
        (tmp / "export.json").write_text(json.dumps(manifest, indent=2) + "\n")
        if folder.exists():
            stale = folder.with_name(f".{folder.name}.stale.{os.getpid()}")
            folder.rename(stale)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            tmp.rename(folder)
        except OSError:
            if not _valid(folder, info):  # another process won the race with a good export: keep it
                raise
    except ModelLoadError:
        raise
    # the exporter raises many kinds (torch, onnxscript, onnx, OS errors); report them as one
    except Exception as exc:
        raise ModelLoadError(
            f"cannot export {info.path} to ONNX in {folder.parent}: {type(exc).__name__}: {exc}; "
            "check free disk space, or set KB_EMBED_BACKEND=torch to use the plain model"
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _export(info: ModelInfo, target: Path) -> None:
    """Export transformer + attention-masked mean pooling with the dynamo exporter (dynamic shapes)."""
    import torch
    from transformers import AutoModel

    class MeanPooled(torch.nn.Module):
        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            return (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    transformer = AutoModel.from_pretrained(
        str(info.path), local_files_only=True, attn_implementation="eager"
    )
    module = MeanPooled(transformer.eval())
    example = (torch.ones((2, 8), dtype=torch.long), torch.ones((2, 8), dtype=torch.long))
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length", max=info.max_tokens)
    with warnings.catch_warnings(), torch.no_grad(), _quiet("torch.onnx", "torch.export"):
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            module,
            example,
            dynamo=True,
            optimize=True,
            verbose=False,
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_shapes={"input_ids": {0: batch, 1: length}, "attention_mask": {0: batch, 1: length}},
        )
    program.save(str(target))


@contextlib.contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Hide the exporter's progress and optional-dependency notices while it runs."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _quantise(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation with per-channel weights of weight matrices (attention scores stay fp32)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        source, target, per_channel=True, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"]
    )
