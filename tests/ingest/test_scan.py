"""Finding the files to ingest: `.kbignore` is gitignore (pathspec), supported types only."""

from pathlib import Path

from ingest.scan import scan


def _names(root: Path) -> set[str]:
    return {f.path.relative_to(root).as_posix() for f in scan([root])}


def test_kbignore_reads_gitignore_patterns(tmp_path):
    for rel in ("a.txt", "drafts/b.txt", "deep/x/drafts/c.txt", "deep/keep.md", "deep/skip.md", "img/scan.png"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("text")
    (tmp_path / ".kbignore").write_text("# comments are ignored\n**/drafts/\ndeep/*.md\n!deep/keep.md\n/img\n")
    assert _names(tmp_path) == {"a.txt", "deep/keep.md"}


def test_a_kbignore_below_applies_to_its_own_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    for rel in ("top.txt", "sub/top.txt", "sub/other.txt"):
        (tmp_path / rel).write_text("text")
    (tmp_path / "sub" / ".kbignore").write_text("/top.txt\n")
    assert _names(tmp_path) == {"top.txt", "sub/other.txt"}


def test_unsupported_types_and_hidden_files_are_not_found(tmp_path):
    for name in ("a.pdf", "b.xlsx", ".hidden.txt", "c.markdown"):
        (tmp_path / name).write_text("x")
    assert _names(tmp_path) == {"a.pdf", "c.markdown"}
