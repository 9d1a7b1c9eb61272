"""Catalogue files (catalog.csv / catalog.yaml) that give documents' metadata by path, checked for safety."""

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest import facet_values as fv
from ingest.catalog_rows import CatalogFileError, read_rows
from kb.core.errors import UsageError

CATALOG_NAMES = ("catalog.csv", "catalog.yaml", "catalog.yml")
_MAX_REPORTED = 20


class CatalogError(UsageError):
    """A catalogue file that cannot be used: unsafe paths, unknown columns or invalid values (rows listed)."""


@dataclass
class CatalogEntry:
    """One catalogue row: metadata a person gave for one file (empty fields are None or [])."""

    path: Path
    title: str | None = None
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    doc_type: str | None = None
    year: int | None = None
    lang: str | None = None
    topics: list[str] = field(default_factory=list)
    author: str = ""
    publisher: str = ""
    url: str = ""
    source: str = ""

    def facets(self) -> dict[str, Any]:
        """The non-empty metadata values, by facet name."""
        values = {k: v for k, v in asdict(self).items() if k not in ("path", "source")}
        return {k: v for k, v in values.items() if v not in (None, "", [])}


def fingerprint(entry: CatalogEntry | None) -> str:
    """A short digest of what a catalogue entry gives a file ("" for none): a changed entry changes it."""
    if entry is None or not entry.facets():
        return ""
    return hashlib.sha256(json.dumps(entry.facets(), sort_keys=True, default=str).encode()).hexdigest()[:16]


def load_catalogs(root: Path) -> dict[Path, CatalogEntry]:
    """Entries of every catalogue under `root`, by resolved absolute file path (deeper catalogues win)."""
    root = Path(root)
    files = [root] if root.is_file() else sorted(_find_catalogs(root), key=lambda p: len(p.parts))
    entries: dict[Path, CatalogEntry] = {}
    for catalog in files:
        entries.update({entry.path: entry for entry in read_catalog(catalog)})
    return entries


def _find_catalogs(root: Path) -> list[Path]:
    """Catalogue files in `root` and all its folders (symlinked folders are not followed)."""
    found: list[Path] = []
    for folder, _dirs, files in os.walk(root):
        found += [Path(folder) / name for name in files if name.lower() in CATALOG_NAMES]
    return found


def read_catalog(catalog: Path) -> list[CatalogEntry]:
    """The entries of one catalogue; raises CatalogError listing every offending row with its line."""
    try:
        read = read_rows(catalog)
    except CatalogFileError as error:
        raise CatalogError(f"catalogue {catalog}: {error}") from None
    folder = catalog.parent.resolve()
    entries: list[CatalogEntry] = []
    problems = list(read.problems)
    first_line: dict[Path, int] = {}
    for line, row in read.rows:
        try:
            entry = _entry(row, folder, f"{catalog}:line {line}")
        except (fv.FacetValueError, ValueError) as error:
            problems.append(f"line {line}: {error} (row: {_show(row)})")
            continue
        if entry.path in first_line:  # which of two rows is right cannot be guessed
            problems.append(f"line {line}: a second row for {row.get('path')!r} (the first is on line "
                            f"{first_line[entry.path]}); keep one")
            continue
        first_line[entry.path] = line
        entries.append(entry)
    if problems:
        problems.sort(key=_line_number)
        shown = [f"  {p}" for p in problems[:_MAX_REPORTED]] + (
            [f"  ... and {len(problems) - _MAX_REPORTED} more"] if len(problems) > _MAX_REPORTED else []
        )
        raise CatalogError(f"catalogue {catalog} has {len(problems)} invalid row(s):\n" + "\n".join(shown))
    return entries


def _line_number(problem: str) -> int:
    return int(problem.split(":", 1)[0].removeprefix("line "))


def _entry(row: dict[str, Any], folder: Path, source: str) -> CatalogEntry:
    """One checked entry; raises ValueError/FacetValueError with the reason."""
    return CatalogEntry(
        path=safe_path(row.get("path"), folder),
        title=str(row["title"]).strip() if row.get("title") not in (None, "") else None,
        countries=fv.parse_countries(row.get("countries")),
        regions=fv.parse_regions(row.get("regions")),
        doc_type=fv.parse_doc_type(row.get("doc_type")),
        year=fv.parse_year(row.get("year")),
        lang=fv.parse_lang(row.get("lang")),
        topics=fv.parse_topics(row.get("topics")),
        **{key: parse(row.get(key)) for key, parse in fv.CITATION_PARSERS.items()},
        source=source,
    )


def safe_path(value: Any, folder: Path) -> Path:
    """The resolved path of a catalogue row, refused unless it stays inside the catalogue's folder."""
    raw = str(value or "").strip()
    if not raw:
        raise ValueError("empty path")
    if Path(raw).is_absolute() or raw.startswith(("/", "\\")) or (len(raw) > 1 and raw[1] == ":"):
        raise ValueError(f"unsafe path {raw!r}: absolute paths are not allowed, give it relative to {folder}")
    resolved = (folder / raw).resolve()
    if not resolved.is_relative_to(folder):
        raise ValueError(
            f"unsafe path {raw!r}: it resolves to {resolved}, outside the catalogue folder {folder}"
        )
    return resolved


def _show(row: dict[str, Any]) -> str:
    """A row as 'key=value' pairs for error messages."""
    return ", ".join(f"{k}={_short(v)}" for k, v in row.items() if v not in (None, ""))


def _short(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 80 else f"{shown[:60]}... ({len(shown):,} characters)"
