"""Checks on a DOCX (a ZIP of XML parts) before python-docx opens it: what it *inflates* to, not its size.

python-docx reads every part into memory and parses the XML parts whole (about 16 times the XML's size in memory),
so an 873 KB "zip bomb" holding 200 MB of XML needed over 3 GB. Python's `zipfile` never inflates a member past
the size its header declares, so checking the declared sizes bounds what is read. XML parts must not declare a
DTD (Office Open XML forbids it): entities would be dropped silently, or point at other files.
"""

import io
import zipfile
from xml.etree.ElementTree import ParseError

from defusedxml import DTDForbidden, EntitiesForbidden
from defusedxml.ElementTree import iterparse

from ingest.limits import (
    MAX_INFLATE_RATIO,
    MAX_INFLATED_BYTES,
    MAX_XML_PART_BYTES,
    MAX_ZIP_MEMBERS,
    megabytes,
)
from kb.core.errors import DocumentReadError

_RATIO_FROM = 1024 * 1024  # small parts compress very well legitimately (styles, settings)


def check_docx_archive(data: bytes, name: str) -> None:
    """Raise DocumentReadError when the DOCX in `data` would inflate beyond the limits or declares a DTD."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_sizes(members, name)
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    _check_no_dtd(archive, member, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as error:
        raise DocumentReadError(name, f"not a valid DOCX ({type(error).__name__}: {error})") from None


def _check_sizes(members: list[zipfile.ZipInfo], name: str) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        raise DocumentReadError(name, f"DOCX holds {len(members):,} parts (kb reads up to {MAX_ZIP_MEMBERS:,})")
    total = sum(m.file_size for m in members)
    if total > MAX_INFLATED_BYTES:
        raise DocumentReadError(name, f"DOCX inflates to {megabytes(total)} (kb reads up to "
                                      f"{megabytes(MAX_INFLATED_BYTES)}): a zip bomb, or split the document")
    for m in members:
        if m.filename.endswith(".xml") and m.file_size > MAX_XML_PART_BYTES:
            raise DocumentReadError(name, f"DOCX part {m.filename} inflates to {megabytes(m.file_size)} (kb reads "
                                          f"XML parts up to {megabytes(MAX_XML_PART_BYTES)})")
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > _RATIO_FROM and ratio > MAX_INFLATE_RATIO:
            raise DocumentReadError(name, f"DOCX part {m.filename} inflates {ratio:,.0f} times "
                                          f"(over {MAX_INFLATE_RATIO}): a zip bomb")


def _check_no_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> None:
    """Parse the part's prolog only (up to its first element) with DTDs forbidden."""
    try:
        with archive.open(member) as part:
            for _event in iterparse(part, events=("start",), forbid_dtd=True, forbid_entities=True):
                return
    except (DTDForbidden, EntitiesForbidden):
        raise DocumentReadError(
            name, f"not a valid DOCX ({member.filename} declares a DTD or entities, which Office Open XML forbids)"
        ) from None
    except ParseError:  # malformed XML is python-docx's to report, with its own reason
        return
