"""Plain-text rendering for the command line, and the ingestion progress bar (terminal only)."""

import logging
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from kb.core.models import IngestReport, PassageMeta, SourceDocument, page_label
from kb.core.references import Source, related_reference

if TYPE_CHECKING:
    from kb.answer import Answer
    from kb.compare import Comparison
    from kb.search import Hit


def quiet_libraries() -> None:
    """Keep library chatter (weight-loading bars, warnings) off a command-line user's terminal."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    for name in ("haystack", "sentence_transformers", "transformers", "pypdf", "faiss"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger("milvus_lite").setLevel(logging.CRITICAL)  # tracebacks for errors kb reports in one line
    # (pymilvus resets its loggers when imported: index/milvus/connection.py quiets them on connecting)


def citation_label(meta: dict[str, Any]) -> str:
    """`Title · 3. Financing · p. 3 — Kenya, 2024, country study` for a passage's metadata."""
    passage = PassageMeta.of(meta)
    where = " · ".join(p for p in (passage.heading, page_label(passage.page_start, passage.page_end, passage.ocr)) if p)
    facts = [", ".join(passage.countries) or "global"]
    if passage.year:
        facts.append(str(passage.year))
    facts.append(passage.doc_type.replace("_", " "))
    head = passage.title or passage.path
    return f"{head}{' · ' + where if where else ''} — {', '.join(facts)}"


def hits(results: list["Hit"]) -> str:
    """Search hits, one block each."""
    if not results:
        return "No passage matches."
    blocks = []
    for hit in results:
        text = textwrap.shorten(hit.passage.content or "", 400, placeholder=" …")
        block = f"{hit.rank}. {citation_label(hit.passage.meta)}  [{hit.score:.4f}]\n{textwrap.indent(textwrap.fill(text, 100), '   ')}"
        for other in hit.also:
            block += f"\n   also in: {other.get('title')} ({other.get('path')})"
        blocks.append(block)
    return "\n\n".join(blocks)


def answer(ans: "Answer") -> str:
    """An answer followed by its references, one per document, each quote's section and page under it (or the
    nearest passages after an abstention)."""
    lines = [textwrap.fill(ans.answer, 100), ""]
    if ans.note:
        lines += [f"Note: {ans.note}", ""]
    for citations in _per_document(ans.citations):
        first = citations[0]
        country = ", ".join(first.doc_countries or first.country) or "global"
        numbers = ", ".join(str(c.n) for c in citations)
        lines.append(f"[{numbers}] {Source.of(first).entry()}\n    {country} · "
                     f"{first.doc_type.replace('_', ' ')} · {first.path}")
        for c in citations:
            where = " · ".join(p for p in (c.section_label, page_label(c.page, c.page_end, c.ocr)) if p)
            if where:
                lines.append(f"    [{c.n}] {where}")
    if ans.abstained and ans.related:
        lines.append("Nearest passages:")
        for r in ans.related:
            lines.append(f"  - {r.get('reference') or related_reference(r)}")
    return "\n".join(lines).rstrip()


def _per_document(citations: list[Any]) -> list[list[Any]]:
    """Citations grouped per document, documents in the order they are first cited."""
    groups: dict[str, list[Any]] = {}
    for c in citations:
        groups.setdefault(c.doc_id or c.path, []).append(c)
    return list(groups.values())


def comparison(result: "Comparison") -> str:
    """One block per group: its cited finding, or the explicit absence of evidence."""
    from kb.compare import NO_EVIDENCE

    if not result.rows:
        return "No group has a passage about this question."
    from kb.core.countries import country_name

    blocks = []
    for row in result.rows:
        group = f"{country_name(row.group)} ({row.group})" if result.by == "country" else row.group
        if not row.evidence:
            blocks.append(f"{group}: {NO_EVIDENCE}")
            continue
        refs = "\n".join(
            f"    [{c.n}] " + " · ".join(p for p in (c.title, c.section_label, page_label(c.page, c.page_end, c.ocr)) if p)
            for c in row.answer.citations
        )
        blocks.append(f"{group}:\n{textwrap.indent(textwrap.fill(row.answer.answer, 96), '  ')}\n{refs}")
    return "\n\n".join(blocks)


def question_eval(result: dict[str, Any]) -> str:
    """`kb eval --questions` as a small table: overall, then per language."""
    cols = ("hit@1", "hit@5", "hit@10", "cited_correct", "answerable_refused", "unanswerable_answered", "quotes_valid")
    heads = ("hit@1", "hit@5", "hit@10", "cited", "refused", "answered", "quotes")
    lines = [f"{result['questions_file']} on {result['index']} ({result['mode']}, {result['ms_per_question']:.0f} ms/question)",
             f"{'':<8} {'n':>4} " + " ".join(f"{h:>8}" for h in heads)]
    for name, row in [("overall", result["overall"]), *result["per_language"].items()]:
        cells = " ".join(f"{row[c]:>8.3f}" if row[c] is not None else f"{'—':>8}" for c in cols)
        lines.append(f"{name:<8} {row['questions']:>4} {cells}")
    lines.append("refused = answerable questions refused; answered = unanswerable questions answered")
    for key in ("misses", "wrongly_refused", "wrongly_answered"):
        if result.get(key):
            lines.append(f"{key.replace('_', ' ')}: {', '.join(result[key])}")
    sweep = result.get("sweep")
    if sweep:
        lines.append(f"calibrated abstention threshold: {sweep['calibrated_threshold']} "
                     f"(held-out halves: {'; '.join(_held(h) for h in sweep['held_out'])})")
    return "\n".join(lines)


def _held(row: dict[str, Any]) -> str:
    return (f"{row['threshold']} → refused {row['answerable_refused']:.3f}, "
            f"answered {row['unanswerable_answered']:.3f} on {row['measured_on']}")


def ingest_report(report: IngestReport) -> str:
    """A short summary of an ingestion run."""
    lines = [
        (f"files seen {report.files_seen}: added {report.added}, updated {report.updated}, "
        f"unchanged {report.unchanged}, removed {report.removed}, failed {len(report.failed)}"),
        (f"passages added {report.passages_added} ({report.passages_per_second:.1f}/s in {report.seconds:.1f}s); "
        f"index holds {report.documents_total} documents, {report.passages_total} passages"),
    ]
    if report.refreshed:
        lines.append(f"refreshed {report.refreshed} unchanged file(s): converted again with this kb's ingestion "
                     "recipe or their changed catalogue entry")
    if report.ocr_pages_read or report.ocr_pages_cached:
        lines.append(f"OCR: {report.ocr_pages_read} scanned page(s) read, {report.ocr_pages_cached} from the cache")
    for fail in report.failed:
        lines.append(f"  failed: {fail['path']}: {fail['reason']}")
    for kept in report.kept:
        lines.append(f"  not pruned: {kept['path']}: {kept['reason']}")
    if report.interrupted:
        lines.append("interrupted: everything committed so far is kept; run the same command again to resume")
    return "\n".join(lines)


def stats(data: dict[str, Any]) -> str:
    """`kb stats` as text."""
    lines = [
        f"{data['location']}: {data['documents']} documents, {data['passages']} passages",
        (f"model {data['model']} ({data['dimension']} dimensions), {data['index_type']} index, "
        f"{data['size_bytes'] / 1e6:.1f} MB on disk"),
    ]
    for key in ("per_region", "per_country", "per_type", "per_language", "per_year"):
        values = ", ".join(f"{k} {v}" for k, v in data[key].items())
        lines.append(f"{key.replace('per_', '')}: {values or '—'}")
    return "\n".join(lines)


def beir(result: dict[str, Any]) -> str:
    """A BEIR evaluation as a small table."""
    lines = [f"{result['dataset']} ({result['split']}): {result['queries']} queries, {result['documents']} documents",
             f"{'mode':<8} {'nDCG@10':>8} {'R@100':>8} {'MRR@10':>8} {'ms/query':>9}"]
    for mode, m in result["metrics"].items():
        lines.append(f"{mode:<8} {m['ndcg@10']:>8.4f} {m['recall@100']:>8.4f} {m['mrr@10']:>8.4f} {m['ms_per_query']:>9.1f}")
    return "\n".join(lines)


def documents(docs: list[SourceDocument]) -> str:
    """One line per document."""
    if not docs:
        return "The knowledge base is empty. Add documents with `kb ingest FOLDER`."
    return "\n".join(
        f"{d.title} — {', '.join(d.countries) or 'global'}, {d.year or 'n.d.'}, {d.doc_type}, {d.lang}, "
        f"{d.passages} passages\n    {d.path}"
        for d in docs
    )


def files_label(done: int, total: int | None) -> str:
    """`3/12 files`; before the runner's first report (while it finds and hashes files and loads the model, which
    takes seconds on a large folder) the number to convert is not known yet, and the label says so."""
    return f"{done}/{total} files" if total is not None else "preparing: finding changed files, loading the model…"


@contextmanager
def ingest_progress(enabled: bool = True, console: Any = None) -> Iterator[Callable[[Any], None] | None]:
    """A progress bar on a terminal (files, passages, rate, time left); nothing when not a terminal.
    `console`: a rich Console to draw on instead of the terminal (tests)."""
    if not enabled or (console is None and not sys.stderr.isatty()):
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("[bold]indexing"),
        BarColumn(),
        TextColumn("{task.fields[files]}"),
        TextColumn("{task.fields[passages]} passages, {task.fields[rate]:.1f}/s"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[current]}"),
    )
    with Progress(*columns, transient=True, console=console) as bar:
        task = bar.add_task("ingest", total=None, files=files_label(0, None), passages=0, rate=0.0, current="")

        def update(event: Any) -> None:
            bar.update(task, completed=event.files_done, total=event.files_total, passages=event.passages_done,
                       files=files_label(event.files_done, event.files_total), rate=event.rate,
                       current=event.current[:60])

        yield update


@contextmanager
def migrate_progress(enabled: bool = True) -> Iterator[Callable[[Any], None] | None]:
    """A progress bar for `kb migrate` on a terminal; nothing otherwise."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("[bold]migrating"), BarColumn(), TextColumn("{task.completed}/{task.total} passages"),
               TextColumn("{task.fields[skipped]} already there"), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("migrate", total=None, skipped=0)
        yield lambda e: bar.update(task, completed=e.done, total=e.total, skipped=e.skipped)


def migration_report(report: Any) -> str:
    """A short summary of a migration."""
    return (f"passages {report.passages_total}: copied {report.passages_copied}, already there "
            f"{report.passages_skipped}; documents {report.documents}, file records {report.files}; "
            f"verified in {report.seconds:.1f}s")
