"""The file types kb reads: suffix → MIME type, the one list the scanner, the router and the size limits share."""

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
IMAGES = r"image/(png|jpeg|tiff)"  # one router output (a regex) for the one image converter

MIME_TYPES = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".html": HTML,
    ".htm": HTML,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".txt": TEXT,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
SUFFIXES = frozenset(MIME_TYPES)
# Plain-text formats: read whole into memory, so they have their own (smaller) size limit.
TEXT_SUFFIXES = frozenset(s for s, mime in MIME_TYPES.items() if mime in (MARKDOWN, TEXT))
