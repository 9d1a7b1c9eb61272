"""Connecting to Milvus Lite or a Milvus server, with failures turned into kb errors that say what to do."""

import logging

from pymilvus import MilvusClient, MilvusException

from index.milvus.uri import MilvusTarget
from kb.core.errors import IndexLockedError, IndexNotFoundError, IndexWriteError

# pymilvus sends keepalive pings every 10 s; during long calls Milvus Lite's in-process gRPC server answers
# them with GOAWAY "too_many_pings", which gRPC logs to stderr (seen in the benchmark). Loopback needs no keepalive.
LITE_GRPC_OPTIONS = {"grpc.keepalive_time_ms": 2**31 - 1, "grpc.keepalive_permit_without_calls": 0}


def _quiet_pymilvus() -> None:
    """Only critical pymilvus records: it logs each failed call with a traceback, and warnings such as "failed to
    get mvccTs" (a server without session timestamps), while kb turns every failure into one error of its own.
    Done on connecting because importing pymilvus resets its loggers' levels."""
    for name in ("pymilvus", "pymilvus.milvus_client", "pymilvus.bulk_writer"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def connect(target: MilvusTarget, token: str | None) -> MilvusClient:
    """A client for `target` (Milvus Lite starts its engine in this process on first use of a file)."""
    _quiet_pymilvus()
    try:
        if target.lite_path is not None:
            target.lite_path.parent.mkdir(parents=True, exist_ok=True)
            return MilvusClient(uri=target.uri, grpc_options=LITE_GRPC_OPTIONS)
        return MilvusClient(uri=target.uri, token=token or "")
    except MilvusException as exc:
        if target.is_lite:
            raise IndexLockedError(
                f"cannot open the Milvus Lite file {target.lite_path}: another kb process has it open "
                "(Milvus Lite serves one process at a time; share a knowledge base through a Milvus server)"
            ) from exc
        raise IndexNotFoundError(
            f"cannot reach Milvus at {target.uri} ({exc.message}); check that the server is running, "
            "the address, and KB_MILVUS_TOKEN"
        ) from exc
    except OSError as exc:
        raise IndexWriteError(f"cannot open {target.lite_path or target.uri}: {exc}") from exc
