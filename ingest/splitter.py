"""Split cleaned documents into passages of whole sentences that fit the embedding model's token window."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from haystack import Document, component

from ingest.sentences import sentence_spans

_HEADING_LINE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_WORD_SPAN = re.compile(r"\S+")
_SPECIAL_TOKENS = 2  # [CLS] and [SEP]
_CHUNK_CHARS = 200  # a word longer than the window is cut into pieces this long (at most one token per char)
PASSAGE_META_KEYS = (
    "doc_id",
    "seq",
    "title",
    "path",
    "page_start",
    "page_end",
    "char_start",
    "char_end",
    "heading",
    "lang",
    "countries",
    "regions",
    "doc_type",
    "year",
    "topics",
)
_DOCUMENT_KEYS = ("doc_id", "title", "path", "lang", "countries", "regions", "doc_type", "year", "topics")


@dataclass
class Unit:
    """A sentence (or a piece of an over-long sentence): where it is and how many word-pieces it holds."""

    page: int
    start: int
    end: int
    section: int
    heading: str | None
    tokens: int = 0


@dataclass
class Passage:
    """Units packed together; `tokens` counts the special tokens too."""

    units: list[Unit] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        return _SPECIAL_TOKENS + sum(u.tokens for u in self.units)


@component
class PassageSplitter:
    """
    Splits each document into passages on sentence boundaries (pysbd), sized in the model's own word-pieces.

    Passages never cross documents or (when it can be helped) section headings, overlap by whole sentences,
    span pages when a passage runs on, and carry their page range and character span. Written because
    DocumentSplitter counts words or tiktoken tokens, needs NLTK (which downloads data) for sentences, and
    records only a start page (measured in ingest/NOTES.md).
    """

    def __init__(
        self,
        tokenizer_path: Path | str,
        max_tokens: int = 256,
        overlap_sentences: int = 1,
        min_tokens: int = 40,
    ) -> None:
        """Create the splitter; the tokenizer loads in `warm_up`."""
        if max_tokens < 16:
            raise ValueError(
                f"max_tokens must be at least 16 (got {max_tokens}); all-MiniLM-L6-v2 reads 256."
            )
        if overlap_sentences < 0:
            raise ValueError(f"overlap_sentences must be 0 or more (got {overlap_sentences}).")
        if not 0 <= min_tokens < max_tokens:
            raise ValueError(f"min_tokens must be between 0 and max_tokens (got {min_tokens}).")
        self.tokenizer_path = Path(tokenizer_path)
        self.max_tokens = max_tokens
        self.overlap_sentences = overlap_sentences
        self.min_tokens = min_tokens
        self._tokenizer: Any = None

    def warm_up(self) -> None:
        """Load the model's tokenizer from its local directory."""
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(str(self.tokenizer_path))

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word-pieces in each text, special tokens not included."""
        if not texts:
            return []
        self.warm_up()
        encoded = self._tokenizer(
            texts, add_special_tokens=False, return_attention_mask=False, return_token_type_ids=False
        )
        return [len(ids) for ids in encoded["input_ids"]]

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        """Return the passages of all documents, each document's passages in reading order."""
        passages: list[Document] = []
        for doc in documents:
            passages.extend(self.split(doc))
        return {"documents": passages}

    def split(self, doc: Document) -> list[Document]:
        """The passages of one document."""
        pages = (doc.content or "").split("\f")
        units = self._units(doc, pages)
        packed = _merge_small(self._pack(units), self.max_tokens, self.min_tokens)
        return _to_documents(doc, pages, packed)

    def _units(self, doc: Document, pages: list[str]) -> list[Unit]:
        """Sentence units of all pages, with section numbers and headings, counted and cut to fit the window."""
        lang = doc.meta.get("lang") or "en"
        markup = bool(doc.meta.get("heading_markup"))
        outline = sorted(doc.meta.get("outline") or [], key=lambda entry: entry[0])
        units: list[Unit] = []
        section, heading = 0, None
        for page_index, page in enumerate(pages):
            heading = _outline_heading(outline, page_index + 1, heading)
            offset = 0
            for line in page.split("\n"):
                found = _HEADING_LINE.match(line) if markup else None
                if found:
                    section, heading = section + 1, found.group(2)
                else:
                    units += [
                        Unit(page_index, offset + s, offset + e, section, heading)
                        for s, e in sentence_spans(line, lang)
                    ]
                offset += len(line) + 1
        counts = self.count_tokens([pages[u.page][u.start : u.end] for u in units])
        for unit, count in zip(units, counts, strict=True):
            unit.tokens = count
        return self._fit(units, pages)

    def _fit(self, units: list[Unit], pages: list[str]) -> list[Unit]:
        """Units cut on word boundaries where one sentence is longer than the window."""
        budget = self.max_tokens - _SPECIAL_TOKENS
        fitted: list[Unit] = []
        for unit in units:
            if unit.tokens <= budget:
                fitted.append(unit)
                continue
            words = _word_spans(pages[unit.page], unit.start, unit.end)
            counts = self.count_tokens([pages[unit.page][s:e] for s, e in words])
            fitted += _pack_words(unit, words, counts, budget)
        return fitted

    def _pack(self, units: list[Unit]) -> list[Passage]:
        """Greedy packing of units per section, each new passage starting with the previous one's last sentences."""
        passages: list[Passage] = []
        current = Passage()
        for unit in units:
            if current.units and (
                unit.section != current.units[-1].section or current.tokens + unit.tokens > self.max_tokens
            ):
                passages.append(current)
                same_section = unit.section == current.units[-1].section
                current = Passage(self._overlap(current, unit) if same_section else [])
            current.units.append(unit)
        if current.units:
            passages.append(current)
        return passages

    def _overlap(self, previous: Passage, following: Unit) -> list[Unit]:
        """The last sentences of `previous` to repeat before `following`, if they fit and are not all of it."""
        if self.overlap_sentences == 0 or len(previous.units) <= self.overlap_sentences:
            return []
        carried = previous.units[-self.overlap_sentences :]
        total = _SPECIAL_TOKENS + sum(u.tokens for u in carried) + following.tokens
        return list(carried) if total <= self.max_tokens else []


def _outline_heading(outline: list[list[Any]], page: int, current: str | None) -> str | None:
    """The title of the last PDF bookmark pointing at or before `page`."""
    titles = [entry[2] for entry in outline if entry[0] <= page]
    return titles[-1] if titles else current


def _word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Whitespace-separated words of text[start:end], very long ones cut into chunks."""
    spans: list[tuple[int, int]] = []
    for match in _WORD_SPAN.finditer(text, start, end):
        for piece in range(match.start(), match.end(), _CHUNK_CHARS):
            spans.append((piece, min(piece + _CHUNK_CHARS, match.end())))
    return spans


def _pack_words(unit: Unit, words: list[tuple[int, int]], counts: list[int], budget: int) -> list[Unit]:
    """Consecutive words of an over-long sentence grouped into pieces of at most `budget` word-pieces."""
    pieces: list[Unit] = []
    for (start, end), count in zip(words, counts, strict=True):
        if pieces and pieces[-1].tokens + count <= budget:
            pieces[-1].end, pieces[-1].tokens = end, pieces[-1].tokens + count
        else:
            pieces.append(Unit(unit.page, start, end, unit.section, unit.heading, count))
    return pieces


def _merge_small(passages: list[Passage], max_tokens: int, min_tokens: int) -> list[Passage]:
    """Fold passages under `min_tokens` into a neighbour when the result still fits the window."""
    merged: list[Passage] = []
    pending: Passage | None = None
    for passage in passages:
        if pending is not None:
            passage = (
                _union(pending, passage)
                if _fits(pending, passage, max_tokens)
                else _flush(merged, pending, passage)
            )
            pending = None
        if passage.tokens < min_tokens:
            if merged and _fits(merged[-1], passage, max_tokens):
                merged[-1] = _union(merged[-1], passage)
            else:
                pending = passage
            continue
        merged.append(passage)
    if pending is not None:
        merged.append(pending)
    return merged


def _flush(merged: list[Passage], pending: Passage, passage: Passage) -> Passage:
    """Keep a small passage that no neighbour could take, and go on with the next one."""
    merged.append(pending)
    return passage


def _fits(first: Passage, second: Passage, max_tokens: int) -> bool:
    """True when the two passages together (shared sentences once) fit the window."""
    return _union(first, second).tokens <= max_tokens


def _union(first: Passage, second: Passage) -> Passage:
    """The units of both passages in order, shared (overlap) units once."""
    seen = {id(u) for u in first.units}
    return Passage(first.units + [u for u in second.units if id(u) not in seen])


def _to_documents(doc: Document, pages: list[str], passages: list[Passage]) -> list[Document]:
    """Haystack Documents with content, content-derived ids and the passage metadata; duplicates dropped."""
    paginated = doc.meta.get("source_format") == "pdf"
    base = {key: doc.meta.get(key) for key in _DOCUMENT_KEYS}
    seen: set[str] = set()
    out: list[Document] = []
    for passage in passages:
        content = _content(pages, passage.units)
        passage_id = passage_id_for(str(base["doc_id"]), content)
        if not content.strip() or passage_id in seen:
            continue
        seen.add(passage_id)
        first, last = passage.units[0], passage.units[-1]
        meta = {
            **base,
            "seq": len(out),
            "page_start": first.page + 1 if paginated else None,
            "page_end": last.page + 1 if paginated else None,
            "char_start": first.start,
            "char_end": last.end,
            "heading": _main_heading(passage),
        }
        out.append(
            Document(id=passage_id, content=content, meta={key: meta[key] for key in PASSAGE_META_KEYS})
        )
    return out


def _content(pages: list[str], units: list[Unit]) -> str:
    """The passage text: its sentences with the whitespace between them, '\\n' across pages or headings."""
    parts: list[str] = []
    previous: Unit | None = None
    for unit in units:
        text = pages[unit.page]
        if previous is not None:
            gap = text[previous.end : unit.start] if previous.page == unit.page else "\n"
            parts.append(gap if gap.isspace() and gap else "\n")
        parts.append(text[unit.start : unit.end])
        previous = unit
    return "".join(parts)


def _main_heading(passage: Passage) -> str | None:
    """The heading of the section holding most of the passage's word-pieces."""
    weights: dict[str | None, int] = {}
    for unit in passage.units:
        weights[unit.heading] = weights.get(unit.heading, 0) + unit.tokens
    return max(weights, key=lambda heading: weights[heading])


def normalise_for_id(text: str) -> str:
    """NFC text with runs of whitespace as single spaces, as passage ids are computed on."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def passage_id_for(doc_id: str, content: str) -> str:
    """sha256(doc_id + NUL + normalised text): equal passages of one document share one id."""
    return hashlib.sha256(f"{doc_id}\x00{normalise_for_id(content)}".encode()).hexdigest()
