"""kb_cause / as_kb_error: the kb error behind a library's wrapping (no endless loop on a chain that cycles),
and a store library's own failure as one clear error."""

import pytest

from kb.core.errors import IndexWriteError, StoreUnavailableError, as_kb_error, kb_cause


def test_the_kb_error_behind_wrappers_is_found():
    inner = IndexWriteError("disk full")
    try:
        try:
            raise inner
        except IndexWriteError as exc:
            raise RuntimeError("component failed") from exc
    except RuntimeError as wrapped:
        assert kb_cause(wrapped) is inner


def test_a_cause_chain_that_cycles_ends_with_none():
    """pymilvus re-raises `raise e from e`: the exception is its own cause (kb once spun at 100% CPU on it)."""
    exc = ValueError("server said no")
    exc.__cause__ = exc
    assert kb_cause(exc) is None
    a, b = ValueError("a"), ValueError("b")
    a.__cause__, b.__cause__ = b, a
    assert kb_cause(a) is None


def test_a_store_library_failure_becomes_one_clear_kb_error():
    pymilvus = pytest.importorskip("pymilvus")
    failure = pymilvus.MilvusException(code=2, message="server unavailable")
    try:
        try:
            raise failure
        except pymilvus.MilvusException as exc:
            raise RuntimeError("search failed") from exc
    except RuntimeError as wrapped:
        error = as_kb_error(wrapped)
    assert isinstance(error, StoreUnavailableError) and "server unavailable" in str(error)
    assert as_kb_error(ValueError("a bug")) is None  # anything else stays a bug with its traceback


def test_the_cli_reports_a_server_failing_mid_command_in_one_line(monkeypatch, capsys):
    pymilvus = pytest.importorskip("pymilvus")
    from kb import cli

    def fail(_args):
        raise pymilvus.MilvusException(code=2, message="connection reset")

    monkeypatch.setitem(cli.COMMANDS, "stats", fail)
    assert cli.main(["stats"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kb: error: the Milvus server failed") and "connection reset" in err[0]
