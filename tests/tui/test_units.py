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


def test_reference_names_creator_year_title_section_page_and_url_or_file_name():
    assert KENYA.reference() == "Kenya: a universal pension (2019). pp. 3–4. kenya.pdf"  # no local path, no codes
    within = Evidence(**{**KENYA.__dict__, "section": ("2. Design", "Eligibility"), "publisher": "ILO",
                         "url": "https://www.ilo.org/kenya"})
    assert within.reference() == (
        "ILO (2019). Kenya: a universal pension. Section “Eligibility”, pp. 3–4. https://www.ilo.org/kenya"
    )
    assert within.source() == "ILO (2019). Kenya: a universal pension. https://www.ilo.org/kenya"
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
    assert "1. Leaflet (n.d.). leaflet.md" in brief
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
    assert brief.count("### [1] Kenya: a universal pension") == 1
    assert brief.index("It is paid monthly.") < brief.index("### [2] Leaflet")  # the document's quotes stay together
    assert "— [1], Eligibility · pp. 3–4" in brief and "— [1], Payments · p. 5" in brief
    references = brief.split("## References")[1]
    assert references.count("Kenya: a universal pension") == 1 and references.count("Leaflet") == 1
    assert "## Questions" not in brief  # none of these was found for a question


def test_a_word_brief_has_the_title_questions_quotes_notes_and_one_reference_per_document(tmp_path):
    from docx import Document

    asked = "Who receives Kenya's pension?"
    first = Evidence(**{**KENYA.__dict__, "doc_id": "kenya", "question": asked, "publisher": "ILO"})
    second = Evidence(**{**KENYA.__dict__, "passage_id": "p3", "doc_id": "kenya", "quote": "It is paid monthly.",
                         "page": 5, "page_end": 5, "question": asked, "publisher": "ILO"})
    collection = Collection()
    for item in (first, second):
        collection.toggle(item)
    collection.annotate(1, "  Use   in the leaflet. ")
    written = collection.export(tmp_path / "brief.DOCX")
    document = Document(str(written))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "Evidence brief")
    assert ("List Bullet", asked) in paragraphs  # the question, once for both quotes
    assert ("Quote", "“Everyone aged 70 receives it.”") in paragraphs
    assert ("Normal", "— [1], p. 5") in paragraphs and ("Normal", "Note: Use in the leaflet.") in paragraphs
    references = [text for _style, text in paragraphs[[t for _s, t in paragraphs].index("References") + 1:]]
    assert references == ["[1] ILO (2019). Kenya: a universal pension. kenya.pdf"]
    assert document.core_properties.title == "Evidence brief"
    markdown = collection.to_markdown(today=date(2025, 1, 31))
    assert "## Questions\n\n- Who receives Kenya's pension?\n" in markdown
    assert "*Note:* Use in the leaflet." in markdown


def test_wrap_cuts_at_a_word_with_an_ellipsis():
    from tui.format import wrap

    assert wrap("A long report title about pensions", 12, 1) == "A long…"
    assert wrap("Short", 12, 1) == "Short"
    assert wrap("one two three four", 9, 2) == "one two\nthree…"
