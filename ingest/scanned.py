"""What counts as a scanned page, and how OCR text enters the pipeline: shared by the PDF and image converters.

A text layer is garbage when it is mostly not words: broken font encodings give replacement characters or
runs of symbols, a bad OCR layer gives consonant soup. The rule was checked on every page of
`../shared/realcorpus` and `corpus/` (no page of either is flagged, ingest/NOTES.md "OCR").
"""

import re

OCR_DPI = 200  # PP-OCR and Tesseract read 10-pt text reliably from 200 dpi; 300 dpi doubles the time
# Line sizes measured on a scan vary by the letters a line holds (a word without descenders is shorter): a
# heading of a scanned document needs only this much over the body size (a text layer's fonts need 1.12).
OCR_HEADING_SCALE = 1.06
_MIN_CHARS = 40  # shorter text layers (a page number, a caption) are not judged
_MAX_REPLACEMENT_SHARE = 0.05
_MIN_WORD_SHARE = 0.4
_TOKEN = re.compile(r"\S+")
_VOWEL = re.compile(r"[aeiouyàâäáéèêëíìîïóòôöúùûüœæ]", re.IGNORECASE)
_WORD = re.compile(r"^[\W\d_]*([^\W\d_]{2,})[\W\d_]*$")
_NUMBER = re.compile(r"^[(\[]?[-+±]?[$€£%]?\d[\d.,:/%-]*[)\]%.,;:]*$")


def is_garbage(text: str) -> bool:
    """Whether a page's text layer is unreadable: over 5% replacement or private-use characters, or under
    40% of its tokens words (two letters or more, with a vowel) or numbers."""
    visible = [char for char in text if not char.isspace()]
    if len(visible) < _MIN_CHARS:
        return False
    odd = sum(1 for char in visible if char == "\ufffd" or "\ue000" <= char <= "\uf8ff")
    if odd / len(visible) > _MAX_REPLACEMENT_SHARE:
        return True
    tokens = _TOKEN.findall(text)
    readable = sum(1 for token in tokens if _readable(token))
    return readable / len(tokens) < _MIN_WORD_SHARE


def _readable(token: str) -> bool:
    """A word (two letters or more, with a vowel) or a number, with its punctuation."""
    match = _WORD.match(token)
    return bool(match and _VOWEL.search(match.group(1))) or bool(_NUMBER.match(token))
