import io
from pathlib import Path

import docx
import pypdf
import pytest

from ingest.catalog import CatalogEntry
from kb.core.errors import DocumentReadError
from kb.core.models import SourceDocument

from .conftest import make_pdf

pytestmark = pytest.mark.slow

LINES = [
    f"Paragraph line {w} about pensions for older workers in Uruguay and their families."
    for w in ("one", "two", "three", "four", "five", "six")
]
SEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds"


def convert(converter, path, catalog=None):
    return converter.convert(path, doc_id="doc1", stored_path=path.name, catalog=catalog)


def test_pdf_pages_headers_and_catalogue_precedence(converter, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(
        make_pdf([LINES, LINES[::-1], LINES[:3]], header="SOCIAL SECURITY REVIEW", footer_numbers=True)
    )
    entry = CatalogEntry(
        path=path, title="Catalogued", countries=["ARG"], doc_type="report", year=2020, lang="es"
    )
    source, passages = convert(converter, path, entry)
    assert isinstance(source, SourceDocument) and source.pages == 3 and source.passages == len(passages)
    assert (source.title, source.countries, source.regions, source.year, source.lang) == (
        "Catalogued",
        ["ARG"],
        ["Americas"],
        2020,
        "es",
    )
    assert all("SOCIAL SECURITY REVIEW" not in p.content and "\f" not in p.content for p in passages)
    assert passages[0].meta["page_start"] == 1 and passages[-1].meta["page_end"] == 3
    assert passages[0].meta["doc_countries"] == ["ARG"] and passages[0].meta["countries"][0] == "ARG"


def test_detection_without_catalogue(converter, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(make_pdf([LINES, LINES]))
    source, _ = convert(converter, path)
    assert source.countries == ["URY"] and source.lang == "en" and "old_age" in source.topics


def test_docx_headings_and_properties(converter, tmp_path):
    document = docx.Document()
    document.core_properties.title = "Maternity protection"
    document.add_heading("Maternity benefits", level=1)
    document.add_paragraph(" ".join(LINES[:3]))
    document.add_heading("Financing", level=2)
    document.add_paragraph(" ".join(LINES[3:]))
    path = tmp_path / "m.docx"
    document.save(path)
    source, passages = convert(converter, path)
    assert source.title == "Maternity protection" and source.pages == 0
    assert source.author == ""  # python-docx writes "python-docx" as the author: an account, not a writer
    assert [p.meta["heading"] for p in passages] == ["Maternity benefits", "Financing"]
    assert passages[0].meta["page_start"] is None


def test_html_main_text_title_and_no_navigation(converter, tmp_path):
    body = "".join(f"<p>{line}</p>" for line in LINES)
    html = (
        f"<html lang='en'><head><title>Pensions | Site</title></head><body><nav><a>Home</a><a>Menu item</a></nav>"
        f"<main><h1>Pension reform</h1>{body}</main><footer>Accept all cookies</footer></body></html>"
    )
    path = tmp_path / "p.html"
    path.write_text(html)
    source, passages = convert(converter, path)
    assert source.title == "Pensions | Site" and source.doc_type == "promotional"
    text = " ".join(p.content for p in passages)
    assert (
        "cookies" not in text and "Menu item" not in text and passages[0].meta["heading"] == "Pension reform"
    )


def test_markdown_front_matter_is_metadata_not_text(converter, tmp_path):
    path = tmp_path / "n.md"
    path.write_text(
        "---\ntitle: Note\ncountries: [Kenya]\nyear: 2019\ndoc_type: other\ntopics: [maternity]\n---\n"
        "# Section\n\n" + "\n\n".join(LINES),
        encoding="utf-8",
    )
    source, passages = convert(converter, path)
    assert (source.title, source.countries, source.year, source.doc_type, source.topics) == (
        "Note",
        ["KEN"],
        2019,
        "other",
        ["maternity"],
    )
    assert all("title: Note" not in p.content for p in passages)
    assert passages[0].meta["heading"] == "Section"


def test_text_duplicates_latin1_and_char_spans(converter, tmp_path):
    paragraph = "La protección social es un derecho humano y una necesidad económica y social para todos los países del mundo entero."
    path = tmp_path / "t.txt"
    path.write_bytes(
        f"{paragraph}\n\n{paragraph}\n\nOtra frase distinta sobre las pensiones.".encode("latin-1")
    )
    source, passages = convert(converter, path)
    text = " ".join(p.content for p in passages)
    assert text.count(paragraph) == 1 and source.lang == "es"
    assert len({p.id for p in passages}) == len(passages)


@pytest.mark.skipif(not SEEDS.exists(), reason="shared/seeds is absent")
def test_seed_page_with_pasted_paragraphs_is_indexed_once(converter):
    path = next(SEEDS.glob("004_*.txt"))
    _, passages = convert(converter, path)
    seqs = [p.meta["seq"] for p in passages if "At its 101st Session in June 2012" in p.content]
    assert 1 <= len(seqs) <= 2 and seqs == list(
        range(seqs[0], seqs[0] + len(seqs))
    )  # once (or in an overlap)


def encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf([LINES]))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_only_pdf() -> bytes:
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawImage(ImageReader(Image.new("RGB", (60, 60), "white")), 72, 600)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.pdf", lambda: b"", "empty file"),
        ("cut.pdf", lambda: make_pdf([LINES])[:300], "corrupt or truncated PDF"),
        ("locked.pdf", encrypted_pdf, "password-protected PDF"),
        ("scan.pdf", image_only_pdf, "no extractable text (image-only PDF, needs OCR: KB_OCR is off or no OCR engine is installed)"),
        ("fake.docx", lambda: b"this is not a zip archive", "not a valid DOCX (not a zip archive)"),
        ("blob.txt", lambda: bytes(range(256)) * 16, "binary data, not text"),
        ("bad16.txt", lambda: b"\xff\xfe\x00\xd8\x41", "undecodable text (invalid UTF-16 data)"),
        (
            "nav.html",
            lambda: b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
            "no main text found in HTML",
        ),
        ("sheet.xlsx", lambda: b"PK\x03\x04", "unsupported file type (.xlsx)"),
    ],
)
def test_unreadable_files_have_specific_reasons(converter, tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data())
    with pytest.raises(DocumentReadError) as info:
        convert(converter, path)
    assert info.value.reason == reason and info.value.path == str(path)


def test_underlined_headings_of_a_text_file_become_sections(converter, tmp_path):
    path = tmp_path / "study.txt"
    body = " ".join(f"The programme pays cash transfers to poor rural households in sentence {i}." for i in range(12))
    lessons = " ".join(f"Lesson {i}: predictable transfers protect assets better than emergency aid." for i in range(12))
    path.write_text(f"A STUDY\n\nOVERVIEW\n--------\n\n{body}\n\n6. LESSONS\n----------\n\n{lessons}\n", encoding="utf-8")
    _, passages = convert(converter, path)
    sections = [p.meta["section"] for p in passages]
    assert ["OVERVIEW"] in sections and ["6. LESSONS"] in sections
    assert all("----" not in p.content and not p.content.startswith("#") for p in passages)


def test_references_come_from_the_catalogue_else_from_the_files_properties(converter, tmp_path):
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(make_pdf([LINES], title="Pensions in Uruguay", author="María Pérez"))
    source, passages = convert(converter, pdf)
    assert (source.author, source.publisher, source.url) == ("María Pérez", "", "")
    assert "author" not in passages[0].meta  # a document's record, not every passage's
    entry = CatalogEntry(path=pdf, author="Social Security Bank", publisher="BPS", url="https://example.org/r")
    catalogued, _ = convert(converter, pdf, entry)
    assert (catalogued.author, catalogued.publisher, catalogued.url) == (
        "Social Security Bank", "BPS", "https://example.org/r")

    account = tmp_path / "a.pdf"
    account.write_bytes(make_pdf([LINES], author="Sarina"))  # one given name: the account that saved it
    assert convert(converter, account)[0].author == ""

    body = "".join(f"<p>{line}</p>" for line in LINES)
    html = tmp_path / "p.html"
    html.write_text(
        "<html lang='en'><head><title>Pensions</title><meta name='author' content='Jane Roe'>"
        "<meta property='og:site_name' content='Social Protection Platform'>"
        "<link rel='canonical' href='https://example.org/pensions'></head>"
        f"<body><main><h1>Pension reform</h1>{body}</main></body></html>"
    )
    page, _ = convert(converter, html)
    assert (page.author, page.publisher, page.url) == (
        "Jane Roe", "Social Protection Platform", "https://example.org/pensions")

    note = tmp_path / "n.md"
    note.write_text("---\ntitle: Note\npublisher: Department\nurl: https://example.org/n\n---\n# Section\n\n"
                    + "\n\n".join(LINES), encoding="utf-8")
    front, _ = convert(converter, note)
    assert (front.publisher, front.url) == ("Department", "https://example.org/n")
