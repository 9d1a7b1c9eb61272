"""The core never imports Textual (layers point one way: tui → kb → ingest | index)."""

import subprocess
import sys
from pathlib import Path

CORE = ["kb.service", "kb.cli", "kb.search", "kb.answer", "kb.compare", "index.store", "ingest.run"]


def test_core_does_not_import_textual():
    code = "import sys\n" + "".join(f"import {m}\n" for m in CORE) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[2])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_core_sources_never_mention_textual():
    root = Path(__file__).parents[2]
    offenders = [
        str(path.relative_to(root))
        for package in ("kb", "ingest", "index")
        for path in (root / package).rglob("*.py")
        if "import textual" in path.read_text() or "from textual" in path.read_text()
    ]
    assert offenders == []
