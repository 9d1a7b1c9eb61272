"""The shared vocabulary of kb: facets, source documents, passages' metadata, and reports."""

from collections.abc import Mapping, Sequence
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

# Passage metadata keys that users filter by (stored on every passage; countries and regions are the passage's own).
FACETS = ("countries", "regions", "doc_type", "year", "lang", "topics")

# What a passage is, in its document: running text, a list, a table, a figure or table caption, a list of
# references (sources, bibliography, notes), a table of contents (or list of figures), or front matter (cover,
# acknowledgements, imprint, abbreviations).
ROLES = ("body", "list", "table", "caption", "references", "contents", "front_matter")
# Roles whose sentences may be quoted as an answer (the others stay searchable).
EVIDENCE_ROLES = frozenset({"body", "list", "table"})
SECTION_SEPARATOR = " › "


def section_label(section: Sequence[str], title: str | None = None) -> str:
    """The innermost heading of a section path, as citations show it; empty when it only repeats the document's
    title (a document without headings under its title: "Title · Title" says nothing)."""
    if not section:
        return ""
    label = section[-1]
    return "" if title and " ".join(label.casefold().split()) == " ".join(title.casefold().split()) else label


def page_label(start: int | None, end: int | None = None, ocr: bool = False) -> str:
    """`p. 3` or `pp. 3–4` (with ` (OCR)` when the text was read from a scan), empty for documents without
    pages; the one page label of the CLI, briefs and the UI."""
    label = "" if start is None else f"p. {start}" if end in (None, start) else f"pp. {start}–{end}"
    return f"{label} (OCR)".strip() if ocr else label


@dataclass(frozen=True)
class PassageMeta:
    """The typed view of a passage's metadata: its citation, its place in the document, and its facets.

    `countries` and `regions` are the passage's own (what it is about); `doc_countries` are its document's.
    Passages of older indexes lack `section`, `role` and `doc_countries`: `of` reads them as a one-heading
    section, body text and the passage's countries.
    """

    doc_id: str
    seq: int = 0
    title: str = ""
    path: str = ""
    page_start: int | None = None
    page_end: int | None = None
    char_start: int | None = None
    char_end: int | None = None
    section: tuple[str, ...] = ()
    role: str = "body"
    lang: str = "en"
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    doc_countries: tuple[str, ...] = ()
    doc_type: str = "other"
    year: int | None = None
    topics: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()  # physical pages of the passage whose text was read by OCR
    ocr_confidence: float | None = None  # the lowest OCR confidence of those pages (0-1)

    @property
    def ocr(self) -> bool:
        """Whether some of the passage's text was read by OCR (citations say so next to the page)."""
        return bool(self.ocr_pages)

    @property
    def heading(self) -> str | None:
        """The innermost heading: embedded and keyword-searched with the text (the whole path embedded worse:
        dense MRR on the real-corpus questions 0.47 against 0.56, ingest/NOTES.md), and shown in citations."""
        return self.section[-1] if self.section else None

    @property
    def section_text(self) -> str:
        """The section path as one line: '2. Germany: Kurzarbeitergeld › Financing'."""
        return SECTION_SEPARATOR.join(self.section)

    @property
    def evidence(self) -> bool:
        """Whether the passage's sentences may be quoted as an answer."""
        return self.role in EVIDENCE_ROLES

    @classmethod
    def of(cls, meta: Mapping[str, Any]) -> "PassageMeta":
        """The view of a stored metadata dictionary (tolerant of missing keys and of older indexes)."""
        section = meta.get("section")
        if not isinstance(section, list | tuple):
            section = [meta["heading"]] if meta.get("heading") else []
        countries = tuple(meta.get("countries") or ())
        return cls(
            doc_id=str(meta.get("doc_id") or ""),
            seq=int(meta.get("seq") or 0),
            title=str(meta.get("title") or ""),
            path=str(meta.get("path") or ""),
            page_start=meta.get("page_start"),
            page_end=meta.get("page_end"),
            char_start=meta.get("char_start"),
            char_end=meta.get("char_end"),
            section=tuple(str(s) for s in section),
            role=str(meta.get("role") or "body"),
            lang=str(meta.get("lang") or "en"),
            countries=countries,
            regions=tuple(meta.get("regions") or ()),
            doc_countries=tuple(meta.get("doc_countries") or countries),
            doc_type=str(meta.get("doc_type") or "other"),
            year=meta.get("year"),
            topics=tuple(meta.get("topics") or ()),
            ocr_pages=tuple(int(page) for page in meta.get("ocr_pages") or ()),
            ocr_confidence=meta.get("ocr_confidence"),
        )

    def to_meta(self) -> dict[str, Any]:
        """The stored form: JSON-ready, lists for sequences, and `heading` (the section path as one line)."""
        data = asdict(self)
        for key in ("section", "countries", "regions", "doc_countries", "topics", "ocr_pages"):
            data[key] = list(data[key])
        if not self.ocr_pages:  # most passages: no OCR keys stored
            del data["ocr_pages"], data["ocr_confidence"]
        data["heading"] = self.heading
        return data

    def to_json(self) -> dict[str, Any]:
        """The fields of a hit or citation in `--json` output that describe where a passage sits and what it is about."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "path": self.path,
            "page_start": self.page_start,
            "page_end": self.page_end,
            "section": list(self.section),
            "heading": self.heading,
            "role": self.role,
            "countries": list(self.countries),
            "regions": list(self.regions),
            "region": self.regions[0] if self.regions else None,
            "doc_countries": list(self.doc_countries),
            "doc_type": self.doc_type,
            "year": self.year,
            "lang": self.lang,
            "ocr": self.ocr,
            "ocr_pages": list(self.ocr_pages),
            "ocr_confidence": self.ocr_confidence,
        }


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
    # what a reference names besides title and year (`kb.core.references`): from the catalogue, else the file's
    # properties; empty when neither gives it
    author: str = ""
    publisher: str = ""
    url: str = ""
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
    ocr_pages_read: int = 0  # scanned pages read by OCR in this run
    ocr_pages_cached: int = 0  # scanned pages whose OCR text came from the cache (read by an earlier run)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


# Every key a passage's stored metadata holds.
PASSAGE_META_KEYS = tuple(PassageMeta(doc_id="").to_meta())
