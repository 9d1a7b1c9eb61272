"""The knowledge-base side of the local store: documents, their files, passages in reading order."""

from typing import Any

from haystack import Document
from haystack.document_stores.types import DuplicatePolicy

from index.passages import PassageTable
from index.records import RecordTables
from kb.core.models import FileRecord, SourceDocument


class DocumentRecords:
    """Mixed into LocalStore: needs its transactions, `passages`, `records` and `_apply`."""

    passages: PassageTable
    records: RecordTables

    def commit(
        self,
        *,
        passages: list[Document] = (),  # type: ignore[assignment]
        documents: list[SourceDocument] = (),  # type: ignore[assignment]
        files: list[FileRecord] = (),  # type: ignore[assignment]
        replace_doc_ids: list[str] = (),  # type: ignore[assignment]
    ) -> None:
        """Atomically replace documents' passages and record documents and files: all of it lands or none."""
        with self._transaction():
            deleted = [v for d in replace_doc_ids for v in self._doc_vids(d)]
            self.passages.delete(deleted)
            for doc_id in replace_doc_ids:
                self.records.delete_document(doc_id)
            _written, inserted, more_deleted = self._write(list(passages), DuplicatePolicy.SKIP)
            for doc in documents:
                self.records.put_document(doc)
            for rec in files:
                self.records.put_file(rec)
        self._apply(inserted, deleted + more_deleted)

    def _doc_vids(self, doc_id: str) -> list[int]:
        return [r[0] for r in self._con.execute("SELECT vid FROM passages WHERE doc_id = ?", (doc_id,))]

    def forget_files(self, paths: list[str]) -> int:
        """Remove file records; documents left without any file are deleted. Returns documents removed."""
        with self._transaction():
            files = self.records.files()
            touched = {files[p].doc_id for p in paths if p in files and files[p].doc_id}
            self.records.delete_files(paths)
            deleted: list[int] = []
            removed = 0
            for doc_id in touched:
                remaining = self.records.paths_of(doc_id)
                if remaining:
                    self._repoint(doc_id, remaining[0])
                    continue
                deleted += self._doc_vids(doc_id)
                self.records.delete_document(doc_id)
                removed += 1
            self.passages.delete(deleted)
        self._apply([], deleted)
        return removed

    def _repoint(self, doc_id: str, path: str) -> None:
        """The document's primary file is gone but a copy remains: cite the copy."""
        doc = self.records.document(doc_id)
        if doc is None or doc.path == path:
            return
        doc.path = path
        self.records.put_document(doc)
        self.passages.update_meta(self._doc_vids(doc_id), {"path": path})

    def file_records(self) -> dict[str, FileRecord]:
        """Bookkeeping rows for every path ingestion has seen."""
        with self._read():
            return self.records.files()

    def documents(self) -> list[SourceDocument]:
        """Every indexed source document."""
        with self._read():
            return self.records.documents()

    def document(self, doc_id: str) -> SourceDocument | None:
        """One source document."""
        with self._read():
            return self.records.document(doc_id)

    def document_passages(self, doc_id: str, start: int | None = None, end: int | None = None) -> list[Document]:
        """A document's passages in reading order, optionally those with `start <= seq <= end`."""
        sql = "SELECT vid FROM passages WHERE doc_id = ?"
        params: list[Any] = [doc_id]
        if start is not None:
            sql += " AND seq >= ?"
            params.append(start)
        if end is not None:
            sql += " AND seq <= ?"
            params.append(end)
        with self._read():
            vids = [r[0] for r in self._con.execute(sql + " ORDER BY seq, vid", params)]
            return self.passages.documents(vids, embeddings=False)

    def passages_by_id(self, ids: list[str], *, embeddings: bool = False) -> list[Document]:
        """Passages by Haystack id, in the given order."""
        with self._read():
            found = self.passages.vids_by_ids(ids)
            return self.passages.documents([found[i] for i in ids if i in found], embeddings=embeddings)

    def passage_ids(self) -> list[str]:
        """Every passage id, in insertion order (for migration)."""
        with self._read():
            return [r[0] for r in self._con.execute("SELECT id FROM passages ORDER BY vid")]
