"""The bundled corpus is consistent: catalogue, coverage, question phrases, deterministic build."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_corpus_checks_pass():
    out = subprocess.run([sys.executable, "corpus/check.py"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK: all corpus checks passed" in out.stdout
