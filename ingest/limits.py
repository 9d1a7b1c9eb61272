"""How much one file may hold: beyond these limits it is refused with a reason instead of exhausting memory.

A document's text is converted, cleaned and split in memory, so the limits bound memory; they also bound
time: 20 million characters is about 11,000 passages, some 8 minutes of embedding on a 2-core machine.
"""

MAX_FILE_BYTES = 200 * 1024 * 1024  # any file is read whole by its converter (PDFs with images are big)
MAX_TEXT_CHARS = 20_000_000  # one document's text: a 3,000-page PDF report holds about 10 million
MAX_TEXT_FILE_BYTES = 20 * 1024 * 1024  # plain text and Markdown are refused by size, before they are read


def megabytes(size: int) -> str:
    """A byte count as '50.0 MB'."""
    return f"{size / 1024 / 1024:.1f} MB"
MAX_CATALOG_BYTES = 20 * 1024 * 1024  # a catalogue is read whole; 20 MB is some 100,000 rows

# A DOCX is a ZIP: limits on what it inflates to (ingest/archive.py).
MAX_INFLATED_BYTES = MAX_FILE_BYTES  # all parts together, images included
# one XML part: python-docx needs ~16x this in memory; a 1,000-page report holds ~20 MB
MAX_XML_PART_BYTES = 64 * 1024 * 1024
MAX_INFLATE_RATIO = 100  # Word's XML compresses 5-20x; a bomb inflates hundreds or thousands of times
MAX_ZIP_MEMBERS = 10_000
