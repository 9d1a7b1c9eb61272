"""Planning an ingestion run: which files found are new, changed, copies of known content or unchanged, and which
documents no file holds any more. Only stat and hashing here; conversion is `ingest.run`'s."""

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ingest.catalog import fingerprint
from ingest.links import FileLinks, OutsideLinks
from ingest.pipeline import RECIPE
from ingest.scan import FoundFile, file_digest
from kb.core.errors import DocumentReadError
from kb.core.models import FileRecord, IngestReport, SourceDocument


@dataclass
class Job:
    """One distinct content to convert, with every path that holds it."""

    doc_id: str
    paths: list[FoundFile]
    records: list[FileRecord]
    replaces: str | None = None
    updated: bool = False
    refresh: bool = False  # same content, converted again (a newer recipe or a changed catalogue entry)

    def drop_first(self) -> None:
        """Forget the first path (it changed during the run): its old record and document stay as they were, and
        the next path, an identical copy, is converted instead."""
        self.paths.pop(0)
        self.records.pop(0)
        self.replaces = None  # what it replaced was the first path's old document
        if self.records:
            self.records[0].status = "indexed"


@dataclass
class Plan:
    """What planning found: the store's file records and documents, and what the run will do."""

    records: dict[str, FileRecord]
    known: dict[str, SourceDocument]
    jobs: dict[str, Job] = field(default_factory=dict)  # by content hash
    aliases: list[FileRecord] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)


class Planner:
    """Sorts the files found into a `Plan`, counting the unchanged and reporting the failed in `report`."""

    def __init__(self, report: IngestReport, fail: Callable[[str, str], None], outside_links: OutsideLinks) -> None:
        self.report = report
        self._fail = fail
        self.outside_links = outside_links

    def plan(
        self,
        found: list[FoundFile],
        catalogs: dict[Path, Any],
        records: dict[str, FileRecord],
        known: dict[str, SourceDocument],
    ) -> Plan:
        """The plan for `found`, given the store's file `records` and `known` documents."""
        plan = Plan(records, known)
        links = FileLinks([f.path for f in found], self.outside_links)
        for item in found:
            seen = self._examine(item, plan, catalogs, links)
            if seen is not None:
                self._place(item, *seen, plan)
        return plan

    def _examine(
        self, item: FoundFile, plan: Plan, catalogs: dict[Path, Any], links: FileLinks
    ) -> tuple[os.stat_result, str, FileRecord | None, bool] | None:
        """The file's stat, content hash, its record of the last run and whether its document is stale; None when
        it failed (reported) or is unchanged since the last run (counted)."""
        key = str(item.path)
        if not _valid_name(key):  # bytes that are not UTF-8 cannot be stored, cited or shown
            self._fail(key, "file name is not valid UTF-8; rename the file")
            return None
        try:
            st = item.path.stat()
            if not stat.S_ISREG(st.st_mode):  # a pipe or device would block or never end when read
                self._fail(key, "not a regular file (a pipe, socket or device)")
                return None
            refusal = links.refusal(item.path, item.root, st, item.explicit)
            if refusal:
                self._fail(key, refusal)
                return None
            old = plan.records.get(key)
            stale = old is not None and _stale(old, plan.known.get(old.doc_id or ""), catalogs.get(item.path))
            if old and old.status != "failed" and old.size == st.st_size and old.mtime == st.st_mtime and not stale:
                self.report.unchanged += 1
                return None
            return st, file_digest(item.path), old, stale
        except DocumentReadError as exc:
            self._fail(key, exc.reason)
        except FileNotFoundError:
            self._fail(key, "broken symbolic link" if item.path.is_symlink() else "file disappeared during the run")
        except OSError as exc:
            self._fail(key, f"cannot read file: {exc.strerror or exc}")
        return None

    def _place(
        self, item: FoundFile, st: os.stat_result, digest: str, old: FileRecord | None, stale: bool, plan: Plan
    ) -> None:
        """Add a changed or new file to the plan: a job to convert, a copy of known content, or a refresh."""
        rec = FileRecord(path=str(item.path), sha256=digest, mtime=st.st_mtime, size=st.st_size, status="indexed", doc_id=digest)
        same = old is not None and old.sha256 == digest and old.status != "failed"
        jobs = plan.jobs
        if same and stale and digest not in jobs:
            jobs[digest] = Job(digest, [item], [rec], replaces=digest, refresh=True)
        elif same:
            self.report.unchanged += 1
            plan.aliases.append(replace(old, mtime=st.st_mtime))
        elif digest in plan.known or digest in jobs:
            rec.status = "duplicate"
            if digest in jobs:
                jobs[digest].paths.append(item)
                jobs[digest].records.append(rec)
            else:
                plan.aliases.append(rec)
                self._count_new(old)
            if old and old.doc_id and old.doc_id != digest and self._only_path(old, plan.records):
                plan.orphans.append(old.doc_id)  # this file now holds other content: its old text goes
        else:
            replaces = old.doc_id if old and old.doc_id and self._only_path(old, plan.records) else None
            jobs[digest] = Job(digest, [item], [rec], replaces, updated=bool(old and old.status != "failed"))

    @staticmethod
    def _only_path(old: FileRecord, records: dict[str, FileRecord]) -> bool:
        return not any(r.doc_id == old.doc_id and r.path != old.path for r in records.values())

    def _count_new(self, old: FileRecord | None) -> None:
        if old and old.status != "failed":
            self.report.updated += 1
        else:
            self.report.added += 1


def _stale(old: FileRecord, doc: SourceDocument | None, entry: Any) -> bool:
    """Whether an indexed file's passages were made by an older recipe or with another catalogue entry (copies,
    status "duplicate", follow the file their document was converted from)."""
    if doc is None or old.status != "indexed":
        return False
    return doc.recipe != RECIPE or doc.catalog_entry != fingerprint(entry)


def _valid_name(path: str) -> bool:
    try:
        path.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False
