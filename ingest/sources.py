"""What every converter reads first: each source's bytes, its name for messages, and its meta."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from haystack.components.converters.utils import get_bytestream_from_source, normalize_metadata
from haystack.dataclasses import ByteStream


def read_sources(
    sources: list[str | Path | ByteStream], meta: dict[str, Any] | list[dict[str, Any]] | None
) -> Iterator[tuple[bytes, str, dict[str, Any]]]:
    """(bytes, name, meta) per source, as Haystack converters take them; the caller's meta wins over the stream's."""
    for source, extra in zip(sources, normalize_metadata(meta, sources_count=len(sources)), strict=True):
        stream = get_bytestream_from_source(source)
        yield stream.data, str(stream.meta.get("file_path", source)), {**stream.meta, **extra}
