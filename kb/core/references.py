"""References: the one style in which kb names a source, for the CLI, `--json`, copied quotes and briefs.

A reference is built from the document's record (author or publisher, year, title, URL or file name) and, for
one quote, its section and page: `ILO (2021). World Social Protection Report. Section “Financing”, p. 3.
https://www.ilo.org/wspr`. A reader has no use for the local path a document was read from: the file's name
stands in for a URL only when there is none. The document's countries and kb's type label are facets, not part
of a reference.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from kb.core.models import page_label, section_label


@dataclass(frozen=True)
class Source:
    """What a reference names of a document."""

    title: str
    year: int | None = None
    path: str = ""
    author: str = ""
    publisher: str = ""
    url: str = ""

    @classmethod
    def of(cls, record: Any) -> "Source":
        """From a `SourceDocument`, a citation or anything with the same attributes (missing ones empty)."""
        return cls(
            title=str(getattr(record, "title", "") or ""),
            year=getattr(record, "year", None),
            path=str(getattr(record, "path", "") or ""),
            author=str(getattr(record, "author", "") or ""),
            publisher=str(getattr(record, "publisher", "") or ""),
            url=str(getattr(record, "url", "") or ""),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Source":
        """From a JSON form (a hit's or citation's dictionary)."""
        return cls(
            title=str(data.get("title") or ""),
            year=data.get("year"),
            path=str(data.get("path") or ""),
            author=str(data.get("author") or ""),
            publisher=str(data.get("publisher") or ""),
            url=str(data.get("url") or ""),
        )

    @property
    def where(self) -> str:
        """The URL, else the file's name."""
        return self.url or PurePath(self.path).name

    def entry(self) -> str:
        """The document's reference, as a reference list shows it (once per document)."""
        creator = self.author or self.publisher
        year = f"({self.year})" if self.year else "(n.d.)"
        title = _without_site(self.title, self.publisher) or "Untitled"
        head = f"{creator} {year}. {_sentence(title)}" if creator else _sentence(f"{title.rstrip('. ')} {year}")
        parts = [head]
        if self.author and self.publisher:
            parts.append(_sentence(self.publisher))
        if self.where:
            parts.append(self.where)
        return " ".join(parts)

    def cite(self, section: tuple[str, ...] | list[str] = (), pages: str = "") -> str:
        """The reference of one quote: the document's, with the quote's section and page before the URL."""
        heading = section_label(tuple(section), self.title)
        place = ", ".join(part for part in (f"Section “{heading}”" if heading else "", pages) if part)
        if not place:
            return self.entry()
        parts = [Source(self.title, self.year, "", self.author, self.publisher).entry(), _sentence(place)]
        return " ".join(parts + ([self.where] if self.where else []))


def related_reference(hit: Mapping[str, Any], source: Source | None = None) -> str:
    """The reference of a search hit's passage (its JSON form), from `source` or the hit's own metadata."""
    found = source or Source.from_dict(hit)
    return found.cite(hit.get("section") or [], page_label(hit.get("page_start"), hit.get("page_end"), bool(hit.get("ocr"))))


def cite(record: Any, section: tuple[str, ...] | list[str] = (), page: int | None = None,
         page_end: int | None = None, ocr: bool = False) -> str:
    """The reference of a quote of `record` (a citation or document) at `section` and `page`."""
    return Source.of(record).cite(section, page_label(page, page_end, ocr))


def _without_site(title: str, publisher: str) -> str:
    """A web page's title without the site's name it ends with ("Pakistan | Site" → "Pakistan", when the
    reference names the site as publisher)."""
    for separator in (" | ", " - ", " – ", " — "):
        if publisher and title.casefold().endswith(f"{separator}{publisher}".casefold()):
            return title[: -len(separator) - len(publisher)].strip()
    return title


def _sentence(text: str) -> str:
    """`text` ending with a full stop (not doubled after one, a question mark or an exclamation mark)."""
    text = " ".join(text.split())
    return text if text.endswith((".", "?", "!")) else f"{text}."
