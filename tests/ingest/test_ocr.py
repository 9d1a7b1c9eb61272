"""OCR of scans the tests make from the bundled corpus: accuracy in en/fr/es, turned pages, reading order,
the garbage-layer rule, the page cache and the engine setting."""

import re
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from ingest.ocr import OcrCache, OcrLine, OcrPage, PageReader, page_reader, read_page, reading_order
from ingest.scanned import is_garbage
from kb.core.errors import OcrUnavailableError
from tests.ingest.scans import PAGES, page_text, scanned_page

pytest.importorskip("rapidocr")
Levenshtein = pytest.importorskip("rapidfuzz.distance").Levenshtein

ACCENTED = set("áéíóúñàâçèêëîïôûùüœÁÉÍÓÚÑÀÂÇÈÊÎÔÛ")


def _comparable(text: str) -> str:
    """Text as OCR is judged on it: without the page-number line (a running footer the page cleaner removes)
    and bullets (list markers, which OCR drops), hyphenated line ends joined, whitespace collapsed."""
    text = re.sub(r"(?m)^\s*Page \d+\s*$", "", text).replace("•", " ")
    return " ".join(text.replace("-\n", "").split())


def _scores(reference: str, read: str) -> tuple[float, float]:
    """Character error rate, and the share of the reference's words with an accent that were read right."""
    reference, read = _comparable(reference), _comparable(read)
    accented = [word for word in re.findall(r"\w+", reference) if ACCENTED & set(word)]
    found = Counter(re.findall(r"\w+", read))
    right = 0
    for word in accented:
        if found[word] > 0:
            found[word] -= 1
            right += 1
    accents = right / len(accented) if accented else 1.0
    return Levenshtein.distance(reference, read) / len(reference), accents


@pytest.fixture(scope="module")
def reader(ocr_cache) -> PageReader:
    """RapidOCR with the session's cache (the same scans are read once)."""
    found = page_reader("rapidocr", ocr_cache)
    assert found is not None
    return found


@pytest.mark.parametrize("lang", sorted(PAGES))
def test_a_scanned_page_reads_back_with_under_one_percent_errors_and_its_accented_words(reader, lang) -> None:
    pdf, index = PAGES[lang]
    read = reader.read(scanned_page(pdf, index))
    error_rate, accents = _scores(page_text(pdf, index), read.text)
    assert error_rate <= 0.01, (lang, error_rate, read.text[:400])
    assert accents >= 0.99, (lang, accents)
    assert read.confidence > 0.9 and read.engine == "rapidocr"


@pytest.mark.parametrize("angle", [180, 90])
def test_an_upside_down_or_sideways_scan_is_read_the_right_way_up(reader, angle) -> None:
    pdf, index = PAGES["es"]
    turned = scanned_page(pdf, index, seed=angle).rotate(angle, expand=True, fillcolor=255)
    error_rate, _ = _scores(page_text(pdf, index), read_page(reader.make_engine(), turned).text)
    assert error_rate <= 0.01


def _line(text: str, left: float, top: float, right: float) -> OcrLine:
    return OcrLine(text, 0.99, (left, top, right, top + 20))


def test_two_columns_are_read_one_after_the_other_under_a_title_across_both() -> None:
    title = _line("A title across the page", 100, 50, 1500)
    left = [_line(f"left {i}", 100, 120 + 30 * i, 760) for i in range(6)]
    right = [_line(f"right {i}", 840, 120 + 30 * i, 1500) for i in range(6)]
    text = reading_order([*right, title, *left], 1600)
    words = text.split()
    assert text.startswith("A title across the page")
    assert words.index("left") < words.index("right")
    assert text.index("left 5") < text.index("right 0")


def test_boxes_of_one_line_are_joined_left_to_right() -> None:
    text = reading_order([_line("second", 600, 100, 900), _line("first", 100, 104, 500),
                          _line("next line", 100, 140, 500)], 1000)
    assert text.splitlines() == ["first second", "next line"]


def test_garbage_text_layers_are_told_from_prose_and_tables() -> None:
    prose = "Le Sénégal a lancé en 2013 un programme de couverture maladie universelle pour toute la population."
    table = "2019 2020 2021 12,5% 13,1% 14,0% 1.234 2.345 3.456 (4) (5) (6) 0,5 0,7 0,9 100 200 300 -4,2 5,1"
    soup = "Xq7 #@! Jkzt Ww%% Qr5t Zxcv Bnm, Pqrs !!! ~~~ Ccvb Dfgh Jklz Wxtz Zzq9 Rrtt Hjkk Vvbn Lkjh Mnbv"
    broken = "\ufffd" * 10 + " " + "Le programme couvre les ménages les plus pauvres " * 2
    assert not is_garbage(prose) and not is_garbage(table)
    assert is_garbage(soup) and is_garbage(broken)
    assert not is_garbage("3")  # a page number alone is not judged


class _CountingEngine:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def lines(self, image: Image.Image) -> list[OcrLine]:
        self.calls += 1
        return [OcrLine("Cash transfers reached older people in every county.", 0.97, (10, 10, 600, 40))]


def test_a_page_is_read_once_and_then_comes_from_the_cache(tmp_path: Path) -> None:
    engine = _CountingEngine()
    image = Image.new("L", (640, 80), 255)
    first = PageReader(engine.name, lambda: engine, OcrCache(tmp_path))
    assert first.read(image).text.startswith("Cash transfers")
    again = PageReader(engine.name, lambda: engine, OcrCache(tmp_path))  # another run, same cache folder
    assert again.read(image) == first.read(image)
    assert engine.calls == 1 and again.pages_cached == 1 and again._engine is None
    assert not list(tmp_path.glob(".tmp-*"))  # each result written whole, no partial files left


def test_the_engine_is_loaded_only_for_a_page_that_needs_it(tmp_path: Path) -> None:
    made: list[int] = []
    engine = _CountingEngine()
    OcrCache(tmp_path).put(OcrCache(tmp_path).key(Image.new("L", (8, 8), 255), "counting"),
                           OcrPage("cached", 0.9, "counting"))
    reader = PageReader("counting", lambda: made.append(1) or engine, OcrCache(tmp_path))
    assert reader.read(Image.new("L", (8, 8), 255)).text == "cached" and not made


def test_the_ocr_setting_is_checked() -> None:
    assert page_reader("off") is None
    with pytest.raises(OcrUnavailableError, match="KB_OCR must be one of"):
        page_reader("magic")
