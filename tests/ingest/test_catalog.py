import os

import pytest

from ingest.catalog import CatalogError, load_catalogs, read_catalog

HEADER = "path,title,countries,regions,doc_type,year,lang,topics\n"


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_csv_entries_by_resolved_path(tmp_path):
    write(
        tmp_path / "docs",
        "catalog.csv",
        HEADER
        + "a.pdf,Ley 1,Uruguay;ARG,,legal,1995,es,old_age;Legal advice\n"
        + "sub/b.pdf,,Ouzbékistan,,country study,,,\n",
    )
    entries = load_catalogs(tmp_path)
    a = entries[(tmp_path / "docs" / "a.pdf").resolve()]
    assert (a.title, a.countries, a.doc_type, a.year, a.lang) == (
        "Ley 1",
        ["URY", "ARG"],
        "legal",
        1995,
        "es",
    )
    assert a.topics == ["old_age", "legal_advice"]
    b = entries[(tmp_path / "docs" / "sub" / "b.pdf").resolve()]
    assert b.countries == ["UZB"] and b.doc_type == "country_study" and b.title is None
    assert b.facets() == {"countries": ["UZB"], "doc_type": "country_study"}


def test_yaml_with_lists_and_deeper_catalogue_wins(tmp_path):
    write(tmp_path, "catalog.csv", HEADER + "x/r.md,Outer,,,,,,\n")
    write(
        tmp_path / "x",
        "catalog.yaml",
        "- path: r.md\n  title: Inner\n  countries: [Camboya, PHL]\n"
        "  regions: [asia and the pacific]\n  year: 2024\n",
    )
    entry = load_catalogs(tmp_path)[(tmp_path / "x" / "r.md").resolve()]
    assert entry.title == "Inner"
    assert (
        entry.countries == ["KHM", "PHL"] and entry.regions == ["Asia and the Pacific"] and entry.year == 2024
    )


@pytest.mark.parametrize("bad_path", ["../x.pdf", "/etc/passwd", "sub/../../x.pdf", "C:\\x.pdf"])
def test_paths_outside_the_folder_are_refused(tmp_path, bad_path):
    catalog = write(tmp_path / "docs", "catalog.csv", HEADER + f"{bad_path},T,,,,,,\n")
    with pytest.raises(CatalogError) as info:
        read_catalog(catalog)
    message = str(info.value)
    assert "unsafe path" in message and "line 2" in message and bad_path.replace("\\", "\\\\") in message


def test_symlink_escaping_the_folder_is_refused(tmp_path):
    outside = write(tmp_path / "secret", "s.txt", "secret")
    docs = tmp_path / "docs"
    docs.mkdir()
    os.symlink(outside, docs / "link.txt")
    catalog = write(docs, "catalog.csv", HEADER + "link.txt,T,,,,,,\n")
    with pytest.raises(CatalogError, match="outside the catalogue folder"):
        read_catalog(catalog)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("a.pdf,,,,brochure,,,", "allowed: report, country_study, promotional, legal, other"),
        ("a.pdf,,,,,,,pensions", "unknown topic 'pensions'; allowed: medical_care"),
        ("a.pdf,,,Oceania,,,,", "unknown region 'Oceania'; allowed: Africa, Americas"),
        ("a.pdf,,Atlantis,,,,,", "unknown country 'Atlantis'"),
        ("a.pdf,,,,,nineteen,,", "invalid year"),
        ("a.pdf,,,,,,english,", "invalid lang"),
    ],
)
def test_invalid_values_name_the_row_and_allowed_values(tmp_path, row, expected):
    catalog = write(tmp_path, "catalog.csv", HEADER + "ok.pdf,Fine,,,,,,\n" + row + "\n")
    with pytest.raises(CatalogError) as info:
        read_catalog(catalog)
    assert expected in str(info.value)
    assert "line 3" in str(info.value) and "line 2" not in str(info.value)


def test_author_publisher_and_url_columns_are_optional_and_checked(tmp_path):
    header = "path,title,author,publisher,url\n"
    catalog = write(tmp_path, "catalog.csv", header + "a.pdf,T,A. Writer,The Department,https://example.org/a\n"
                    + "b.pdf,U,,,\n")
    a, b = read_catalog(catalog)
    assert (a.author, a.publisher, a.url) == ("A. Writer", "The Department", "https://example.org/a")
    assert (b.author, b.publisher, b.url) == ("", "", "") and "url" not in b.facets()
    bad = write(tmp_path, "catalog.csv", header + "a.pdf,T,,,www.example.org\n")
    with pytest.raises(CatalogError, match="invalid url 'www.example.org': give a web address starting with https"):
        read_catalog(bad)


def test_unknown_columns_are_refused(tmp_path):
    catalog = write(tmp_path, "catalog.csv", "path,title,counties\na.pdf,T,URY\n")
    with pytest.raises(CatalogError, match="columns must be path, title, countries"):
        read_catalog(catalog)


def test_yaml_must_be_a_list(tmp_path):
    catalog = write(tmp_path, "catalog.yaml", "path: a.pdf\n")
    with pytest.raises(CatalogError, match="YAML list of mappings"):
        read_catalog(catalog)
