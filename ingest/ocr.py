"""OCR of page images, offline: RapidOCR (PP-OCR models inside its wheel, run by onnxruntime) by default,
Tesseract when it is installed and asked for (or, with `auto`, when it is on the PATH: it is faster here).

An engine turns one image into text lines with a confidence; `read_page` puts the lines in reading order
(rows by vertical overlap, two columns when a gutter splits the page), corrects quarter turns and upside-down
scans, and `OcrCache` keeps every page's result by the hash of its pixels, so a page is never read twice.
Measured choices are in ingest/NOTES.md ("OCR").
"""

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

from ingest.scanned import OCR_DPI
from kb.core.errors import OcrUnavailableError

SETTINGS = ("auto", "rapidocr", "tesseract", "off")
TESSERACT_LANGS = "eng+fra+spa"
# A page read with less confidence than this (or whose lines stand upright) is tried turned too.
_RETRY_CONFIDENCE = 0.85
_MIN_CONFIDENCE = 0.5  # lines read with less are noise, not text (RapidOCR's own default cut)
# A gutter is a vertical band free of text between two columns that each hold this share of the lines.
_COLUMN_SHARE = 0.25
# Rows further apart than this many times the usual line distance start a new paragraph (measured between row
# middles: the boxes of slightly turned lines overlap, so their edges say nothing).
_PARAGRAPH_GAP = 1.4
# A detected line box is this many times its font size high (10-pt body text of corpus/ PDFs at 200 dpi gives
# 39.5-pixel boxes): sizes divided by it compare with a text layer's font sizes in a PDF mixing both.
_BOX_PER_POINT = 1.42
_DESCENDERS = frozenset("gjpqyQ,;()[]{}")
_NO_DESCENDER_SHARE = 0.88


@dataclass(frozen=True)
class OcrLine:
    """One line of text found on an image: its box (left, top, right, bottom; pixels), its confidence, and the
    height of its letters (pixels, measured across the line, so a slightly turned line is not taller)."""

    text: str
    confidence: float
    box: tuple[float, float, float, float]
    height: float = 0.0


@dataclass(frozen=True)
class OcrPage:
    """What OCR read on one page: its lines in reading order (blank lines at paragraph gaps), the size of each
    line's letters in points (0 for blank lines; headings are found from them as from a PDF's fonts), and the
    mean confidence of its characters."""

    text: str
    confidence: float
    engine: str
    sizes: tuple[float, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": self.confidence, "engine": self.engine, "sizes": list(self.sizes)}

    def lines(self) -> list[tuple[str, float]]:
        """(text, size) per line; sizes are 0 where the engine gave none."""
        rows = self.text.split("\n")
        sizes = list(self.sizes) if len(self.sizes) == len(rows) else [0.0] * len(rows)
        return list(zip(rows, sizes, strict=True))


class OcrEngine(Protocol):
    name: str

    def lines(self, image: Image.Image) -> list[OcrLine]: ...


class RapidOcrEngine:
    """RapidOCR 3 with its bundled PP-OCRv6 small detection and recognition models (accents included)."""

    name = "rapidocr"

    def __init__(self, threads: int | None = None) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError as error:
            raise OcrUnavailableError("rapidocr is not installed (pip install rapidocr)") from error
        threads = threads or min(2, os.cpu_count() or 1)
        self._engine = RapidOCR(params={
            "Global.log_level": "error",
            "Global.use_cls": False,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
        self._lock = threading.Lock()  # one onnxruntime session set, shared by the converter's calls

    def lines(self, image: Image.Image) -> list[OcrLine]:
        with self._lock:
            out = self._engine(np.asarray(image.convert("RGB")))
        if out.boxes is None or out.txts is None:
            return []
        found = []
        for box, text, score in zip(out.boxes, out.txts, out.scores, strict=True):
            points = np.asarray(box, dtype=np.float32)  # corners: top-left, top-right, bottom-right, bottom-left
            left, top = points.min(axis=0).tolist()
            right, bottom = points.max(axis=0).tolist()
            height = float(np.linalg.norm(points[3] - points[0]) + np.linalg.norm(points[2] - points[1])) / 2
            found.append(OcrLine(str(text), float(score), (left, top, right, bottom), height))
        return found


class TesseractEngine:
    """The `tesseract` program (5.x) with English, French and Spanish data, one thread (faster on 2 busy
    cores than its default threads: 2.0-2.7 s a page against 10-15 s, ingest/NOTES.md)."""

    name = "tesseract"

    def __init__(self) -> None:
        self._program = shutil.which("tesseract")
        if self._program is None:
            raise OcrUnavailableError("tesseract is not installed")

    def lines(self, image: Image.Image) -> list[OcrLine]:
        with tempfile.TemporaryDirectory(prefix="kb-ocr-") as folder:
            page = Path(folder) / "page.png"
            image.convert("L").save(page)
            env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
            done = subprocess.run(
                [self._program, str(page), "stdout", "-l", TESSERACT_LANGS, "--psm", "3", "tsv"],
                capture_output=True, text=True, env=env, timeout=300, check=False,
            )
        if done.returncode != 0:
            raise OcrUnavailableError(f"tesseract failed: {done.stderr.strip()[:200]}")
        return _tesseract_lines(done.stdout)


def _tesseract_lines(tsv: str) -> list[OcrLine]:
    """Tesseract's word rows grouped into its own lines (block, paragraph, line numbers)."""
    grouped: dict[tuple[str, str, str], list[list[str]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) == 12 and cells[0] == "5" and cells[11].strip():
            grouped.setdefault((cells[2], cells[3], cells[4]), []).append(cells)
    found = []
    for words in grouped.values():
        left = min(int(w[6]) for w in words)
        top = min(int(w[7]) for w in words)
        right = max(int(w[6]) + int(w[8]) for w in words)
        bottom = max(int(w[7]) + int(w[9]) for w in words)
        confidence = sum(float(w[10]) for w in words) / len(words) / 100
        found.append(OcrLine(" ".join(w[11] for w in words), confidence, (left, top, right, bottom),
                             float(bottom - top)))
    return found


def page_reader(setting: str = "auto", cache_dir: Path | None = None) -> "PageReader | None":
    """The reader for a `KB_OCR` setting, its engine loaded at the first scanned page; None for `off`, or for
    `auto` when no engine is installed. `auto` prefers Tesseract when installed with French and Spanish data."""
    setting = setting.strip().lower()
    if setting not in SETTINGS:
        raise OcrUnavailableError(f"KB_OCR must be one of {', '.join(SETTINGS)} (got {setting!r})")
    cache = OcrCache(cache_dir)
    if setting == "off":
        return None
    if setting == "tesseract" or (setting == "auto" and _tesseract_has_languages()):
        engine = TesseractEngine()
        return PageReader(engine.name, lambda: engine, cache)
    if importlib.util.find_spec("rapidocr") is None:
        if setting == "rapidocr":
            raise OcrUnavailableError("KB_OCR=rapidocr but rapidocr is not installed (pip install rapidocr)")
        return None
    return PageReader(RapidOcrEngine.name, RapidOcrEngine, cache)


def _tesseract_has_languages() -> bool:
    program = shutil.which("tesseract")
    if program is None:
        return False
    try:
        listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=20,
                                check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return all(lang in listed.split() for lang in TESSERACT_LANGS.split("+"))


def read_page(engine: OcrEngine, image: Image.Image) -> OcrPage:
    """The page's text in reading order; quarter-turned or upside-down scans are read the right way up (the
    other turns are tried only when the page reads poorly or its lines stand upright, and the first turn that
    reads well is kept)."""
    best, flat = _reading(engine, image)
    if _good(best, flat):
        return best
    for angle in (180, 90, 270):
        turned, flat = _reading(engine, image.rotate(angle, expand=True, fillcolor=255))
        if _good(turned, flat):
            return turned
        if flat and _weight(turned) > _weight(best):
            best = turned
    return best


def _reading(engine: OcrEngine, image: Image.Image) -> tuple[OcrPage, bool]:
    """One reading of the image, and whether its lines lie flat (a page on its side has upright boxes)."""
    lines = [line for line in engine.lines(image) if line.confidence >= _MIN_CONFIDENCE and line.text.strip()]
    chars = sum(len(line.text) for line in lines)
    confidence = sum(line.confidence * len(line.text) for line in lines) / chars if chars else 0.0
    words = [line for line in lines if len(line.text.strip()) >= 4]
    standing = sum(1 for line in words if line.box[3] - line.box[1] > line.box[2] - line.box[0])
    flat = not words or standing * 2 < len(words)
    rows = ordered_rows(lines, image.width)
    page = OcrPage("\n".join(text for text, _ in rows), round(confidence, 4), engine.name,
                   tuple(size for _, size in rows))
    return page, flat


def _good(page: OcrPage, flat: bool) -> bool:
    return flat and page.confidence >= _RETRY_CONFIDENCE


def _weight(page: OcrPage) -> float:
    """Confidently read characters: a page read the wrong way up yields few, and those with low confidence."""
    return page.confidence * len(page.text.replace(" ", ""))


def reading_order(lines: list[OcrLine], width: float) -> str:
    """Lines as text: two columns read one after the other when a gutter splits the page, rows of boxes that
    overlap vertically joined left to right, a blank line where the gap between rows is large."""
    return "\n".join(text for text, _ in ordered_rows(lines, width))


def ordered_rows(lines: list[OcrLine], width: float) -> list[tuple[str, float]]:
    """(text, font size in points, as if the page were OCR_DPI) per row in reading order; blank rows (size 0)
    at gaps."""
    if not lines:
        return []
    gutter = _gutter(lines, width)
    if gutter is None:
        return _rows(lines)
    spanning = [line for line in lines if line.box[0] < gutter < line.box[2]]
    left = [line for line in lines if line.box[2] <= gutter]
    right = [line for line in lines if line.box[0] >= gutter]
    columns_top = min(line.box[1] for line in left + right)
    above = [line for line in spanning if line.box[1] < columns_top]
    below = [line for line in spanning if line.box[1] >= columns_top]
    rows: list[tuple[str, float]] = []
    for part in (above, left, right, below):
        if part:
            rows += ([("", 0.0)] if rows else []) + _rows(part)
    return rows


def _gutter(lines: list[OcrLine], width: float) -> float | None:
    """The x of a vertical band in the middle half of the page that no line box crosses, with enough lines
    on each side; lines across the whole page (titles, headers) may cross it if they are few."""
    narrow = [line for line in lines if line.box[2] - line.box[0] < 0.6 * width]
    if len(narrow) < 6:
        return None
    covered = np.zeros(int(width) + 1, dtype=bool)
    for line in narrow:
        covered[int(line.box[0]) : int(line.box[2]) + 1] = True
    start, stop = int(width * 0.25), int(width * 0.75)
    free = np.flatnonzero(~covered[start:stop])
    if free.size == 0:
        return None
    x = float(start + free[free.size // 2])
    left = sum(1 for line in narrow if line.box[2] <= x)
    right = sum(1 for line in narrow if line.box[0] >= x)
    if min(left, right) < _COLUMN_SHARE * len(narrow):
        return None
    crossing = sum(1 for line in lines if line.box[0] < x < line.box[2])
    return x if crossing <= 0.15 * len(lines) else None


def _rows(lines: list[OcrLine]) -> list[tuple[str, float]]:
    """Boxes grouped into rows (a box joins the row whose vertical span holds its middle), each row's text
    left to right with the median letter height of its boxes in points."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda item: (item.box[1] + item.box[3]) / 2):
        middle = (line.box[1] + line.box[3]) / 2
        if rows and rows[-1][0].box[1] <= middle <= rows[-1][0].box[3]:
            rows[-1].append(line)
        else:
            rows.append([line])
    middles = [sum((item.box[1] + item.box[3]) / 2 for item in row) / len(row) for row in rows]
    pitches = sorted(b - a for a, b in pairwise(middles))
    pitch = pitches[len(pitches) // 2] if pitches else 0.0  # the usual distance between lines of a paragraph
    out: list[tuple[str, float]] = []
    for index, row in enumerate(rows):
        if index and middles[index] - middles[index - 1] > _PARAGRAPH_GAP * pitch:
            out.append(("", 0.0))  # a paragraph or heading break the splitter can use
        sizes = sorted(_letter_height(item) for item in row)
        size = round(sizes[len(sizes) // 2] * 72 / OCR_DPI / _BOX_PER_POINT, 1) if sizes[0] > 0 else 0.0
        out.append((" ".join(item.text.strip() for item in sorted(row, key=lambda item: item.box[0])), size))
    return out


def _letter_height(line: OcrLine) -> float:
    """The line's box height as if it held letters that reach below the line: a box around "Benefit" is
    lower than one around "Eligibility" in the same font (measured: 0.88 times)."""
    return line.height if _DESCENDERS & set(line.text) else line.height / _NO_DESCENDER_SHARE


class OcrCache:
    """OCR results by the hash of a page's pixels and the engine, one small JSON file each, written whole
    (a temporary file renamed into place), so a killed run keeps every page it finished."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder else None

    def key(self, image: Image.Image, engine: str) -> str:
        digest = hashlib.sha256(f"{engine}|{image.mode}|{image.width}x{image.height}|".encode())
        digest.update(image.tobytes())
        return digest.hexdigest()

    def get(self, key: str) -> OcrPage | None:
        if self.folder is None:
            return None
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            sizes = tuple(float(size) for size in data.get("sizes") or ())
            return OcrPage(str(data["text"]), float(data["confidence"]), str(data["engine"]), sizes)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, page: OcrPage) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(page.to_json(), out, ensure_ascii=False)
            os.replace(temporary, self.folder / f"{key}.json")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class PageReader:
    """What converters call: a page image in, its OCR text out, read once per distinct page (the cache).

    The engine is made at the first page that is not in the cache (loading RapidOCR takes a second or two,
    which a folder without scans never pays); `pages_read` and `pages_cached` count for the report, and
    `on_page(name, page, pages, seconds_per_page)` is told of every page read (ingestion's progress).
    """

    def __init__(self, name: str, make_engine: Callable[[], OcrEngine], cache: OcrCache | None = None,
                 on_page: Callable[[str, int, int, float], None] | None = None) -> None:
        self.name = name
        self.make_engine = make_engine
        self.cache = cache or OcrCache(None)
        self.on_page = on_page or (lambda _name, _page, _pages, _seconds: None)
        self.pages_read = 0
        self.pages_cached = 0
        self.seconds = 0.0
        self._engine: OcrEngine | None = None

    def read(self, image: Image.Image, name: str = "", page: int = 1, pages: int = 1) -> OcrPage:
        """Page `page` of `pages` of the document `name` (for progress), read or taken from the cache."""
        key = self.cache.key(image, self.name)
        cached = self.cache.get(key)
        if cached is not None:
            self.pages_cached += 1
            return cached
        started = time.perf_counter()
        if self._engine is None:
            self._engine = self.make_engine()
        read = read_page(self._engine, image)
        self.cache.put(key, read)
        self.pages_read += 1
        self.seconds += time.perf_counter() - started
        self.on_page(name, page, pages, self.seconds / self.pages_read)
        return read
