from itertools import pairwise

import pytest
from haystack import Document

from ingest.splitter import PassageSplitter, passage_id_for
from kb.core.models import PASSAGE_META_KEYS

pytestmark = pytest.mark.slow

NAMES = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliett",
    "kilo",
    "lima",
]
SENTENCES = [
    f"Sentence {a}{b} explains how social insurance covers workers in sector {a}."
    for b in NAMES[:5]
    for a in NAMES
]


@pytest.fixture(scope="module")
def splitter(model_path):
    component = PassageSplitter(model_path, max_tokens=64, overlap_sentences=1, min_tokens=10)
    component.warm_up()
    return component


def doc(content, **meta):
    base = {
        "doc_id": "d",
        "title": "T",
        "path": "p",
        "lang": "en",
        "countries": [],
        "regions": [],
        "doc_type": "report",
        "year": None,
        "topics": [],
    }
    return Document(content=content, meta={**base, **meta})


def test_passages_fit_the_window_and_overlap_by_one_sentence(splitter, tokenizer):
    passages = splitter.run([doc(" ".join(SENTENCES))])["documents"]
    assert len(passages) > 5
    for passage in passages:
        assert len(tokenizer(passage.content)["input_ids"]) <= 64
    for first, second in pairwise(passages):
        assert first.content.endswith(second.content.split(". ")[0] + ".")


def test_meta_keys_ids_and_spans(splitter):
    text = " ".join(SENTENCES[:20])
    passages = splitter.run([doc(text)])["documents"]
    assert [p.meta["seq"] for p in passages] == list(range(len(passages)))
    for passage in passages:
        assert set(passage.meta) == set(PASSAGE_META_KEYS)
        assert passage.id == passage_id_for("d", passage.content)
        assert text[passage.meta["char_start"] : passage.meta["char_end"]] == passage.content
        assert passage.meta["page_start"] is None and passage.meta["page_end"] is None


def test_never_across_documents(splitter):
    passages = splitter.run(
        [doc("Alpha one. Alpha two.", doc_id="a"), doc("Beta one. Beta two.", doc_id="b")]
    )
    contents = {p.meta["doc_id"]: p.content for p in passages["documents"]}
    assert contents == {"a": "Alpha one. Alpha two.", "b": "Beta one. Beta two."}


def test_pages_are_tracked_and_form_feeds_dropped(splitter):
    pages = [" ".join(SENTENCES[i : i + 4]) for i in range(0, 12, 4)]
    passages = splitter.run([doc("\f".join(pages), source_format="pdf")])["documents"]
    assert all("\f" not in p.content for p in passages)
    assert passages[0].meta["page_start"] == 1 and passages[-1].meta["page_end"] == 3
    for passage in passages:
        start = passage.meta["page_start"]
        if start == passage.meta["page_end"]:
            assert pages[start - 1][passage.meta["char_start"] : passage.meta["char_end"]] == passage.content


def test_headings_become_metadata_and_sections_are_not_mixed(splitter):
    text = "# Pensions\n" + " ".join(SENTENCES[:6]) + "\n## Maternity\n" + " ".join(SENTENCES[6:12])
    passages = splitter.run([doc(text, heading_markup=True)])["documents"]
    assert {p.meta["heading"] for p in passages} == {"Pensions", "Maternity"}
    for passage in passages:
        assert "#" not in passage.content
        first_section = any(s in passage.content for s in SENTENCES[:6])
        second_section = any(s in passage.content for s in SENTENCES[6:12])
        assert first_section != second_section


def test_long_sentence_is_cut_on_word_boundaries(splitter, tokenizer):
    words = [f"word{i}" for i in range(300)]
    passages = splitter.run([doc(" ".join(words) + ".")])["documents"]
    assert len(passages) > 1
    rebuilt = " ".join(p.content for p in passages).rstrip(".").split()
    assert set(rebuilt) == set(words)
    assert all(len(tokenizer(p.content)["input_ids"]) <= 64 for p in passages)


def test_exact_duplicate_passages_are_emitted_once(splitter):
    section = "A short section about pensions for older persons."
    passages = splitter.run([doc(f"# A\n{section}\n# B\n{section}", heading_markup=True)])["documents"]
    assert [p.content for p in passages].count(section) == 1


def test_tiny_fragments_are_merged(splitter):
    passages = splitter.run([doc("# Intro\nShort.\n# Body\n" + " ".join(SENTENCES[:2]), heading_markup=True)])
    assert len(passages["documents"]) == 1


def test_invalid_arguments_say_how_to_fix(model_path):
    with pytest.raises(ValueError, match="all-MiniLM-L6-v2 reads 256"):
        PassageSplitter(model_path, max_tokens=4)
