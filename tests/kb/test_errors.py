"""kb_cause: the kb error behind a library's wrapping, and no endless loop on a cause chain that cycles."""

from kb.errors import IndexWriteError, kb_cause


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
