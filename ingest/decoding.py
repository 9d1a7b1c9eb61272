"""Decode the bytes of a text file: UTF-8 (with or without BOM), UTF-16/32 with BOM, else cp1252/Latin-1."""

import codecs

from kb.core.errors import DocumentReadError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}
_MAX_CONTROL_RATIO = 0.01


def decode_text(data: bytes, source: str) -> str:
    """The text of `data`, or `DocumentReadError(source, reason)` when it is empty, binary or undecodable."""
    if not data:
        raise DocumentReadError(source, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, source)
    utf16 = _bomless_utf16(data)
    if utf16:
        return _strict(data, utf16, source)
    if data.count(0) > _MAX_CONTROL_RATIO * len(data):  # a stray NUL in a text is dropped later, not fatal
        raise DocumentReadError(source, "binary data, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _single_byte(data)
    if _control_ratio(text) > _MAX_CONTROL_RATIO:
        raise DocumentReadError(source, "binary data, not text")
    return text


def _strict(data: bytes, encoding: str, source: str) -> str:
    """Decode with a known encoding, refusing invalid sequences."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise DocumentReadError(source, f"undecodable text (invalid {encoding.upper()} data)") from None
    if _control_ratio(text) > _MAX_CONTROL_RATIO:
        raise DocumentReadError(source, "binary data, not text")
    return text


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when every other byte of a sample is NUL, as in UTF-16 text without BOM."""
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _single_byte(data: bytes) -> str:
    """cp1252 when every byte is defined there (smart quotes, euro sign), else Latin-1."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _control_ratio(text: str) -> float:
    """The share of C0/C1 control characters other than ordinary whitespace."""
    if not text:
        return 0.0
    sample = text[:20000]
    controls = sum(1 for ch in sample if (ch < " " or "\x7f" <= ch <= "\x9f") and ch not in _ALLOWED_CONTROLS)
    return controls / len(sample)
