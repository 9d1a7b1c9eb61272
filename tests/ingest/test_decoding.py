import codecs

import pytest

from ingest.decoding import decode_text
from kb.core.errors import DocumentReadError

TEXT = "Protección social: año, niños — «été» €"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.encode("utf-16-le"),  # without BOM: found by its NUL pattern
        TEXT.encode("cp1252"),
    ],
)
def test_decodes_common_encodings(data):
    assert decode_text(data, "f.txt") == TEXT


def test_latin1_when_cp1252_cannot_decode():
    text = "La protección social en el año 2023 cubre a los niños y las niñas. " * 5 + "\x81"
    assert decode_text(text.encode("latin-1"), "f.txt") == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (bytes(range(256)) * 8, "binary data, not text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary data, not text"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8\x41", "undecodable text (invalid UTF-16 data)"),
    ],
)
def test_refuses_with_reason(data, reason):
    with pytest.raises(DocumentReadError) as info:
        decode_text(data, "f.txt")
    assert info.value.reason == reason
    assert info.value.path == "f.txt"
