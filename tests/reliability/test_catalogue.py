"""Catalogue files are parsed strictly: every bad row is reported with its line and what is wrong, and the run
stops before anything is written; nothing is swallowed, merged or dropped silently."""

from pathlib import Path

import pytest

from ingest.catalog import CatalogError, read_catalog
from tests.reliability.conftest import make_folder

HEADER = "path,title,countries,regions,doc_type,year,lang,topics\n"


def _problems(tmp_path: Path, body: str, name: str = "catalog.csv") -> str:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.txt").write_text("y")
    catalog = tmp_path / name
    catalog.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        read_catalog(catalog)
    message = str(caught.value)
    assert "Traceback" not in message and len(message) < 4000, message
    return message


def test_a_field_over_the_csv_limit_is_a_row_problem_not_a_traceback(tmp_path):
    message = _problems(tmp_path, HEADER + f'a.txt,"{"x" * 200_000}",KEN\nb.txt,Fine,KEN\n')
    assert "line 2: a value is longer than 131,072 characters" in message


def test_an_unterminated_quote_does_not_swallow_the_following_rows(tmp_path):
    message = _problems(tmp_path, HEADER + 'a.txt,"Unclosed title,KEN\nb.txt,Second,KEN\n')
    assert "line 2: a quote opened here is never closed" in message
    message = _problems(tmp_path, HEADER + 'a.txt,"Unclosed title,KEN\nb.txt,Second,"KEN"\nc.txt,"x",KEN\n')
    assert "line 2:" in message and "quote" in message


def test_duplicate_rows_are_refused_with_both_lines(tmp_path):
    message = _problems(tmp_path, HEADER + "a.txt,First,KEN\nb.txt,Other,KEN\n./a.txt,Second,GHA\n")
    assert "line 4: a second row for './a.txt' (the first is on line 2)" in message


def test_extra_columns_are_refused(tmp_path):
    message = _problems(tmp_path, HEADER + "a.txt,Pensions, Kenya and Ghana,KEN,,report,2020,en,old_age\n")
    assert "line 2: 9 values for 8 columns (an unquoted comma?)" in message


def test_every_bad_row_is_listed_with_its_line(tmp_path):
    body = HEADER + "a.txt,Fine,KEN\nb.txt,Bad,KEN,,nonsense\na.txt,Bad year,KEN,,report,nineteen,en,\n,No path,KEN\n"
    message = _problems(tmp_path, body)
    assert "3 invalid row(s)" in message
    for line in ("line 3:", "line 4:", "line 5:"):
        assert line in message


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("- path: a.txt\n  title: &t Pensions\n- path: b.txt\n  title: *t\n", "aliases"),
        ("- path: a.txt\n  title: One\n  title: Two\n", "duplicate key 'title' (line 3)"),
        ("- path: a.txt\n- path: a.txt\n  title: Again\n", "line 2: a second row for 'a.txt' (the first is on line 1)"),
        ("- path: a.txt\n- just a string\n", "line 2: not a mapping"),
    ],
    ids=["alias", "duplicate-key", "duplicate-row", "not-a-mapping"],
)
def test_yaml_catalogue_problems_name_their_line(tmp_path, body, says):
    assert says in _problems(tmp_path, body, "catalog.yaml")


def test_a_bad_catalogue_stops_the_ingest_before_anything_is_written(tmp_path, server):
    folder = make_folder(tmp_path / "docs", documents=3)
    (folder / "catalog.csv").write_text(HEADER + f'doc001.txt,"{"x" * 200_000}",KEN\n')
    result = server.ingest(["ingest", str(folder), "--index", str(tmp_path / "index"), "--json"],
                           tmp_path / "out.json")
    err = [line for line in result["stderr"].splitlines() if line.strip()]
    assert result["code"] == 2 and "Traceback" not in result["stderr"], result["stderr"][-2000:]
    assert err[0].startswith("kb: error: catalogue") and any("line 2:" in line for line in err)
    assert not (tmp_path / "index" / "kb.sqlite3").exists() or _empty(tmp_path / "index")


def _empty(index: Path) -> bool:
    from index.store import LocalStore

    with LocalStore(index, create=False) as store:
        return store.count_documents() == 0 and not store.file_records()


def test_many_bad_rows_are_counted_and_the_first_twenty_shown(tmp_path):
    body = HEADER + "".join(f"f{i}.txt,T,NOWHERE\n" for i in range(50))
    message = _problems(tmp_path, body)
    assert "50 invalid row(s)" in message and "... and 30 more" in message
