"""Generated bad and awkward inputs (nothing binary is committed): PDFs written by hand or with reportlab."""

import base64
import io
import os
import random
import zlib
from pathlib import Path

WORDS = [
    "social",
    "protection",
    "pension",
    "benefit",
    "coverage",
    "health",
    "insurance",
    "contribution",
    "employer",
    "worker",
    "family",
    "child",
    "maternity",
    "unemployment",
    "disability",
    "survivors",
    "financing",
    "scheme",
    "reform",
    "informal",
    "economy",
    "transfer",
    "poverty",
]

PARAGRAPH = (
    "Social pensions pay a flat benefit to older people who never contributed. They are financed from "
    "general taxation and reduce poverty in old age. Coverage grew quickly once the benefit became "
    "universal.\n\n"
)


def sentences(seed: int, count: int, words: int = 12) -> list[str]:
    """Distinct pseudo-random sentences (so no line repeats across pages and looks like a running header)."""
    rng = random.Random(seed)
    return [
        f"Item {seed}/{i}: {' '.join(rng.choice(WORDS) for _ in range(words))} here." for i in range(count)
    ]


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _assemble(objects: list[bytes]) -> bytes:
    """A PDF file from numbered objects (1..n; object 1 is the catalogue), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    data = zlib.compress(content)
    return b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_pdf(pages: list[list[str]]) -> bytes:
    """A text PDF with one list of lines per page, written directly (fast even for thousands of pages)."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count)).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, lines in enumerate(pages):
        body = (
            "BT /F1 10 Tf 14 TL 60 780 Td " + " ".join(f"({_pdf_escape(line)}) '" for line in lines) + " ET"
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(_stream(body.encode("latin-1")))
    return _assemble(objects)


def image_only_pdf(pages: int = 2) -> bytes:
    """A scanned-looking PDF: each page is one grey image and has no text layer."""
    count = pages
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(count)).encode()
    pixels = bytes((x * 7 + y * 3) % 256 for y in range(64) for x in range(64))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
        b"",  # placeholder, replaced below (keeps numbering simple)
        _stream(
            pixels,
            b"/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 ",
        ),
    ]
    objects[2] = b"<< >>"
    for i in range(count):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents %d 0 R >>" % (6 + 2 * i)
        )
        objects.append(_stream(b"q 400 0 0 400 100 300 cm /Im1 Do Q"))
    return _assemble(objects)


def encrypted_pdf(password: str = "secret") -> bytes:
    """A text PDF that needs a password to open (reportlab's standard encryption)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=password)
    y = 780
    for line in sentences(1, 20):
        pdf.drawString(60, y, line)
        y -= 14
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def good_pdf() -> bytes:
    """A normal three-page text PDF."""
    return text_pdf([sentences(page, 25) for page in range(3)])


def html_with_noise(data_uri_bytes: int) -> bytes:
    """An HTML page whose main text is short, with scripts, styles and a huge base64 data: URI image."""
    payload = base64.b64encode(os.urandom(data_uri_bytes * 3 // 4)).decode()
    script = "var secretTracker = 'SCRIPTMARKER'; " * 2000
    style = "body { color: red; } .STYLEMARKER { margin: 0 } " * 2000
    text = "".join(f"<p>{s}</p>\n" for s in sentences(7, 30))
    return (
        "<!DOCTYPE html><html lang='en'><head><title>Pension reform in Kenya</title>"
        f"<style>{style}</style><script>{script}</script></head><body>"
        f"<nav><a href='/'>Home</a></nav><main><article><h1>Pension reform in Kenya</h1>"
        f"<p>Kenya introduced a universal social pension for people aged 70 and over.</p>{text}"
        f"<img alt='chart' src='data:image/png;base64,{payload}'></article></main>"
        f"<script>{script}</script></body></html>"
    ).encode()


def write_big_text(path: Path, megabytes: int) -> None:
    """A large plain-text file written in blocks (the test process never holds it whole)."""
    block = "".join(f"{s}\n" for s in sentences(3, 2000)).encode()
    with open(path, "wb") as fh:
        written = 0
        while written < megabytes * 1024 * 1024:
            fh.write(block)
            written += len(block)
        fh.truncate(megabytes * 1024 * 1024)


def docx_bomb(path: Path, inflated_mb: int = 200) -> None:
    """A DOCX whose word/document.xml inflates to `inflated_mb` MB from well under 1 MB (written in a stream)."""
    import zipfile

    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("A real first paragraph about social pensions.")
    document.save(buffer)
    paragraph = b"<w:p><w:r><w:t>" + b"a" * 1000 + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(
        path, "w", zipfile.ZIP_DEFLATED, compresslevel=9
    ) as bomb:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, source.read(item))
                continue
            head, tail = source.read(item).split(b"<w:body>")
            with bomb.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(head + b"<w:body>")
                for _ in range(inflated_mb * 1024 * 1024 // len(paragraph)):
                    part.write(paragraph)
                part.write(tail)


def docx_with_entity(path: Path) -> None:
    """A DOCX whose document.xml declares an external entity and uses it mid-paragraph."""
    import zipfile

    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Before the entity ENTITYHERE and text after the entity about pensions.")
    document.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(path, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                declaration = b'<!DOCTYPE w:document [<!ENTITY ext SYSTEM "file:///etc/hostname">]>'
                data = data.replace(b"?>", b"?>" + declaration, 1).replace(b"ENTITYHERE", b"&ext;")
            out.writestr(item, data)


def billion_laughs(depth: int = 9) -> str:
    """A YAML flow sequence of a few hundred bytes whose aliases, nested `depth` deep, expand to 10**depth
    strings (as a catalogue title or a front matter value)."""
    items = ['&a0 "lol"'] + [f"&a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, depth + 1)]
    return "[" + ", ".join(items) + "]"
