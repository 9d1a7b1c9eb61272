"""How files are cut into passages by default: the settings every ingestion path uses and every index records."""

MAX_TOKENS = 256  # all-MiniLM-L6-v2 reads 256 word-pieces; another model brings its own `max_seq_length`
OVERLAP_SENTENCES = 1
SPLITTER = "pysbd"
