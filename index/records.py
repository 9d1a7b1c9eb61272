"""SQL operations on source documents and the files that produced them."""

import json
import sqlite3

from kb.core.models import FileRecord, SourceDocument


class RecordTables:
    """The `documents` and `files` tables."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def put_document(self, doc: SourceDocument) -> None:
        """Insert or replace a source document."""
        self.con.execute(
            "INSERT OR REPLACE INTO documents (doc_id, data) VALUES (?, ?)",
            (doc.doc_id, json.dumps(doc.to_dict(), ensure_ascii=False)),
        )

    def delete_document(self, doc_id: str) -> None:
        """Remove a source document row."""
        self.con.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def document(self, doc_id: str) -> SourceDocument | None:
        """One source document."""
        row = self.con.execute("SELECT data FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return SourceDocument.from_dict(json.loads(row[0])) if row else None

    def documents(self) -> list[SourceDocument]:
        """Every source document, by title."""
        rows = self.con.execute("SELECT data FROM documents").fetchall()
        docs = [SourceDocument.from_dict(json.loads(r[0])) for r in rows]
        return sorted(docs, key=lambda d: (d.title.lower(), d.path))

    def put_file(self, rec: FileRecord) -> None:
        """Insert or replace a file's bookkeeping row."""
        self.con.execute(
            "INSERT OR REPLACE INTO files (path, sha256, mtime, size, status, error, doc_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rec.path, rec.sha256, rec.mtime, rec.size, rec.status, rec.error, rec.doc_id),
        )

    def files(self) -> dict[str, FileRecord]:
        """Every file row by path."""
        rows = self.con.execute("SELECT path, sha256, mtime, size, status, error, doc_id FROM files")
        return {r[0]: FileRecord(*r) for r in rows}

    def delete_files(self, paths: list[str]) -> None:
        """Forget files."""
        self.con.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])

    def paths_of(self, doc_id: str) -> list[str]:
        """Indexed paths whose content is `doc_id`."""
        rows = self.con.execute("SELECT path FROM files WHERE doc_id = ? AND status != 'failed' ORDER BY path", (doc_id,))
        return [r[0] for r in rows]
