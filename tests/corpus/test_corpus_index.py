"""`kb ingest corpus/` indexes every catalogued document with the catalogue's metadata."""

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def _catalog() -> dict[str, dict[str, str]]:
    with open(ROOT / "corpus" / "catalog.csv", encoding="utf-8") as fh:
        return {str((ROOT / "corpus" / row["path"]).resolve()): row for row in csv.DictReader(fh)}


def _split(value: str) -> list[str]:
    return [v for v in value.split(";") if v]


@pytest.mark.slow
def test_every_document_has_the_catalogue_metadata(corpus_index):
    from kb.service import KnowledgeBase

    catalog = _catalog()
    with KnowledgeBase(index=corpus_index) as kb:
        docs = {d.path: d for d in kb.documents()}
        passages = kb.store().filter_documents()
    assert set(docs) == set(catalog)
    for path, row in catalog.items():
        doc = docs[path]
        assert doc.title == row["title"]
        assert doc.countries == _split(row["countries"])
        assert doc.regions == _split(row["regions"])
        assert (doc.doc_type, doc.year, doc.lang) == (row["doc_type"], int(row["year"]), row["lang"])
        assert doc.topics == _split(row["topics"])
    for passage in passages:
        doc = docs[passage.meta["path"]]
        assert passage.meta["doc_countries"] == doc.countries and passage.meta["doc_type"] == doc.doc_type
        if len(doc.countries) == 1:  # a single-country study's passages are about its country (and others named)
            assert passage.meta["countries"][0] == doc.countries[0]


@pytest.mark.slow
def test_stats_json_counts_match_the_catalogue(corpus_index):
    out = subprocess.run([sys.executable, "-m", "kb.cli", "stats", "--json", "--index", str(corpus_index)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout)
    rows = list(_catalog().values())
    assert stats["documents"] == len(rows)
    assert stats["per_type"] == dict(Counter(r["doc_type"] for r in rows))
    assert stats["per_language"] == dict(Counter(r["lang"] for r in rows))
    assert stats["per_country"] == dict(Counter(c for r in rows for c in _split(r["countries"])))
    assert stats["per_region"] == dict(Counter(g for r in rows for g in _split(r["regions"])))
    assert stats["per_year"] == {k: v for k, v in Counter(r["year"] for r in rows).items()}
    assert stats["passages"] > 100


@pytest.mark.slow
def test_pdf_passages_cite_physical_pages(corpus_index):
    """Every question phrase on a PDF page is found in a passage whose page range holds that page."""
    from kb.core.text import fold_words as fold
    from kb.service import KnowledgeBase

    with KnowledgeBase(index=corpus_index) as kb:
        by_path: dict[str, list] = {}
        for p in kb.store().filter_documents():
            by_path.setdefault(p.meta["path"], []).append(p)
    checked = 0
    for line in (ROOT / "corpus" / "questions.jsonl").read_text().splitlines():
        for ans in json.loads(line)["answers"]:
            if ans["page"] is None:
                continue
            path = str((ROOT / "corpus" / ans["path"]).resolve())
            holders = [p for p in by_path[path] if fold(ans["phrase"]) in fold(p.content)]
            assert holders, ans
            assert any(p.meta["page_start"] <= ans["page"] <= p.meta["page_end"] for p in holders), ans
            checked += 1
    assert checked >= 20
