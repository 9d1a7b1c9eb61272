"""Multi-step writes to the records and passages collections, journalled so that a crash rolls forward.

Milvus has no transaction across collections. A kb write therefore first records its plan (documents
and files to put, documents to delete or re-point, files to forget) as one journal row, the commit
point, then applies it step by step and drops the row. Every step is idempotent, so a plan left by a
crashed writer is applied again by the next one: on open for Milvus Lite (one process at a time), and
after `JOURNAL_GRACE` seconds on a server, where the writer of a fresh entry may still be applying it.
"""

import logging
import time
import uuid
from typing import Any

from pymilvus import MilvusClient

from index.milvus import ops, rows
from index.milvus.filters import literal
from index.milvus.records import Records
from kb.core.models import FileRecord, SourceDocument

logger = logging.getLogger(__name__)

JOURNAL_GRACE = 300.0  # seconds before another writer's unfinished journal entry is taken over


class Journal:
    """Applies and recovers journalled plans for one store."""

    def __init__(self, client: MilvusClient, passages: str, records: Records, dimension: int) -> None:
        self.client = client
        self.passages = passages
        self.records = records
        self.dimension = dimension
        self.writer = uuid.uuid4().hex  # tells this store's own entries from other writers'

    def run(self, plan: dict[str, Any]) -> None:
        """Journal `plan`, apply it, drop the entry."""
        key = self.records.journal({**plan, "writer": self.writer})
        self.apply(plan)
        self.records.done(key)

    def apply(self, plan: dict[str, Any]) -> None:
        """Apply a plan; safe to repeat."""
        self.records.put_documents([SourceDocument.from_dict(d) for d in plan.get("documents", [])])
        self.records.put_files([FileRecord(**f) for f in plan.get("files", [])])
        for doc_id, path in plan.get("repoint", {}).items():
            self.repoint(doc_id, path)
        gone = set(plan.get("delete_files", []))
        # another writer may have given the document a new file since the plan was made: then keep it
        doomed = plan.get("delete_docs", [])
        held = {r.doc_id for r in self.records.files_of(doomed) if r.status != "failed" and r.path not in gone}
        delete = [d for d in doomed if d not in held]
        for doc_id in delete:
            self.delete_passages_of(doc_id)
        self.records.delete_documents(delete)
        self.records.delete_files(sorted(gone))

    def recover(self, *, everything: bool = False) -> int:
        """Finish plans a crashed writer left (other writers' only once older than `JOURNAL_GRACE`)."""
        done = 0
        for key, plan in self.records.pending():
            fresh = time.time() - plan.get("created", 0.0) < JOURNAL_GRACE
            if fresh and not everything and plan.get("writer") != self.writer:
                continue
            logger.info("completing an interrupted write (%s)", key)
            self.apply(plan)
            self.records.done(key)
            done += 1
        return done

    def repoint(self, doc_id: str, path: str) -> None:
        """The document's primary file is gone but a copy remains: cite the copy."""
        doc = self.records.document(doc_id)
        if doc is None or doc.path == path:
            return
        doc.path = path
        found = ops.scan(self.client, self.passages, f"doc_id == {literal(doc_id)}", rows.WITH_VECTOR)
        ops.upsert(self.client, self.passages, [rows.with_meta(r, {**r["meta"], "path": path}, self.dimension) for r in found])
        self.records.put_documents([doc])

    def delete_passages_of(self, doc_id: str, keep: frozenset[str] = frozenset()) -> None:
        """Delete a document's passages, except those in `keep`."""
        ids = [r["id"] for r in ops.scan(self.client, self.passages, f"doc_id == {literal(doc_id)}", ["id"])]
        for chunk in ops.chunks([i for i in ids if i not in keep]):
            self.client.delete(self.passages, ids=chunk)
