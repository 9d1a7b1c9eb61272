"""The `kb` command line: one subcommand per task, JSON on request, one-line errors, honest exit codes."""

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kb import render
from kb.core.errors import KbError, UsageError, as_kb_error
from kb.core.filters import SearchFilters

EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage mistakes as a one-line error with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"kb: error: {message} (see `{self.prog} --help`)\n")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> argparse.Namespace:
        """As argparse's, but options a subcommand does not take point to that subcommand's help (argparse
        reports them from the top-level parser, whose help does not list them)."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = getattr(parsed, "command", None)
            prog = f"{self.prog} {command}" if command else self.prog
            self.exit(2, f"kb: error: unrecognized arguments: {' '.join(extras)} (see `{prog} --help`)\n")
        return parsed


def _location(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", metavar="DIR", help="index directory (default: $KB_INDEX or ~/.local/share/kb/index)")
    p.add_argument("--store", metavar="URI", help="store: a path, milvus:FILE.db or milvus://host:19530 ($KB_STORE)")


def _filters(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--country", action="append", default=[], help="country name or ISO code, en/fr/es (repeatable)")
    g.add_argument("--region", action="append", default=[], help="ILO region (repeatable)")
    g.add_argument("--type", dest="doc_type", action="append", default=[], help="report, country_study, promotional, legal, other")
    g.add_argument("--year-from", type=int)
    g.add_argument("--year-to", type=int)
    g.add_argument("--lang", action="append", default=[], help="en, fr, es (repeatable)")
    g.add_argument("--topic", action="append", default=[], help="topic slug or label (repeatable)")


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(prog="kb", description="A cited knowledge base for social protection documents.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _index_commands(sub)
    _question_commands(sub)
    _tool_commands(sub)
    return parser


def _index_commands(sub: Any) -> None:
    """`kb ingest`, `kb stats`, `kb docs`, `kb migrate`: building and looking after a knowledge base."""
    p = sub.add_parser("ingest", help="index files and folders (incremental)")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--prune", action="store_true", help="remove documents whose files are gone")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help="wait for another writer")
    p.add_argument("--no-ocr", action="store_true",
                   help="do not read scanned pages and images (they are reported as needing OCR); see KB_OCR")
    _location(p), _json(p)

    p = sub.add_parser("stats", help="what the knowledge base holds")
    _location(p), _json(p)

    p = sub.add_parser("docs", help="list indexed documents")
    _location(p), _json(p)

    p = sub.add_parser("migrate", help="copy a knowledge base to another store without re-embedding")
    p.add_argument("--from", dest="source", required=True, metavar="SRC",
                   help="index directory, milvus:FILE.db or milvus://host:19530[/NAME]")
    p.add_argument("--to", dest="destination", required=True, metavar="DST",
                   help="same kinds of location; created with the source's model and chunking if missing")
    p.add_argument("--batch", type=int, default=1000, metavar="N", help="passages per batch (default 1000)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS", help="wait for another writer of DST")
    _json(p)


def _question_commands(sub: Any) -> None:
    """`kb search`, `kb ask`, `kb compare`: what users ask."""
    p = sub.add_parser("search", help="ranked passages for a query")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--mode", choices=["dense", "keyword", "hybrid"], default="hybrid")
    p.add_argument("--per-doc", type=int, metavar="N", help="keep at most N passages per document")
    _location(p), _filters(p), _json(p)

    p = sub.add_parser("ask", help="a short answer made of cited quotes")
    p.add_argument("question")
    p.add_argument("--generate", action="store_true", help="write the answer with the LLM at $KB_LLM_URL")
    p.add_argument("--mode", choices=["dense", "keyword", "hybrid"], default="hybrid")
    _location(p), _filters(p), _json(p)

    p = sub.add_parser("compare", help="the same question per country, region or year")
    p.add_argument("question")
    p.add_argument("--by", choices=["country", "region", "year"], required=True)
    p.add_argument("--countries", "--groups", dest="groups", metavar="A,B", action="append", default=[],
                   help="the groups to compare (countries by name or code in en/fr/es, regions, years); "
                        "default: the groups the best passages come from")
    _location(p), _filters(p), _json(p)


def _tool_commands(sub: Any) -> None:
    """`kb eval` and `kb tui`."""
    p = sub.add_parser("eval", help="measure retrieval and answer quality")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--beir", type=Path, metavar="DIR", help="a BEIR-format benchmark folder (e.g. SciFact)")
    source.add_argument("--questions", type=Path, metavar="FILE",
                        help="questions with cited answers (format of corpus/questions.jsonl); "
                             "--index must hold the questions' corpus")
    p.add_argument("--split", default="test")
    p.add_argument("--mode", action="append", choices=["dense", "keyword", "hybrid"],
                   help="repeatable; default all (--beir) or hybrid (--questions)")
    p.add_argument("--sweep", action="store_true", help="with --questions: abstention errors per threshold")
    _location(p), _json(p)

    p = sub.add_parser("tui", help="open the terminal UI")
    _location(p)


def _search_filters(args: argparse.Namespace) -> SearchFilters:
    return SearchFilters(
        countries=args.country,
        regions=args.region,
        doc_types=args.doc_type,
        year_from=args.year_from,
        year_to=args.year_to,
        langs=args.lang,
        topics=args.topic,
    )


def _kb(args: argparse.Namespace) -> Any:
    from kb.service import KnowledgeBase

    return KnowledgeBase(index=args.index, store=args.store)


def cmd_ingest(args: argparse.Namespace) -> int:
    """`kb ingest`: exit 0 when every file was indexed or unchanged, 1 when some failed."""
    with _kb(args) as kb, render.ingest_progress(enabled=not args.json) as progress:
        report = kb.ingest(args.paths, prune=args.prune, progress=progress, wait=args.wait, ocr=not args.no_ocr)
    print(json.dumps(report.to_dict(), indent=2) if args.json else render.ingest_report(report))
    if report.interrupted:
        return EXIT_INTERRUPTED
    return 1 if report.failed else 0


def cmd_stats(args: argparse.Namespace) -> int:
    """`kb stats`."""
    with _kb(args) as kb:
        stats = kb.stats()
    print(json.dumps(stats, indent=2) if args.json else render.stats(stats))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """`kb search`."""
    with _kb(args) as kb:
        hits = kb.search(args.query, _search_filters(args), top_k=args.k, mode=args.mode, per_doc=args.per_doc)
        sources = kb.sources([str(h.passage.meta.get("doc_id")) for h in hits]) if args.json else {}
    if args.json:
        from kb.core.references import related_reference

        found = [h.to_dict() for h in hits]
        for hit in found:
            hit["reference"] = related_reference(hit, sources.get(str(hit.get("doc_id"))))
        print(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        print(render.hits(hits))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """`kb ask`."""
    with _kb(args) as kb:
        answer = kb.ask(args.question, _search_filters(args), mode=args.mode, generate=args.generate)
    print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False) if args.json else render.answer(answer))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """`kb compare`."""
    groups = [g.strip() for value in args.groups for g in value.split(",") if g.strip()]
    with _kb(args) as kb:
        comparison = kb.compare(args.question, args.by, groups or None, _search_filters(args))
    if args.json:
        print(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(render.comparison(comparison))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """`kb eval --beir DIR` or `kb eval --questions FILE`."""
    from kb import beir, evaluate

    if args.sweep and not args.questions:
        raise UsageError("--sweep goes with --questions FILE")
    with _kb(args) as kb:
        if args.questions:
            results = [evaluate.run(kb, args.questions, mode=m, with_sweep=args.sweep) for m in args.mode or ["hybrid"]]
            text = "\n\n".join(render.question_eval(r) for r in results)
            data: Any = results[0] if len(results) == 1 else results
        else:
            data = beir.run(kb, args.beir, split=args.split, modes=args.mode)
            text = render.beir(data)
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    """`kb docs`."""
    with _kb(args) as kb:
        docs = kb.documents()
    print(json.dumps([d.to_dict() for d in docs], indent=2, ensure_ascii=False) if args.json else render.documents(docs))
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    """`kb tui`."""
    try:
        from tui.app import run
    except ImportError as exc:
        raise UsageError(f"the terminal UI is not available ({exc})") from exc
    return run(index=args.index, store=args.store)


def cmd_migrate(args: argparse.Namespace) -> int:
    """`kb migrate`: passages with their vectors, then documents and file records; run again to resume."""
    from kb.core.config import Settings
    from kb.migrate import migrate_locations

    with render.migrate_progress(enabled=not args.json) as progress:
        report = migrate_locations(args.source, args.destination, batch=args.batch, progress=progress,
                                   token=Settings().milvus_token, wait=args.wait)
    print(json.dumps(report.to_dict(), indent=2) if args.json else render.migration_report(report))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ingest": cmd_ingest,
    "stats": cmd_stats,
    "search": cmd_search,
    "ask": cmd_ask,
    "compare": cmd_compare,
    "eval": cmd_eval,
    "docs": cmd_docs,
    "tui": cmd_tui,
    "migrate": cmd_migrate,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kb` console script."""
    args = build_parser().parse_args(argv)
    render.quiet_libraries()
    try:
        return COMMANDS[args.command](args)
    except KbError as exc:
        print(f"kb: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kb: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as exc:
        cause = as_kb_error(exc)
        if cause is None:
            raise
        print(f"kb: error: {cause}", file=sys.stderr)
        return cause.exit_code


if __name__ == "__main__":
    sys.exit(main())
