"""The typed passage view and the labels citations show."""

from kb.core.models import PassageMeta, section_label


def test_a_section_label_is_the_innermost_heading_unless_it_repeats_the_title():
    assert section_label(("2. Germany", "Financing"), "A report") == "Financing"
    assert section_label(("Report on Care  in Uzbekistan",), "Report on care in Uzbekistan") == ""
    assert section_label((), "A report") == ""


def test_older_metadata_reads_as_body_text_with_its_countries():
    meta = PassageMeta.of({"doc_id": "d", "countries": ["KEN"], "heading": "Benefits"})
    assert meta.role == "body" and meta.countries == ("KEN",) and meta.evidence
