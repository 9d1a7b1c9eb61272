"""The kb terminal UI (Textual): ask, read the evidence, filter, compare, collect and export."""

import kb  # noqa: F401  (hub offline and Haystack telemetry off before any module here imports Haystack)
