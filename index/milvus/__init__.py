"""The Milvus backend of kb: the same store seam as the local index, on Milvus Lite or a Milvus server."""
