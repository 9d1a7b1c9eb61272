"""Keep PyTorch out of `import haystack`: only the plain-model embedding path (`KB_EMBED_BACKEND=torch`) needs it.

`haystack.utils.device` imports torch when it is imported (Haystack's `LazyImport` defers only a *missing*
module), and `import haystack` imports it: about 1 s of every `kb` command, for keyword search and the ONNX path
that never touch torch. `install` lets that one module load without torch and gives it a stand-in that imports
torch the first time the module uses it, so the plain-model path works as before.
"""

import importlib.machinery
import sys
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import Any

_DEVICE = "haystack.utils.device"
_loading_device = threading.local()  # per thread: an import of torch elsewhere meanwhile is not refused


class _TorchOnFirstUse:
    """Stands in for `torch` in `haystack.utils.device` and puts the real module in its place when first used."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        import torch

        self._module.torch = torch
        return getattr(torch, name)


class _DeviceLoader:
    """Runs `haystack.utils.device` with `import torch` refused, then gives it the stand-in."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename...: the file's own loader answers
        return getattr(self._loader, name)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        _loading_device.active = True
        try:
            self._loader.exec_module(module)
        finally:
            _loading_device.active = False
        guard = getattr(module, "torch_import", None)
        if guard is None or guard.is_successful():
            return  # another Haystack, or torch was imported meanwhile: nothing to stand in for
        from haystack.lazy_imports import LazyImport

        module.torch_import = LazyImport()  # what a successful `import torch` leaves: its `check()` passes
        module.torch = _TorchOnFirstUse(module)


class _DeferTorch:
    """Wraps the loader of `haystack.utils.device`, and refuses torch while that module runs."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name == "torch" and getattr(_loading_device, "active", False):
            raise ModuleNotFoundError("torch is imported when first used (kb.lazytorch)", name=name)
        if name != _DEVICE or "torch" in sys.modules or importlib.machinery.PathFinder.find_spec("torch") is None:
            return None  # torch loaded already, or not installed: Haystack handles both itself
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _DeviceLoader(spec.loader)
        return spec


def install() -> None:
    """Put the hook first on `sys.meta_path` (once); it acts only if Haystack is imported after it."""
    if not any(isinstance(finder, _DeferTorch) for finder in sys.meta_path):
        sys.meta_path.insert(0, _DeferTorch())
