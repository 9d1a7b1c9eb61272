"""Which command opens a source at its page."""

import stat

import pytest

from tui.viewer import NoViewer, command


def on_path(folder, *names):
    for name in names:
        script = folder / name
        script.write_text("#!/bin/sh\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def pdf(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_VIEWER", raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    return path, bin_dir


def test_a_pdf_viewer_that_takes_a_page_is_preferred_to_the_desktop_opener(pdf):
    path, bin_dir = pdf
    on_path(bin_dir, "xdg-open", "okular")
    assert command(str(path), 7) == ["okular", "-p", "7", str(path)]
    on_path(bin_dir, "evince")
    assert command(str(path), 7) == ["evince", "-i", "7", str(path)]


def test_the_desktop_opener_opens_other_files_and_pdfs_without_a_page_viewer(pdf, tmp_path):
    path, bin_dir = pdf
    on_path(bin_dir, "xdg-open")
    assert command(str(path), 7) == ["xdg-open", str(path)]
    note = tmp_path / "note.md"
    note.write_text("x")
    assert command(str(note), None) == ["xdg-open", str(note)]


def test_a_file_gone_from_disk_opens_at_its_url_else_says_why(pdf, tmp_path):
    _path, bin_dir = pdf
    on_path(bin_dir, "xdg-open", "evince")
    gone = str(tmp_path / "moved.pdf")
    assert command(gone, 3, "https://example.org/r.pdf") == ["xdg-open", "https://example.org/r.pdf"]
    with pytest.raises(NoViewer, match="no longer on this machine and has no URL"):
        command(gone, 3)


def test_kb_viewer_is_a_template_and_nothing_installed_is_an_error(pdf, monkeypatch):
    path, _bin_dir = pdf
    with pytest.raises(NoViewer, match="no viewer is installed here"):
        command(str(path), 2)
    monkeypatch.setenv("KB_VIEWER", "my-viewer --goto {page}")
    assert command(str(path), 2) == ["my-viewer", "--goto", "2", str(path)]
    monkeypatch.setenv("KB_VIEWER", "'my viewer' {path}#page={page}")
    assert command(str(path), None) == ["my viewer", f"{path}#page=1"]
