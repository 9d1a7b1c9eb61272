"""Sentence boundaries as character spans: pysbd (rule-based, ships its rules, works offline) where it matters."""

import re
import warnings
from functools import cache
from itertools import pairwise

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import pysbd
    from pysbd.languages import LANGUAGE_CODES

_MAYBE_SEVERAL = re.compile(r"[.!?…。؟][\"'”’»)\]]*\d{0,3}\s+\S")
# A candidate boundary: the word before, the terminator (with closing quotes/brackets), the space after.
# (?<!\S) anchors at a word start: without it a very long token makes the search quadratic.
# A footnote number may follow the terminator ("... of the pandemic.8 Indeed, ..."): part of the sentence it ends.
_CANDIDATE = re.compile(r"(?<!\S)(\S*?)([.!?…]+[\"'”’»)\]]*(?:\d{1,3})?)(\s+)(?=\S)")
_OPENERS = '¿¡"“‘«(['
_CLOSERS = "\"'”’»)]"
_NUMBER = re.compile(r"^[\d.,%]*\d[\d.,%]*\d[\d.,%]*$")
_PYSBD_WINDOW = 5_000


@cache
def _segmenter(lang: str) -> pysbd.Segmenter:
    """One pysbd segmenter per language (unsupported languages use the English rules), built once."""
    return pysbd.Segmenter(language=lang if lang in LANGUAGE_CODES else "en", clean=False)


@cache
def _abbreviations(lang: str) -> frozenset[str]:
    """pysbd's abbreviation list for a language, lower case."""
    language = LANGUAGE_CODES.get(lang, LANGUAGE_CODES["en"])
    return frozenset(a.lower() for a in language.Abbreviation.ABBREVIATIONS)


def sentence_spans(text: str, lang: str = "en") -> list[tuple[int, int]]:
    """(start, end) of each sentence of one paragraph, surrounding whitespace excluded."""
    if not text.strip():
        return []
    if not _MAYBE_SEVERAL.search(text):
        return [_trimmed(text, 0, len(text))]
    cuts = _plain_cuts(text, lang)
    if cuts is None:
        return _pysbd_spans(text, lang)
    bounds = [0, *cuts, len(text)]
    spans = [_trimmed(text, a, b) for a, b in pairwise(bounds)]
    return [(a, b) for a, b in spans if b > a]


def _plain_cuts(text: str, lang: str) -> list[int] | None:
    """Cut positions when every candidate boundary is unambiguous, else None (then pysbd decides).

    Unambiguous: '!' or '?', or a period after a word of two or more letters that is not one of pysbd's
    abbreviations for the language (or after a number of two or more digits), followed by a capital letter
    or an opening mark.
    A period followed by a lower-case letter is no boundary. Anything else (initials, numbers, 'Art.', 'U.S.')
    is left to pysbd, which is slower (about 1 ms a sentence) but knows those cases.
    """
    abbreviations = _abbreviations(lang)
    cuts: list[int] = []
    for match in _CANDIDATE.finditer(text):
        word, terminator = match.group(1).lstrip(_OPENERS).rstrip(_CLOSERS), match.group(2)
        following = text[match.end()]
        if following.islower():
            continue
        if terminator[-1].isdigit() and not (word.isalpha() and len(word) >= 2 and word.lower() not in abbreviations):
            continue  # "3.2 The", "Fig.4 A": a decimal or a label, not a footnote after a sentence
        if not (following.isupper() or following in _OPENERS):
            return None
        if (
            terminator[0] in "!?"
            or (word.isalpha() and len(word) >= 2 and word.lower() not in abbreviations)
            or _NUMBER.match(word)
        ):
            cuts.append(match.end(2))
        else:
            return None
    return cuts


def _pysbd_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Sentence spans found by pysbd, fed windows of at most `_PYSBD_WINDOW` characters.

    pysbd's time grows with the square of its input (minutes for one 300 kB paragraph); a window ends
    after a '. ' where it can, so only pathologically long paragraphs are ever cut mid-sentence.
    """
    spans: list[tuple[int, int]] = []
    for start, end in _windows(text, _PYSBD_WINDOW):
        spans += [(start + a, start + b) for a, b in _pysbd_window(text[start:end], lang)]
    return spans


def _windows(text: str, size: int) -> list[tuple[int, int]]:
    """(start, end) pieces of `text` of at most `size` characters, cut after a sentence end or a space."""
    pieces: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > size:
        low, high = start + size // 2, start + size
        cut = max(text.rfind(". ", low, high), text.rfind("? ", low, high), text.rfind("! ", low, high))
        cut = cut + 2 if cut >= 0 else text.rfind(" ", low, high) + 1 or high
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(text)))
    return pieces


def _pysbd_window(text: str, lang: str) -> list[tuple[int, int]]:
    """Sentence spans found by pysbd, mapped back onto `text`."""
    spans: list[tuple[int, int]] = []
    position = 0
    for piece in _segmenter(lang).segment(text):
        found = text.find(piece, position)
        if found < 0:  # pysbd changed the text: keep the paragraph whole rather than guess offsets
            return [_trimmed(text, 0, len(text))]
        if piece.strip():
            spans.append(_trimmed(text, found, found + len(piece)))
        position = found + len(piece)
    return spans


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
