"""The kb terminal UI (Textual): ask, read the evidence, filter, compare, collect and export."""
