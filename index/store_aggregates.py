"""Haystack's metadata aggregates over the local store (counts, distinct values, min/max)."""

from typing import Any

from index.passages import PassageTable


class MetadataAggregates:
    """Mixed into LocalStore: needs `self._read()` and `self.passages`."""

    passages: PassageTable

    def count_documents_by_filter(self, filters: dict[str, Any]) -> int:
        """Number of passages matching `filters`."""
        with self._read():
            return self.passages.count(filters)

    def count_unique_metadata_by_filter(self, filters: dict[str, Any], metadata_fields: list[str]) -> dict[str, int]:
        """For each field, how many distinct values it takes among passages matching `filters`."""
        with self._read():
            return {f: len(self.passages.value_counts(_key(f), filters)) for f in metadata_fields}

    def get_metadata_fields_info(self) -> dict[str, dict[str, str]]:
        """Metadata field names and their types."""
        names = {"str": "keyword", "int": "long", "float": "float", "bool": "boolean", "null": "keyword"}
        with self._read():
            return {key: {"type": names[t]} for key, t in self.passages.field_types().items()}

    def get_metadata_field_min_max(self, metadata_field: str) -> dict[str, Any]:
        """Smallest and largest value of a metadata field."""
        with self._read():
            low, high = self.passages.min_max(_key(metadata_field))
        return {"min": low, "max": high}

    def get_metadata_field_unique_values(
        self,
        metadata_field: str,
        search_term: str | None = None,
        from_: int = 0,
        size: int = 10,
        filters: dict[str, Any] | None = None,
    ) -> tuple[list[Any], int]:
        """A page of distinct values (stable order) and the total number of distinct values."""
        with self._read():
            values = [v for v, _t, _n in self.passages.value_counts(_key(metadata_field), filters)]
        if search_term:
            values = [v for v in values if search_term.lower() in str(v).lower()]
        return values[from_ : from_ + size], len(values)


def _key(field: str) -> str:
    return field.removeprefix("meta.")
