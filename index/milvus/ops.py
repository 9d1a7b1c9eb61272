"""Small pymilvus helpers: batched upserts, id look-ups, and full scans that are not capped at 16,384 rows."""

from collections.abc import Iterator
from typing import Any

from pymilvus import MilvusClient

from index.milvus.filters import Expr, in_list

WRITE_BATCH = 1000  # rows per upsert request (well under the 64 MB gRPC message limit)
SCAN_BATCH = 2000  # rows per page when vectors come along
SCAN_BATCH_SMALL = 10_000  # rows per page of small fields (ids, metadata): each page re-runs the filter
ID_CHUNK = 500
MAX_TOP_K = 16_384  # Milvus's limit on `limit` for one search


def chunks(values: list[Any], size: int = ID_CHUNK) -> Iterator[list[Any]]:
    """`values` in slices of `size`."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def upsert(client: MilvusClient, collection: str, rows: list[dict[str, Any]]) -> None:
    """Upsert rows in batches (an upsert keyed by primary key never duplicates a row)."""
    for batch in chunks(rows, WRITE_BATCH):
        client.upsert(collection, batch)


def scan(
    client: MilvusClient, collection: str, expr: Expr, fields: list[str], batch: int = SCAN_BATCH
) -> Iterator[dict[str, Any]]:
    """Every row matching `expr`, in batches (query_iterator pages by primary key, so no row is missed)."""
    if expr is False:
        return
    iterator = client.query_iterator(
        collection, batch_size=batch, filter="" if expr is True else expr, output_fields=fields
    )
    try:
        while page := iterator.next():
            yield from page
    finally:
        iterator.close()


def by_keys(client: MilvusClient, collection: str, field: str, keys: list[str], fields: list[str]) -> list[dict[str, Any]]:
    """Rows whose unique `field` (a primary key) is one of `keys`, looked up in chunks."""
    rows: list[dict[str, Any]] = []
    for chunk in chunks(list(dict.fromkeys(keys))):
        expr = in_list(field, chunk)
        if expr is not False:
            rows.extend(client.query(collection, filter=str(expr), output_fields=fields, limit=len(chunk)))
    return rows


def count(client: MilvusClient, collection: str, expr: Expr) -> int:
    """Rows matching `expr`."""
    if expr is False:
        return 0
    result = client.query(collection, filter="" if expr is True else expr, output_fields=["count(*)"])
    return int(result[0]["count(*)"])
