"""The CLI reports user mistakes as one line on stderr with a non-zero status, never a traceback."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def kb(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)


def _one_line_error(out: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("kb: error:")
    return lines[0]


def test_missing_index_is_one_line(tmp_path):
    out = kb("search", "pensions", "--index", str(tmp_path / "none"))
    assert out.returncode == 1
    assert "kb ingest" in _one_line_error(out)


def test_bad_filter_value_is_a_usage_error(tmp_path):
    out = kb("search", "pensions", "--index", str(tmp_path / "none"), "--country", "Atlantis")
    assert out.returncode == 2
    assert "unknown country" in _one_line_error(out)


def test_unreadable_path_is_reported(tmp_path):
    out = kb("ingest", str(tmp_path / "missing-folder"), "--index", str(tmp_path / "idx"))
    assert out.returncode == 2
    assert "no such file or folder" in _one_line_error(out)


def test_unknown_option_is_a_usage_error():
    out = kb("search", "x", "--colour", "red")
    assert out.returncode == 2
    _one_line_error(out)


def test_an_option_a_subcommand_does_not_take_points_to_its_own_help():
    out = kb("docs", "--country", "Kenya")
    assert out.returncode == 2
    line = _one_line_error(out)
    assert "--country Kenya" in line and "see `kb docs --help`" in line


def test_unsupported_language_is_a_usage_error(tmp_path):
    out = kb("search", "pensions", "--index", str(tmp_path / "none"), "--lang", "de")
    assert out.returncode == 2
    assert "unknown language 'de'; allowed: en, fr, es" in _one_line_error(out)
