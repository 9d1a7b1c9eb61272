"""The UI's plain helpers: evidence references, the brief, highlighting, and error explanations."""

from datetime import date

import pytest

from kb.core.errors import FilterValueError, IndexLockedError, IndexNotFoundError, UsageError
from kb.core.models import page_label
from tui.collection import Collection
from tui.errors import explain
from tui.evidence import Evidence
from tui.format import display_path, find_quote, highlighted

KENYA = Evidence(
    passage_id="p1",
    title="Kenya: a universal pension",
    path="/docs/kenya.pdf",
    countries=("KEN",),
    year=2019,
    doc_type="country_study",
    page=3,
    page_end=4,
    quote="Everyone aged 70 receives it.",
    passage="The pension is universal. Everyone aged 70 receives it. It is paid monthly.",
)


def test_reference_names_title_country_year_type_pages_and_file():
    assert KENYA.reference() == (
        "Kenya: a universal pension, Kenya (KEN), 2019, country study, pp. 3–4. File: /docs/kenya.pdf"
    )
    within = Evidence(**{**KENYA.__dict__, "section": ("2. Design", "Eligibility")})
    assert within.reference() == (
        "Kenya: a universal pension, Kenya (KEN), 2019, country study, section “Eligibility”, pp. 3–4. "
        "File: /docs/kenya.pdf"
    )
    assert within.location() == "Eligibility · pp. 3–4"
    assert KENYA.citation_text().startswith("“Everyone aged 70 receives it.” — Kenya: a universal pension")


def test_marking_twice_unmarks_and_the_brief_keeps_the_order(tmp_path):
    other = Evidence(
        passage_id="p2", title="Leaflet", path="/docs/leaflet.md", quote="A floor is a set of guarantees."
    )
    collection = Collection()
    assert collection.toggle(KENYA) and collection.toggle(other)
    assert not collection.toggle(other) and len(collection) == 1
    collection.toggle(other)
    collection.move(1, -1)
    brief = collection.to_markdown(today=date(2025, 1, 31))
    assert brief.index("Leaflet") < brief.index("Kenya")
    assert "> Everyone aged 70 receives it." in brief
    assert "1. Leaflet, n.d., other. File: /docs/leaflet.md" in brief
    assert "on 2025-01-31" in brief
    written = collection.export(tmp_path)  # a folder gets kb-brief.md
    assert written == tmp_path / "kb-brief.md" and written.read_text(encoding="utf-8").startswith(
        "# Evidence brief"
    )


def test_exporting_nothing_or_to_an_unwritable_place_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="empty"):
        Collection().export(tmp_path / "brief.md")
    collection = Collection()
    collection.toggle(KENYA)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="choose another path"):
        collection.export(tmp_path / "file" / "brief.md")


def test_the_quote_is_found_and_highlighted_inside_its_passage():
    assert find_quote(KENYA.passage, "everyone  aged 70 RECEIVES it.") == (26, 55)
    content = highlighted(KENYA.passage, KENYA.quote)
    assert content.plain == KENYA.passage
    assert [(s.start, s.end) for s in content.spans] == [(26, 55)]
    assert highlighted(KENYA.passage, KENYA.quote, window=5).plain == "… Everyone aged 70 receives it. It …"


def test_pages_and_paths_read_short(tmp_path, monkeypatch):
    assert (page_label(None), page_label(3), page_label(3, 3), page_label(3, 5)) == (
        "",
        "p. 3",
        "p. 3",
        "pp. 3–5",
    )
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "docs" / "a.pdf") == "docs/a.pdf"
    assert display_path("/elsewhere/a.pdf") == "/elsewhere/a.pdf"


def test_errors_are_explained_with_what_to_do():
    missing = explain(IndexNotFoundError("there is no kb index at /x"), "answering the question")
    assert missing.title == "No knowledge base yet"
    assert missing.message == "While answering the question: there is no kb index at /x"
    assert "kb ingest FOLDER" in missing.advice
    assert explain(FilterValueError("unknown country 'Atlantis'")).title == "Unknown filter value"
    bug = explain(RuntimeError("boom"))
    assert bug.title == "Unexpected error" and bug.message == "RuntimeError: boom"
    wrapped = RuntimeError("component failed")
    wrapped.__cause__ = IndexLockedError("another kb process is adding documents")
    assert explain(wrapped).title == "Index busy"  # a library's wrapping is seen through


def test_a_milvus_server_failing_is_explained_not_called_a_bug():
    pymilvus = pytest.importorskip("pymilvus")
    failed = explain(pymilvus.MilvusException(code=2, message="connection reset"), "answering the question")
    assert failed.title == "The knowledge base's server failed"
    assert "connection reset" in failed.message and "Milvus server is running" in failed.advice


def test_an_existing_file_is_replaced_only_when_asked(tmp_path):
    collection = Collection()
    collection.toggle(KENYA)
    (tmp_path / "brief.md").write_text("keep me")
    with pytest.raises(UsageError, match="already exists"):
        collection.export(tmp_path / "brief.md")
    assert (tmp_path / "brief.md").read_text() == "keep me"
    collection.export(tmp_path / "brief.md", overwrite=True)
    assert (tmp_path / "brief.md").read_text().startswith("# Evidence brief")


def test_a_brief_groups_quotes_per_document_with_one_reference_each():
    second = Evidence(**{**KENYA.__dict__, "passage_id": "p3", "quote": "It is paid monthly.", "page": 5,
                         "page_end": 5, "section": ("Payments",), "doc_id": "kenya"})
    first = Evidence(**{**KENYA.__dict__, "doc_id": "kenya", "section": ("Eligibility",)})
    other = Evidence(passage_id="p2", title="Leaflet", path="/docs/leaflet.md", quote="A floor is a set of guarantees.")
    collection = Collection()
    for item in (first, other, second):
        collection.toggle(item)
    brief = collection.to_markdown(today=date(2025, 1, 31))
    assert brief.count("## Kenya: a universal pension") == 1
    assert brief.index("It is paid monthly.") < brief.index("## Leaflet")  # the document's quotes stay together
    assert "— [1], Eligibility · pp. 3–4" in brief and "— [1], Payments · p. 5" in brief
    references = brief.split("## References")[1]
    assert references.count("Kenya: a universal pension") == 1 and references.count("Leaflet") == 1


def test_wrap_cuts_at_a_word_with_an_ellipsis():
    from tui.format import wrap

    assert wrap("A long report title about pensions", 12, 1) == "A long…"
    assert wrap("Short", 12, 1) == "Short"
    assert wrap("one two three four", 9, 2) == "one two\nthree…"
