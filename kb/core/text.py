"""Folded text: the one form in which names, keywords, headings and passage texts are compared."""

import unicodedata


class _StripMarks(dict[int, int | None]):
    """A `str.translate` table that drops combining marks, filled in as characters are first seen."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_STRIP_MARKS = _StripMarks()


def fold(text: str) -> str:
    """Case-folded, accents removed, ’ as ' ("Perú" → "peru"); punctuation and spacing kept."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    return unicodedata.normalize("NFKD", folded).translate(_STRIP_MARKS).replace("’", "'")


def fold_words(text: str) -> str:
    """`fold`, with punctuation as spaces and single spaces between the words ("Côte d’Ivoire" → "cote d ivoire")."""
    return " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


def squash(text: str) -> str:
    """Text compared case- and whitespace-insensitively, accents kept (NFC, case-folded, single spaces)."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())
