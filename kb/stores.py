"""The one seam between the service and its store: a URI picks the backend.

- nothing, or a path: the local index (FAISS + SQLite) in that directory;
- `milvus:FILE.db`: Milvus Lite, embedded in the process;
- `milvus://host:19530`: a Milvus server or cluster (token from `KB_MILVUS_TOKEN`).
"""

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.core.errors import IndexIncompatibleError, UsageError
from kb.embedding.model import ModelInfo

if TYPE_CHECKING:
    from index.protocol import KnowledgeStore


def describe(uri: str | None, index_dir: Path) -> str:
    """A short human description of where the knowledge base lives."""
    if uri and uri.startswith("milvus"):
        return uri
    return str(Path(uri).expanduser() if uri else index_dir)


def open_store(
    uri: str | None,
    index_dir: Path,
    info: ModelInfo,
    *,
    create: bool,
    chunking: dict[str, Any] | None = None,
    index_type: str = "auto",
    milvus_token: str | None = None,
) -> "KnowledgeStore":
    """Open (or create) the store named by `uri`, checking it was built with the model `info`."""
    store = open_location(
        uri or str(index_dir),
        create=create,
        embedding_model=info.identity,
        dimension=info.dimension,
        chunking=chunking,
        index_type=index_type,
        token=milvus_token,
    )
    try:
        check_embedding_settings(store.manifest, chunking)
    except IndexIncompatibleError:
        store.close()
        raise
    return store


def check_embedding_settings(manifest: Any, chunking: dict[str, Any] | None) -> None:
    """Refuse an index whose passages were embedded with other text around them (e.g. without titles)."""
    if chunking is None or "embedded_meta" not in chunking:
        return
    built = manifest.chunking.get("embedded_meta") or []
    if list(built) != list(chunking["embedded_meta"]):
        raise IndexIncompatibleError(
            f"this index was built embedding passages with {', '.join(built) or 'no'} context fields, "
            f"this kb embeds {', '.join(chunking['embedded_meta']) or 'none'}; its vectors are not comparable: "
            "re-index with `kb ingest` into a new index directory"
        )


def open_location(
    location: str,
    *,
    create: bool,
    embedding_model: str | None = None,
    dimension: int | None = None,
    chunking: dict[str, Any] | None = None,
    index_type: str = "auto",
    token: str | None = None,
) -> "KnowledgeStore":
    """Open a store named by a Milvus URI or an index directory; model and dimension are checked when given."""
    if location.startswith("milvus"):
        try:
            from index.milvus.store import MilvusStore
        except ImportError as exc:
            raise UsageError(
                f"the Milvus backend is not installed ({exc.name}); install kb with the milvus extra: "
                "pip install -e '.[milvus]'"
            ) from exc
        return MilvusStore.from_uri(
            location, embedding_model=embedding_model, dimension=dimension, chunking=chunking,
            create=create, token=token,
        )
    from index.store import LocalStore

    return LocalStore(
        Path(location).expanduser(),
        embedding_model=embedding_model,
        dimension=dimension,
        chunking=chunking,
        index_type=index_type,
        create=create,
    )
