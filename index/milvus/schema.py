"""The two Milvus collections of a kb store: passages (vectors, BM25, metadata) and records (files, documents, manifest, journal).

The BM25 function is declared with milvus-haystack's `BM25BuiltInFunction` (it builds the pymilvus
`Function` and the analysed field's settings); everything else is plain pymilvus.
"""

from typing import Any

from milvus_haystack.function import BM25BuiltInFunction
from pymilvus import DataType, MilvusClient, MilvusException

from index.milvus.meta import MAX_TERMS, TOKEN_LENGTH
from index.milvus.rows import DOC_ID_BYTES

VARCHAR_MAX = 65_535
# Fold case and accents (a Milvus server applies these; kb also folds before writing, see text.py).
ANALYZER = {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"]}
BM25_PARAMS = {"bm25_k1": 1.2, "bm25_b": 0.75}
RECORD_VECTOR_DIM = 2  # Milvus requires a vector field in every collection; records carry a constant one


# Indexes a collection can do without: Milvus Lite's engine (embedded, or served over gRPC) cannot index ARRAY fields.
OPTIONAL_INDEXES = frozenset({"mterms"})


def passages_schema(client: MilvusClient, dimension: int, *, array_index: bool = True) -> tuple[Any, Any]:
    """(schema, index params) of the passages collection (Milvus Lite cannot index ARRAY fields)."""
    bm25 = BM25BuiltInFunction(
        input_field_names="search_text",
        output_field_names="sparse",
        analyzer_params=ANALYZER,
        function_name="kb_bm25",
    )
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False, functions=[bm25.function])
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=VARCHAR_MAX)
    schema.add_field("content", DataType.VARCHAR, max_length=VARCHAR_MAX, nullable=True)
    schema.add_field("search_text", DataType.VARCHAR, max_length=VARCHAR_MAX, **bm25.get_input_field_schema_kwargs())
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field("has_vector", DataType.BOOL)
    schema.add_field("meta", DataType.JSON)
    schema.add_field(
        "mterms", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_TERMS, max_length=TOKEN_LENGTH
    )
    schema.add_field("mrange", DataType.JSON)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=DOC_ID_BYTES)
    schema.add_field("seq", DataType.INT64, nullable=True)
    schema.add_field("ord", DataType.INT64)
    schema.add_field("extra", DataType.JSON)
    index = client.prepare_index_params()
    # FLAT: exact search, so a filtered top-k is exactly the best k of the passages that match
    index.add_index("vector", index_type="FLAT", metric_type="COSINE")
    # k1 and b as SQLite FTS5's bm25() uses them. A Milvus server applies them; Milvus Lite 3.2.2 does not
    # (pymilvus 3 sends index params as flat keys, Lite reads only a `params` JSON entry) and keeps k1 = 1.5.
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25_PARAMS)
    if array_index:
        index.add_index("mterms", index_type="INVERTED")
    index.add_index("doc_id", index_type="INVERTED")
    return schema, index


def records_schema(client: MilvusClient) -> tuple[Any, Any]:
    """(schema, index params) of the records collection: one row per file, document, journal entry, manifest."""
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=VARCHAR_MAX)
    schema.add_field("kind", DataType.VARCHAR, max_length=16)
    schema.add_field("ref", DataType.VARCHAR, max_length=512)
    schema.add_field("data", DataType.JSON)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=RECORD_VECTOR_DIM)
    index = client.prepare_index_params()
    index.add_index("v", index_type="FLAT", metric_type="L2")
    index.add_index("kind", index_type="INVERTED")
    index.add_index("ref", index_type="INVERTED")
    return schema, index


def create_collections(client: MilvusClient, passages: str, records: str, dimension: int, *, array_index: bool) -> None:
    """Create what is missing of a store's two collections and their indexes, then load them (idempotent)."""
    for name, (schema, index) in (
        (passages, passages_schema(client, dimension, array_index=array_index)),
        (records, records_schema(client)),
    ):
        if not client.has_collection(name):
            try:
                client.create_collection(name, schema=schema, consistency_level="Strong")
            except MilvusException:
                if not client.has_collection(name):  # another machine may have just created it
                    raise
        _create_indexes(client, name, index)
        client.load_collection(name)


def _create_indexes(client: MilvusClient, collection: str, index: Any) -> None:
    """Each index of `index` that `collection` lacks (a run stopped half-way left some), one field at a time.

    An ARRAY field's index (`OPTIONAL_INDEXES`) is skipped when the server cannot build one (Milvus Lite's
    engine served over gRPC): filters on that field still work, without an index.
    """
    for param in index:
        if client.list_indexes(collection, field_name=param.field_name):
            continue
        one = client.prepare_index_params()
        one.append(param)
        try:
            # sync=False: an empty collection's indexes need no build; pymilvus would poll 0.5 s for each
            client.create_index(collection, one, sync=False)
        except MilvusException as exc:
            if param.field_name not in OPTIONAL_INDEXES or "not support" not in str(exc):
                raise
