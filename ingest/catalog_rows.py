"""The rows of a catalogue file (CSV or YAML), each with the line it starts on, and every row that cannot be read
as a problem naming its line: a field over the CSV limit, an unclosed quote, more values than columns, invalid or
aliased YAML. Nothing is dropped or merged silently."""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest import yaml_safe
from ingest.limits import MAX_CATALOG_BYTES, megabytes

COLUMNS = ("path", "title", "countries", "regions", "doc_type", "year", "lang", "topics", "author", "publisher", "url")


class CatalogFileError(ValueError):
    """The whole catalogue is unusable (unreadable, wrong columns, not a list): the message says why."""


@dataclass
class Rows:
    """(line, mapping) pairs of the readable rows, and 'line N: what is wrong' for the others."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_rows(catalog: Path) -> Rows:
    """The rows of `catalog`; raises CatalogFileError when none can be read."""
    try:
        size = catalog.stat().st_size
        if size > MAX_CATALOG_BYTES:
            raise CatalogFileError(f"it is too large ({megabytes(size)}; a catalogue may hold "
                                   f"{megabytes(MAX_CATALOG_BYTES)})")
        text = catalog.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogFileError(f"cannot read it: {error}") from None
    return _csv_rows(text) if catalog.suffix.lower() == ".csv" else _yaml_rows(text)


def _csv_rows(text: str) -> Rows:
    # strict: a stray quote is an error instead of a value that swallows the following rows
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as error:
        raise CatalogFileError(f"its header line cannot be read ({error})") from None
    check_columns([c.strip() for c in header])
    out = Rows()
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return out
        except csv.Error as error:
            out.problems.append(f"line {start}: {_csv_problem(error, start, reader.line_num)}")
            continue
        problem = _shape(values, len(header), start, reader.line_num)
        if problem:
            out.problems.append(f"line {start}: {problem}")
        elif any(v.strip() for v in values):
            out.rows.append((start, dict(zip([c.strip() for c in header], values))))


def _csv_problem(error: csv.Error, start: int, end: int) -> str:
    message = str(error)
    if "field larger than field limit" in message:
        return f"a value is longer than {csv.field_size_limit():,} characters"
    if "unexpected end of data" in message:
        return f"a quote opened here is never closed (the file ends on line {end} inside it)"
    return f"badly quoted value ({message})"


def _shape(values: list[str], columns: int, start: int, end: int) -> str | None:
    """What is wrong with a parsed row's shape, or None."""
    if end > start:
        return (f"a quoted value runs over lines {start}-{end}: a quote is probably not closed on line {start} "
                "(catalogue values are one line each)")
    if len(values) > columns:
        return f"{len(values)} values for {columns} columns (an unquoted comma?)"
    return None


def _yaml_rows(text: str) -> Rows:
    try:
        data, lines = yaml_safe.load_items(text)
    except yaml_safe.YAMLError as error:
        raise CatalogFileError(f"it is not valid YAML: {yaml_safe.describe(error)}") from None
    data = data if data is not None else []
    if not isinstance(data, list):
        raise CatalogFileError(f"it must be a YAML list of mappings with keys {', '.join(COLUMNS)}")
    out = Rows()
    for line, item in zip(lines, data):
        if not isinstance(item, dict):
            out.problems.append(f"line {line}: not a mapping with keys {', '.join(COLUMNS)}")
            continue
        check_columns([str(k) for k in item])
        out.rows.append((line, item))
    return out


def check_columns(columns: list[str]) -> None:
    """Refuse unknown columns (a typo would silently drop metadata) and a missing path column."""
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown or "path" not in columns:
        raise CatalogFileError(
            f"columns must be {', '.join(COLUMNS)} (path required); found {', '.join(columns) or 'none'}"
        )
