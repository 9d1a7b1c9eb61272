"""Incremental, resumable ingestion: plan by content hash, convert in a background thread, embed, commit.

Each document lands in one store transaction together with its file records, so an interrupted run
keeps everything committed so far and the next run resumes where it stopped.
"""

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from haystack import Document

from ingest.catalog import fingerprint
from ingest.links import OutsideLinks
from ingest.pipeline import RECIPE
from ingest.plan import Job, Planner
from ingest.scan import FoundFile, scan
from kb.core.errors import ContentChangedError, DocumentReadError
from kb.core.models import FileRecord, IngestReport, SourceDocument

FLUSH_SECONDS = 60.0
EMBED_GROUP = 128  # passages embedded per call (the model sorts them by length to cut padding)


class ConverterLike(Protocol):
    """What the runner needs from `ingest.convert.Converter`."""

    def convert(
        self, path: Path, *, doc_id: str, stored_path: str, catalog: Any = None, sha256: str | None = None
    ) -> tuple[SourceDocument, list[Document]]: ...


class StoreLike(Protocol):
    """What the runner needs from a knowledge store."""

    def file_records(self) -> dict[str, FileRecord]: ...
    def documents(self) -> list[SourceDocument]: ...
    def commit(self, **kwargs: Any) -> None: ...
    def forget_files(self, paths: list[str]) -> int: ...
    def flush(self) -> None: ...
    def count_documents(self) -> int: ...


@dataclass
class Progress:
    """A progress event: files and passages done so far."""

    files_done: int
    files_total: int
    passages_done: int
    seconds: float
    current: str = ""
    ocr_pages: int = 0  # scanned pages read by OCR so far in this run

    @property
    def rate(self) -> float:
        """Passages per second so far."""
        return self.passages_done / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Converted:
    """A job after conversion: its document and passages, or the reason it failed."""

    job: Job
    source: SourceDocument | None = None
    passages: list[Document] = field(default_factory=list)
    error: str | None = None
    changed: list[str] = field(default_factory=list)  # paths edited during the run: reported, indexed next run


class IngestRunner:
    """Runs one ingestion over some paths into a store."""

    def __init__(
        self,
        store: StoreLike,
        make_converter: Callable[[], ConverterLike],
        make_embedder: Callable[[], Any],
        catalogs: Callable[[Path], dict[Path, Any]] | None = None,
        progress: Callable[[Progress], None] | None = None,
        outside_links: OutsideLinks = "skip",
        timing: Callable[[str], AbstractContextManager[Any]] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.store = store
        # Set by another thread (the TUI's stop key) to end the run after the document being committed: what
        # was committed stays, the report is marked interrupted (as Ctrl-C does in the CLI).
        self.cancel = cancel or threading.Event()
        self.make_converter = make_converter  # built only when there is something to convert:
        self.make_embedder = make_embedder  # an unchanged folder never loads the model
        self.converter: ConverterLike | None = None
        self.embedder: Any = None
        self.catalogs = catalogs or (lambda _root: {})
        self.progress = progress or (lambda _p: None)
        self.outside_links = outside_links
        # Wraps each phase the runner itself spends time in, so a benchmark can time them through this
        # hook instead of overriding private methods (which rots when their signatures change).
        self.timing = timing or (lambda _phase: nullcontext())
        self.report = IngestReport()

    def run(self, paths: list[Path], *, prune: bool = False) -> IngestReport:
        """Ingest `paths`; interruptions (Ctrl-C) keep what was committed and mark the report."""
        started = time.monotonic()
        report = self.report = IngestReport()
        self._last = Progress(0, 0, 0, 0.0)
        self._started = started
        self._ocr_pages = 0
        begin_writing = getattr(self.store, "begin_writing", None)
        if begin_writing is not None:  # a store with a writer lock: wait or refuse now, not after converting
            begin_writing()
        skipped: list[Path] = []
        found = list(scan(paths, on_error=self._fail, outside_links=self.outside_links, skipped=skipped))
        report.files_seen = len(found)
        catalogs = self._load_catalogs(found)
        with self.timing("plan (hash files)"):
            jobs, alias_records, orphans = self._plan(found, catalogs)
        if alias_records or orphans:
            self.store.commit(files=alias_records, replace_doc_ids=orphans)
        try:
            self._execute(jobs, catalogs, started)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            self.store.flush()
        if prune and not report.interrupted:
            report.removed = self._prune(found, paths, skipped)
        report.seconds = round(time.monotonic() - started, 3)
        report.passages_per_second = round(report.passages_added / report.seconds, 2) if report.seconds else 0.0
        report.passages_total = self.store.count_documents()
        report.documents_total = len(self.store.documents())
        return report

    # ---- planning ----
    def _plan(
        self, found: list[FoundFile], catalogs: dict[Path, Any]
    ) -> tuple[list[Job], list[FileRecord], list[str]]:
        """Jobs to convert, records for copies of known content, and documents no file holds any more."""
        known = {d.doc_id: d for d in self.store.documents()}
        plan = Planner(self.report, self._fail, self.outside_links).plan(found, catalogs, self.store.file_records(), known)
        return list(plan.jobs.values()), plan.aliases, plan.orphans

    def _fail(self, path: str, reason: str) -> None:
        self.report.failed.append({"path": _printable(path), "reason": reason})

    def ocr_page(self, name: str, page: int, pages: int, seconds_per_page: float) -> None:
        """Report one scanned page read (called by the OCR reader, from the conversion thread): the progress
        goes on moving during a long scan, with the time its document still needs."""
        self._ocr_pages += 1
        left = max(0, pages - page) * seconds_per_page
        label = f"OCR p. {page}/{pages} of {Path(name).name}" + (f", ~{_duration(left)} left" if left else "")
        last = self._last
        self.progress(Progress(last.files_done, last.files_total, last.passages_done,
                               time.monotonic() - self._started, label, self._ocr_pages))

    # ---- execution ----
    def _execute(self, jobs: list[Job], catalogs: dict[Path, Any], started: float) -> None:
        if not jobs:
            return
        self.converter = self.make_converter()
        self.embedder = self.make_embedder()
        stop = threading.Event()
        results: queue.Queue[Converted | None] = queue.Queue(maxsize=8)
        self._worker_error: BaseException | None = None
        worker = threading.Thread(target=self._convert_all, args=(jobs, catalogs, results, stop), daemon=True)
        worker.start()
        done = 0
        last_flush = time.monotonic()
        try:
            groups = self._groups(results)
            while True:
                with self.timing("waiting for conversion"):
                    group = next(groups, None)
                if group is None:
                    break
                self._embed_and_commit(group)
                done += len(group)
                self._last = Progress(done, len(jobs), self.report.passages_added, time.monotonic() - started,
                                      group[-1].job.paths[0].path.name, self._ocr_pages)
                self.progress(self._last)
                if self.cancel.is_set():
                    break
                if time.monotonic() - last_flush > FLUSH_SECONDS:
                    self.store.flush()
                    last_flush = time.monotonic()
            if self._worker_error is not None:
                raise self._worker_error
            self.report.interrupted = self.cancel.is_set() and done < len(jobs)
        finally:
            stop.set()
            while worker.is_alive():
                _drain(results)
                worker.join(timeout=0.1)

    def _load_catalogs(self, found: list[FoundFile]) -> dict[Path, Any]:
        """Catalogue entries by file path, for planning and converting (an invalid catalogue stops the run here)."""
        catalogs: dict[Path, Any] = {}
        for root in sorted({f.root for f in found}):
            catalogs.update(self.catalogs(root))
        return catalogs

    def _convert_all(
        self, jobs: list[Job], catalogs: dict[Path, Any], results: "queue.Queue[Converted | None]",
        stop: threading.Event,
    ) -> None:
        try:
            for job in jobs:
                if stop.is_set() or self.cancel.is_set():
                    break
                _put(results, self._convert(job, catalogs), stop)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which raises it
            self._worker_error = exc
        finally:  # the main thread waits for this end marker: it must come whatever happens
            _put(results, None, stop)

    def _convert(self, job: Job, catalogs: dict[Path, Any]) -> Converted:
        """Convert the job's content from its first path whose bytes still have the job's hash."""
        assert self.converter is not None
        changed: list[str] = []
        while job.paths:
            first = job.paths[0].path
            try:
                source, passages = self.converter.convert(
                    first, doc_id=job.doc_id, stored_path=str(first), catalog=catalogs.get(first), sha256=job.doc_id
                )
            except ContentChangedError:
                changed.append(str(first))
                job.drop_first()
                continue
            except DocumentReadError as exc:
                return Converted(job, error=exc.reason, changed=changed)
            except Exception as exc:  # noqa: BLE001  (a converter bug on one file must not stop the run: report it)
                return Converted(job, error=f"conversion error ({type(exc).__name__}: {exc})", changed=changed)
            if not passages:
                return Converted(job, error="no text found", changed=changed)
            source.recipe, source.catalog_entry = RECIPE, fingerprint(catalogs.get(first))  # what `ingest.plan` compares for staleness
            return Converted(job, source, passages, changed=changed)
        return Converted(job, changed=changed)

    def _groups(self, results: "queue.Queue[Converted | None]") -> Iterator[list[Converted]]:
        """Group converted documents so each embedding call gets enough passages to batch well."""
        group: list[Converted] = []
        size = 0
        while True:
            try:
                item = results.get(timeout=0.05 if group else None)
            except queue.Empty:
                yield group
                group, size = [], 0
                continue
            if item is None:
                break
            for path in item.changed:
                self._fail(path, ContentChangedError(path).reason)
            if item.error:
                for rec in item.job.records:
                    self._fail(rec.path, item.error)
                continue
            if item.source is None:  # every path of the job changed during the run
                continue
            group.append(item)
            size += len(item.passages)
            if size >= EMBED_GROUP:
                yield group
                group, size = [], 0
        if group:
            yield group

    def _embed_and_commit(self, group: list[Converted]) -> None:
        passages = [p for item in group for p in item.passages]
        embedded = self.embedder.run(documents=passages)["documents"]
        by_id = {id(p): e for p, e in zip(passages, embedded)}
        for item in group:
            item.passages = [by_id.get(id(p), p) for p in item.passages]
            assert item.source is not None
            item.source.passages = len(item.passages)
            self.store.commit(
                passages=item.passages,
                documents=[item.source],
                files=item.job.records,
                replace_doc_ids=[item.job.replaces] if item.job.replaces else [],
            )
            self.report.passages_added += len(item.passages)
            if item.job.refresh:
                self.report.refreshed += 1
            elif item.job.updated:
                self.report.updated += 1
            else:
                self.report.added += 1
            self.report.added += len(item.job.paths) - 1  # identical copies, indexed once

    # ---- pruning ----
    def _prune(self, found: list[FoundFile], paths: list[Path], skipped: list[Path]) -> int:
        """Forget files known to be gone; a file that merely could not be seen is kept, with the reason."""
        roots = [Path(p).expanduser().resolve() for p in paths if Path(p).is_dir()]
        present = {str(f.path) for f in found}
        gone = []
        for path in self.store.file_records():
            if path in present or not any(_under(Path(path), root) for root in roots):
                continue
            reason = _unseen(Path(path), skipped)
            if reason == "gone":
                gone.append(path)
            elif reason:
                self.report.kept.append({"path": _printable(path), "reason": reason})
        return self.store.forget_files(gone) if gone else 0


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def _unseen(path: Path, skipped: list[Path]) -> str | None:
    """"gone" for a file that no longer exists, a reason for one whose existence could not be checked, None when it
    exists (it is no longer found for another reason: an ignore pattern, a link that the policy skips)."""
    folder = next((f for f in skipped if _under(path, f)), None)
    if folder is not None:
        return f"kept: under {_printable(str(folder))}, which could not be read in this run"
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return "gone"
    except OSError as exc:  # permission denied on a parent, an I/O error on a flaky mount
        return f"kept: cannot check that it still exists ({exc.strerror or exc})"
    return None


def _printable(path: str) -> str:
    """A path whose undecodable bytes (kept by Python as surrogates) are shown as U+FFFD."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _under(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _put(results: "queue.Queue[Converted | None]", item: Converted | None, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            results.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


def _drain(results: "queue.Queue[Converted | None]") -> None:
    try:
        while True:
            results.get_nowait()
    except queue.Empty:
        pass
