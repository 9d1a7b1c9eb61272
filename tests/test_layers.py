"""The layers of ARCHITECTURE.md, as the import-linter contracts of pyproject.toml state them.

`lint-imports` runs in a subprocess (grimp reads the packages from the working directory's sys.path), once on this
tree and once on a copy with a deliberately wrong import, which must break a contract.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("kb", "ingest", "index", "tui")
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINT], cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root)}
    )


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_the_layer_contracts_hold():
    out = _lint(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("ingest/scan.py", "from kb.service import KnowledgeBase", "ingest is not allowed to import kb.service"),
        ("kb/core/models.py", "import kb.search", "kb.core is not allowed to import kb.search"),
        ("index/store.py", "import ingest.scan", "index is not allowed to import ingest"),
        ("tui/format.py", "from kb.answer import Answer", "tui is not allowed to import kb.answer"),
    ],
)
def test_a_wrong_import_breaks_a_contract(tmp_path, module, line, broken):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    out = _lint(tmp_path)
    assert out.returncode != 0
    assert broken in " ".join(out.stdout.split())


def test_every_module_above_the_ground_floor_is_forbidden_to_the_floors_below():
    """A new module of kb/ must be added to the contracts (the kb layers contract is exhaustive, this one too)."""
    below = next(c for c in _contracts() if c.get("source_modules") == ["ingest", "index", "kb.core"])
    modules = {f"kb.{p.stem}" for p in (ROOT / "kb").glob("*.py") if p.stem != "__init__"}
    modules |= {f"kb.{p.parent.name}" for p in (ROOT / "kb").glob("*/__init__.py")}
    assert modules - {"kb.core"} == set(below["forbidden_modules"]) - {"tui"}
