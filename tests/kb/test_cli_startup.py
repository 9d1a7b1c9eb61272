"""The CLI imports only what a command needs: torch (~1 s), sentence-transformers and Textual never load for a
keyword search or an answer on the ONNX path, and building the parser imports no library at all.

Checked on `sys.modules` of a fresh interpreter rather than by timing (bench/cli_startup.py times it)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
NEVER = ("torch", "sentence_transformers", "transformers", "textual")


def _loaded_after(code: str, watched: tuple[str, ...]) -> dict[str, object]:
    """Run `code` in a fresh interpreter; it leaves `result`; report it and which of `watched` got imported."""
    script = (f"import json, sys\n{code}\n"
              f"print(json.dumps({{'result': result, 'loaded': [m for m in {watched!r} if m in sys.modules]}}))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_building_the_parser_imports_no_library():
    code = ("from kb.cli import build_parser\n"
            "result = build_parser().parse_args(['search', 'pension', '--mode', 'keyword']).mode")
    out = _loaded_after(code, (*NEVER, "haystack", "numpy", "pydantic", "faiss"))
    assert out == {"result": "keyword", "loaded": []}


def test_keyword_search_loads_neither_torch_nor_the_ui(corpus_index):
    code = ("import contextlib, io\nfrom kb.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as printed:\n"
            f"    status = main(['search', 'pension', '--mode', 'keyword', '--json', '--index', {str(corpus_index)!r}])\n"
            "result = [status, len(json.loads(printed.getvalue()))]")
    out = _loaded_after(code, NEVER)
    assert out["result"][0] == 0 and out["result"][1] > 0  # the search found passages...
    assert out["loaded"] == []  # ...without importing any of them


def test_an_answer_on_the_onnx_path_loads_no_torch(corpus_index):
    code = ("import contextlib, io\nfrom kb.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as printed:\n"
            f"    status = main(['ask', 'How are old-age pensions financed?', '--json', '--index', {str(corpus_index)!r}])\n"
            "result = [status, len(json.loads(printed.getvalue())['citations'])]")
    out = _loaded_after(code, NEVER)
    assert out["result"][0] == 0 and out["result"][1] > 0
    assert out["loaded"] == []
