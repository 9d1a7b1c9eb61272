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


MIN_OVERLAP = 20  # characters: a shorter shared edge is chance, not a passage's overlap with the next


def join_overlapping(texts: list[str]) -> str:
    """Consecutive passages as one text, each one's overlap with the one before written once, paragraphs apart."""
    joined = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if not joined:
            joined = text
            continue
        joined += ("\n\n" + text) if (cut := _overlap(joined, text)) == 0 else text[cut:]
    return joined


def _overlap(before: str, after: str) -> int:
    """The length of the longest end of `before` that `after` starts with (0 below `MIN_OVERLAP`)."""
    best = 0
    start = before.find(after[:MIN_OVERLAP], max(0, len(before) - len(after)))
    while start != -1 and len(after) >= MIN_OVERLAP:
        if after.startswith(before[start:]):
            best = len(before) - start
            break
        start = before.find(after[:MIN_OVERLAP], start + 1)
    return best
