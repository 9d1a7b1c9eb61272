"""The shared vocabulary of kb: facets, source documents, passages' metadata, and reports."""

from dataclasses import asdict, dataclass, field
from typing import Any

DOC_TYPES = ("report", "country_study", "promotional", "legal", "other")

REGIONS = ("Africa", "Americas", "Arab States", "Asia and the Pacific", "Europe and Central Asia")

LANGUAGES = ("en", "fr", "es")

# Social security branches (Convention No. 102) and the department's areas of work (shared/seeds).
TOPICS: dict[str, str] = {
    "medical_care": "Medical care",
    "sickness": "Sickness",
    "unemployment": "Unemployment",
    "old_age": "Old age",
    "employment_injury": "Employment injury",
    "family_child": "Family and child",
    "maternity": "Maternity",
    "invalidity_disability": "Invalidity and disability",
    "survivors": "Survivors",
    "awareness_raising": "Awareness raising",
    "national_dialogue": "National dialogue",
    "policy_design": "Policy design",
    "capacity_building": "Capacity building",
    "implementation": "Implementation",
    "monitoring_evaluation": "Monitoring and evaluation",
    "financing_actuarial_statistics": "Financing, actuarial and statistics",
    "legal_advice": "Legal advice",
}

# Passage metadata keys that users filter by (stored on every passage, copied from its document).
FACETS = ("countries", "regions", "doc_type", "year", "lang", "topics")


@dataclass
class SourceDocument:
    """One ingested file's content-level record: identity, citation data and facets."""

    doc_id: str
    path: str
    title: str
    countries: list[str] = field(default_factory=list)  # ISO 3166-1 alpha-3 codes
    regions: list[str] = field(default_factory=list)
    doc_type: str = "other"
    year: int | None = None
    lang: str = "en"
    topics: list[str] = field(default_factory=list)
    pages: int = 0
    passages: int = 0
    recipe: int = 0  # the ingestion recipe that made its passages (`ingest.pipeline.RECIPE`; 0: not recorded)
    catalog_entry: str = ""  # fingerprint of the catalogue entry it was converted with ("" when it had none)

    def facet_meta(self) -> dict[str, Any]:
        """The document-level fields every passage carries in its metadata."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "path": self.path,
            "countries": list(self.countries),
            "regions": list(self.regions),
            "doc_type": self.doc_type,
            "year": self.year,
            "lang": self.lang,
            "topics": list(self.topics),
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SourceDocument":
        """The inverse of `to_dict`, ignoring unknown keys."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class FileRecord:
    """Bookkeeping for one path seen by ingestion: what it hashed to and what became of it."""

    path: str
    sha256: str
    mtime: float
    size: int
    status: str  # "indexed" | "failed" | "duplicate"
    error: str | None = None
    doc_id: str | None = None


@dataclass
class IngestReport:
    """What one `kb ingest` run did (the `--json` output)."""

    files_seen: int = 0
    added: int = 0
    updated: int = 0
    refreshed: int = 0  # unchanged files converted again: a newer ingestion recipe or a changed catalogue entry
    unchanged: int = 0
    removed: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    kept: list[dict[str, str]] = field(default_factory=list)  # --prune: records kept because a file could not be seen
    passages_added: int = 0
    passages_total: int = 0
    documents_total: int = 0
    seconds: float = 0.0
    passages_per_second: float = 0.0
    interrupted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)
