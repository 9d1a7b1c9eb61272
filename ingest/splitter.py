"""Split cleaned documents into passages of whole sentences that fit the embedding model's token window."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from haystack import Document, component

from ingest.chunking import MAX_TOKENS, OVERLAP_SENTENCES
from ingest.sections import (
    HEADING_LINE,
    PAGINATED_FORMATS,
    is_cover,
    item_like,
    open_sections,
    outline_stack,
    styled_text,
)
from kb.core.models import EVIDENCE_ROLES, PassageMeta
from kb.core.sentences import sentence_spans
from kb.core.structure import line_role, section_role

_WORD_SPAN = re.compile(r"\S+")
_SPECIAL_TOKENS = 2  # [CLS] and [SEP]
_CHUNK_CHARS = 200  # a word longer than the window is cut into pieces this long (at most one token per char)
FILL = 0.5  # share of the window a passage holds before it may end early, at a paragraph's start


@dataclass
class Unit:
    """A sentence (or a piece of an over-long sentence): where it is, the section and role it belongs to, and
    how many word-pieces it holds."""

    page: int
    start: int
    end: int
    section: int
    path: tuple[str, ...]
    role: str = "body"
    lead_in: bool = False  # ends with ':' (its list follows)
    tokens: int = 0
    block: int = 0  # a paragraph, or a lead-in with its list: where a passage had best begin

    @property
    def group(self) -> str:
        """Units of one group may share a passage: running text, lists, tables and captions, or one non-body role."""
        return "evidence" if self.role in EVIDENCE_ROLES or self.role == "caption" else self.role


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

    Passages never cross documents or (when it can be helped) section headings or a change between running
    text and references, contents or front matter; they overlap by whole sentences, keep a lead-in sentence
    ending with ':' with the list after it, span pages when a passage runs on, and carry their page range,
    character span, section path and role (`kb.core.structure`). Written because
    DocumentSplitter counts words or tiktoken tokens, needs NLTK (which downloads data) for sentences, and
    records only a start page (measured in ingest/NOTES.md).
    """

    def __init__(
        self,
        tokenizer_path: Path | str,
        max_tokens: int = MAX_TOKENS,
        overlap_sentences: int = OVERLAP_SENTENCES,
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
        """Sentence units of all pages, with section numbers, heading paths and roles, counted and cut to fit."""
        lang = doc.meta.get("lang") or "en"
        markup = bool(doc.meta.get("heading_markup"))
        outline = sorted(doc.meta.get("outline") or [], key=lambda entry: entry[0])
        has_headings = markup and any(HEADING_LINE.match(line) for page in pages for line in page.split("\n"))
        cover = is_cover(doc, pages)
        units: list[Unit] = []
        section, stack = 0, []  # stack: (level, heading) of the open sections, outermost first
        demoted = styled_text(pages) if has_headings else set()
        block, follows_lead_in = 0, False
        for page_index, page in enumerate(pages):
            if not has_headings:
                stack = outline_stack(outline, page_index + 1, stack)
            offset = 0
            for line_index, line in enumerate(page.split("\n")):
                found = HEADING_LINE.match(line) if markup else None
                if found and (page_index, line_index) not in demoted:
                    section, stack = section + 1, open_sections(stack, len(found.group(1)), found.group(2))
                    follows_lead_in = False
                else:
                    skip = found.start(2) if found else 0  # a demoted heading is text without its '#' marks
                    path = tuple(heading for _, heading in stack)
                    role = section_role(path) or line_role(line[skip:])
                    role = role or ("front_matter" if cover and page_index == 0 else "body")
                    if line.strip() and not (follows_lead_in and (role == "list" or item_like(line))):
                        block += 1
                    for s, e in sentence_spans(line[skip:], lang):
                        s, e = s + skip, e + skip
                        units.append(Unit(page_index, offset + s, offset + e, section, path, role,
                                          lead_in=line[s:e].rstrip().endswith(":"), block=block))
                    if line.strip():
                        follows_lead_in = line.rstrip().endswith(":") or (follows_lead_in and item_like(line))
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
        """Greedy packing of units per section and role group. A passage ends before a paragraph (or a lead-in and
        its list) that does not fit whole once it is `FILL` full; a paragraph longer than that is cut between
        sentences, the new passage starting with the previous one's last sentences (a lead-in ending with ':'
        moves on with its list instead)."""
        passages: list[Passage] = []
        current = Passage()
        block_tokens: dict[int, int] = {}
        for unit in units:
            block_tokens[unit.block] = block_tokens.get(unit.block, 0) + unit.tokens
        for unit in units:
            last = current.units[-1] if current.units else None
            if last is not None and unit.block != last.block and current.tokens >= FILL * self.max_tokens and (
                current.tokens + block_tokens[unit.block] > self.max_tokens
            ):  # the next paragraph does not fit whole: begin a passage with it rather than cut it
                passages.append(current)
                current = Passage()
                last = None
            if last is not None and (
                unit.section != last.section or unit.group != last.group
                or current.tokens + unit.tokens > self.max_tokens
            ):
                same_section = unit.section == last.section and unit.group == last.group
                if same_section and last.lead_in and len(current.units) > 1:
                    current.units.pop()
                    passages.append(current)
                    current = Passage([last])
                else:
                    passages.append(current)
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
            pieces.append(Unit(unit.page, start, end, unit.section, unit.path, unit.role, tokens=count, block=unit.block))
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
    """True when the two passages together (shared sentences once) fit the window and hold one role group."""
    return first.units[-1].group == second.units[0].group and _union(first, second).tokens <= max_tokens


def _union(first: Passage, second: Passage) -> Passage:
    """The units of both passages in order, shared (overlap) units once."""
    seen = {id(u) for u in first.units}
    return Passage(first.units + [u for u in second.units if id(u) not in seen])


def _to_documents(doc: Document, pages: list[str], passages: list[Passage]) -> list[Document]:
    """Haystack Documents with content, content-derived ids and the passage metadata; duplicates dropped.

    `countries` and `regions` start as the document's: `ingest.attribution` narrows them to the passage's own.
    """
    paginated = doc.meta.get("source_format") in PAGINATED_FORMATS
    ocr_pages = {int(page): float(confidence) for page, confidence in (doc.meta.get("ocr_pages") or {}).items()}
    seen: set[str] = set()
    out: list[Document] = []
    for passage in passages:
        content = _content(pages, passage.units)
        passage_id = passage_id_for(str(doc.meta.get("doc_id")), content)
        if not content.strip() or passage_id in seen:
            continue
        seen.add(passage_id)
        first, last = passage.units[0], passage.units[-1]
        read = sorted(page for page in ocr_pages if first.page + 1 <= page <= last.page + 1)
        meta = PassageMeta(
            doc_id=str(doc.meta.get("doc_id")),
            seq=len(out),
            title=str(doc.meta.get("title") or ""),
            path=str(doc.meta.get("path") or ""),
            page_start=first.page + 1 if paginated else None,
            page_end=last.page + 1 if paginated else None,
            char_start=first.start,
            char_end=last.end,
            section=_main_path(passage),
            role=_main_role(passage),
            lang=str(doc.meta.get("lang") or "en"),
            countries=tuple(doc.meta.get("countries") or ()),
            regions=tuple(doc.meta.get("regions") or ()),
            doc_countries=tuple(doc.meta.get("countries") or ()),
            doc_type=str(doc.meta.get("doc_type") or "other"),
            year=doc.meta.get("year"),
            topics=tuple(doc.meta.get("topics") or ()),
            ocr_pages=tuple(read),
            ocr_confidence=min(ocr_pages[page] for page in read) if read else None,
        )
        out.append(Document(id=passage_id, content=content, meta=meta.to_meta()))
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


def _main_path(passage: Passage) -> tuple[str, ...]:
    """The heading path of the section holding most of the passage's word-pieces."""
    weights: dict[tuple[str, ...], int] = {}
    for unit in passage.units:
        weights[unit.path] = weights.get(unit.path, 0) + unit.tokens
    return max(weights, key=lambda path: weights[path])


def _main_role(passage: Passage) -> str:
    """The role of most of the passage's word-pieces: list or table when those hold the majority, else body
    (captions sit inside running text); references, contents and front matter have passages of their own."""
    weights: dict[str, int] = {}
    for unit in passage.units:
        weights[unit.role] = weights.get(unit.role, 0) + unit.tokens
    role = max(weights, key=lambda r: weights[r])
    if role not in EVIDENCE_ROLES and role != "caption":
        return role
    total = sum(weights.values()) or 1
    for kind in ("list", "table"):
        if weights.get(kind, 0) * 2 > total:
            return kind
    return "body"


def normalise_for_id(text: str) -> str:
    """NFC text with runs of whitespace as single spaces, as passage ids are computed on."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def passage_id_for(doc_id: str, content: str) -> str:
    """sha256(doc_id + NUL + normalised text): equal passages of one document share one id."""
    return hashlib.sha256(f"{doc_id}\x00{normalise_for_id(content)}".encode()).hexdigest()
