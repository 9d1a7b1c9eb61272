"""Hostile queries and filter values: a clear one-line message (CLI exit 2) or a KbError, never a traceback,
and never SQL or FTS5 syntax interpreted from user text (everything reaches SQLite as parameters)."""

import sqlite3

import numpy as np
import pytest

from index.store import LocalStore
from kb import cli
from kb.core.errors import FilterValueError, KbError, UsageError
from kb.core.filters import SearchFilters
from kb.service import KnowledgeBase
from tests.reliability.conftest import make_folder

INJECTIONS = [
    "Kenya'; DROP TABLE passages; --",
    "KEN' OR '1'='1",
    '" OR 1=1 --',
    "%",
    "_",
    "*",
    "\\",
    "NULL",
]
FTS_SYNTAX = [
    '"',
    '""',
    "*",
    "pension*",
    "NEAR(",
    "NEAR(pension scheme, 2)",
    "AND",
    "OR",
    "NOT",
    "pension AND",
    "-",
    "-pension",
    "^pension",
    "content:pension",
    "{content context}: pension",
    "(",
    ")",
    "'",
    ":",
    "+",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory, server):
    root = tmp_path_factory.mktemp("queries")
    folder = make_folder(root / "docs", documents=6)
    result = server.ingest(
        ["ingest", str(folder), "--index", str(root / "index"), "--json"], root / "out.json"
    )
    assert result["code"] == 0, result["stderr"]
    return root / "index"


def _cli(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kb: error: "), err
    return code, lines[0]


@pytest.mark.parametrize(
    ("query", "says"),
    [("", "empty"), ("   \t\n ", "empty"), ("\x00\x01\x1b\x7f", "empty"), ("pension " * 1250, "under 2000")],
    ids=["empty", "whitespace", "control-only", "10000-chars"],
)
def test_unusable_queries_are_a_usage_error(index, capsys, query, says):
    for command in ("search", "ask"):
        code, line = _cli(capsys, command, query, "--index", str(index))
        assert code == 2 and says in line
    with KnowledgeBase(index=index) as kb:
        with pytest.raises(UsageError, match=says):
            kb.search(query, mode="keyword")
        with pytest.raises(UsageError, match=says):
            kb.ask(query)


def test_control_characters_inside_a_query_are_dropped(index):
    with KnowledgeBase(index=index) as kb:
        hits = kb.search("pen\x00sion\x1b[31m scheme\x07", mode="keyword")
    assert hits and all("pension" in h.passage.content for h in hits)


@pytest.mark.parametrize(
    "option",
    ["--country", "--region", "--type", "--lang", "--topic"],
)
@pytest.mark.parametrize("value", INJECTIONS[:4] + ["Atlantis"])
def test_unknown_or_hostile_facet_values_are_refused_clearly(index, capsys, option, value):
    code, line = _cli(capsys, "search", "pension", "--mode", "keyword", "--index", str(index), option, value)
    assert code == 2 and "unknown" in line
    field = {
        "--country": "countries",
        "--region": "regions",
        "--type": "doc_types",
        "--lang": "langs",
        "--topic": "topics",
    }[option]
    with KnowledgeBase(index=index) as kb, pytest.raises(FilterValueError, match="unknown"):
        kb.search("pension", SearchFilters(**{field: [value]}), mode="keyword")


def test_year_values_that_are_not_numbers_are_a_usage_error(index, capsys):
    code = None
    with pytest.raises(SystemExit) as exit_:
        cli.main(["search", "pension", "--index", str(index), "--year-from", "2020; DROP TABLE files"])
    code = exit_.value.code
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "invalid int value" in err
    with KnowledgeBase(index=index) as kb, pytest.raises(FilterValueError, match="after"):
        kb.search("pension", SearchFilters(year_from=2021, year_to=2020), mode="keyword")


@pytest.mark.parametrize("value", INJECTIONS)
def test_filter_values_reach_sqlite_as_parameters(index, value):
    """Store level (below the facet vocabulary): quotes and SQL in values or field names match nothing."""
    with LocalStore(index, create=False) as store:
        total = store.count_documents()
        vector = np.ones(store.manifest.dimension, dtype=np.float32)
        for field in ("meta.countries", "meta.doc_type", f"meta.{value}", "content", "id"):
            for operator in ("==", "!=", "in", "not in"):
                flt = {"field": field, "operator": operator, "value": [value] if "in" in operator else value}
                matched = store.count_documents_by_filter(flt)
                assert matched in (0, total)  # nothing matches the literal value; its negation matches all
                assert len(store.embedding_search(vector, filters=flt, top_k=3)) == min(matched, 3)
                assert len(store.keyword_search("pension", filters=flt, top_k=3)) == min(matched, 3)
        assert store.facet_counts(value) == {}
        assert store.count_documents() == total
    _tables_intact(index)


@pytest.mark.parametrize("query", FTS_SYNTAX)
def test_fts5_syntax_in_queries_is_taken_as_words(index, query):
    with LocalStore(index, create=False) as store:
        hits = store.keyword_search(query, top_k=5)
        words = {w.strip("*^-+") for w in query.lower().replace(":", " ").replace("(", " ").split()}
        if "pension" in words:
            assert hits, "the word itself is still searched"
    with KnowledgeBase(index=index) as kb:
        kb.search(f"pension {query}", mode="keyword")  # never an FTS5 syntax error
    _tables_intact(index)


def test_errors_raised_inside_the_search_pipeline_are_one_line(index, capsys, monkeypatch):
    """A KbError raised by the store inside a Haystack component arrives wrapped; the CLI prints one line."""

    def damaged(*_args, **_kwargs):
        raise KbError("the index is damaged (simulated)")

    monkeypatch.setattr(LocalStore, "keyword_search", damaged)
    code, line = _cli(capsys, "search", "pension", "--mode", "keyword", "--index", str(index))
    assert code == 1 and "damaged (simulated)" in line


def _tables_intact(index) -> None:
    con = sqlite3.connect(f"file:{index / 'kb.sqlite3'}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"passages", "documents", "files", "meta_index", "kv"} <= tables
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        con.close()


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--k", "99999999999999999999", "--k must be between 1 and 1,000"),
        ("--k", "1001", "--k must be between 1 and 1,000"),
        ("--k", "0", "--k must be between 1 and 1,000"),
        ("--k", "-3", "--k must be between 1 and 1,000"),
        ("--per-doc", "0", "--per-doc must be at least 1"),
        ("--per-doc", "-1", "--per-doc must be at least 1"),
    ],
    ids=["k-overflow", "k-too-many", "k-zero", "k-negative", "per-doc-zero", "per-doc-negative"],
)
def test_result_counts_out_of_range_are_a_usage_error(index, capsys, option, value, says):
    """`--k 99999999999999999999` was an OverflowError traceback; `--per-doc 0` exited 0 with no results."""
    for mode in ("keyword", "hybrid"):
        code, line = _cli(capsys, "search", "pension", "--mode", mode, option, value, "--index", str(index))
        assert code == 2 and says in line
    keyword = {"top_k": int(value)} if option == "--k" else {"per_doc": int(value)}
    with KnowledgeBase(index=index) as kb, pytest.raises(UsageError, match=says):
        kb.search("pension", mode="keyword", **keyword)


def test_the_largest_result_count_works(index):
    with KnowledgeBase(index=index) as kb:
        assert len(kb.search("pension", mode="keyword", top_k=1000, per_doc=1)) == 6  # one per document
