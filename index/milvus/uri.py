"""Store URIs for Milvus: `milvus:PATH.db` (Milvus Lite) and `milvus://host:port[/NAME]` (a server).

`NAME` (default `kb`) prefixes the collections, so several knowledge bases can share one server;
`milvus+https://` connects with TLS. A Lite URI may also name its collections: `milvus:./kb.db?name=NAME`.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kb.core.errors import UsageError

DEFAULT_NAME = "kb"
DEFAULT_PORT = 19530
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")


@dataclass(frozen=True)
class MilvusTarget:
    """Where a kb store lives in Milvus."""

    uri: str  # what `MilvusClient(uri=...)` takes: a .db path or http(s)://host:port
    name: str  # collection prefix
    lite_path: Path | None  # the Milvus Lite data directory, None for a server

    @property
    def is_lite(self) -> bool:
        """Whether this is an embedded Milvus Lite file (one process at a time)."""
        return self.lite_path is not None


def parse(uri: str, name: str | None = None) -> MilvusTarget:
    """Parse a kb Milvus store URI; a wrong spelling is a `UsageError` that shows the right ones."""
    if uri.startswith(("milvus://", "milvus+https://")):
        parts = urlsplit(uri)
        if not parts.hostname:
            raise UsageError(f"{uri!r} names no host; write milvus://HOST:{DEFAULT_PORT}")
        scheme = "https" if parts.scheme == "milvus+https" else "http"
        target = f"{scheme}://{parts.hostname}:{parts.port or DEFAULT_PORT}"
        return MilvusTarget(target, _name(name or parts.path.strip("/") or DEFAULT_NAME), None)
    if uri.startswith("milvus:"):
        path_text, _, query = uri[len("milvus:") :].partition("?")
        if not path_text.endswith(".db"):
            raise UsageError(f"a Milvus Lite store is a file ending in .db, for example milvus:./kb.db (got {uri!r})")
        path = Path(path_text).expanduser().resolve()
        query_name = parse_qs(query).get("name", [None])[0]
        return MilvusTarget(str(path), _name(name or query_name or DEFAULT_NAME), path)
    raise UsageError(f"{uri!r} is not a Milvus store; write milvus:./kb.db or milvus://HOST:{DEFAULT_PORT}")


def _name(name: str) -> str:
    if not _NAME.match(name):
        raise UsageError(f"{name!r} cannot name Milvus collections; use letters, digits and underscores")
    return name
