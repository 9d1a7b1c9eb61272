"""`import haystack` after `import kb` leaves torch unloaded, and Haystack's device helpers still work."""

import subprocess
import sys
from pathlib import Path

from kb import lazytorch

ROOT = Path(__file__).parents[2]


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_haystack_loads_without_torch_and_imports_it_when_a_device_needs_it():
    code = ("import sys, kb, haystack\n"
            "before = 'torch' in sys.modules\n"
            "from haystack.utils import ComponentDevice\n"
            "device = ComponentDevice.from_str('cpu').to_torch()\n"  # the plain-model embedders call this
            "import haystack.utils.device as d\n"
            "print(before, type(device).__module__, d.torch is sys.modules['torch'])")
    assert _run(code) == "False torch True"


def test_torch_imported_first_is_used_as_it_is():
    code = "import torch, kb\nimport haystack.utils.device as d\nprint(d.torch is torch, d.torch_import.is_successful())"
    assert _run(code) == "True True"


def test_the_hook_is_installed_once():
    lazytorch.install()  # again, after `import kb` did
    assert sum(isinstance(finder, lazytorch._DeferTorch) for finder in sys.meta_path) == 1
