"""Consistency checks for the bundled corpus.

Usage (from the repository root):

    .venv/bin/python corpus/check.py              # all checks, including build determinism
    .venv/bin/python corpus/check.py --no-build   # skip the (slower) determinism check

Checks:
  * catalog.csv: header, one row per file under docs/ and a file for every row, allowed vocabularies
    (ISO 3166-1 alpha-3 countries, ILO regions consistent with the countries, doc types, languages,
    topics), year range;
  * coverage: >= 15 countries, all five ILO regions, >= 3 French and >= 3 Spanish documents;
  * questions.jsonl: schema, >= 70 questions, >= 10 unanswerable, >= 10 in French or Spanish, at least
    half paraphrased, and every answer phrase found verbatim (whitespace-collapsed, case-sensitive) on the
    stated physical page of a PDF, or anywhere in the text of a DOCX/HTML/MD/TXT document (page null);
  * build determinism: corpus/build.py run twice into temporary folders gives byte-identical files, equal
    to the files committed under docs/.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from kb.core import models
from kb.core.countries import regions_for

CORPUS = Path(__file__).resolve().parent
DOCS = CORPUS / "docs"
HEADER = ["path", "title", "countries", "regions", "doc_type", "year", "lang", "topics"]
FORMATS = {".pdf", ".docx", ".html", ".md", ".txt"}  # the formats the bundled corpus uses (kb reads more)
REGIONS = set(models.REGIONS)
DOC_TYPES = set(models.DOC_TYPES)
LANGS = set(models.LANGUAGES)
TOPICS = set(models.TOPICS)


def ilo_region(code: str) -> str | None:
    """The ILO region of a member State (ILO regional groupings: Morocco is in Africa)."""
    return next(iter(regions_for([code])), None)


errors: list[str] = []


def err(msg: str) -> None:
    errors.append(msg)


def split(v: str) -> list[str]:
    return [x for x in v.split(";") if x] if v else []


def ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


# ------------------------------------------------------------------------------------------------
# Text extraction (mirrors what an ingester sees)
# ------------------------------------------------------------------------------------------------

_text_cache: dict[Path, list[str]] = {}


def pages_of(path: Path) -> list[str]:
    """List of whitespace-collapsed page texts (one element for formats without pages)."""
    if path in _text_cache:
        return _text_cache[path]
    suf = path.suffix
    if suf == ".pdf":
        import pypdf

        out = [ws(p.extract_text() or "") for p in pypdf.PdfReader(str(path)).pages]
    elif suf == ".docx":
        import docx

        d = docx.Document(str(path))
        parts = [p.text for p in d.paragraphs]
        for t in d.tables:
            for row in t.rows:
                parts.extend(c.text for c in row.cells)
        out = [ws("\n".join(parts))]
    elif suf == ".html":
        raw = path.read_text(encoding="utf-8")
        raw = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", raw)
        raw = re.sub(r"(?s)<[^>]+>", " ", raw)
        out = [ws(html.unescape(raw))]
    else:
        out = [ws(path.read_text(encoding="utf-8"))]
    _text_cache[path] = out
    return out


# ------------------------------------------------------------------------------------------------


def check_catalog() -> dict[str, dict]:
    import pycountry

    rows: dict[str, dict] = {}
    with open(CORPUS / "catalog.csv", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header != HEADER:
            err(f"catalog header {header} != {HEADER}")
        for n, rec in enumerate(reader, start=2):
            if len(rec) != len(HEADER):
                err(f"catalog line {n}: {len(rec)} fields")
                continue
            row = dict(zip(HEADER, rec))
            p = row["path"]
            if p in rows:
                err(f"catalog: duplicate row for {p}")
            rows[p] = row
            if not (CORPUS / p).is_file():
                err(f"catalog: missing file {p}")
            if not p.startswith("docs/") or "\\" in p:
                err(f"catalog: bad path {p}")
            if Path(p).suffix not in FORMATS:
                err(f"catalog: unsupported format {p}")
            countries = split(row["countries"])
            regions = split(row["regions"])
            for c in countries:
                if not re.fullmatch(r"[A-Z]{3}", c) or pycountry.countries.get(alpha_3=c) is None:
                    err(f"{p}: bad country code {c}")
                if ilo_region(c) is None:
                    err(f"{p}: no ILO region known for {c}")
            for r in regions:
                if r not in REGIONS:
                    err(f"{p}: bad region {r!r}")
            if countries:
                expected = {ilo_region(c) for c in countries}
                if set(regions) != expected:
                    err(f"{p}: regions {sorted(regions)} != regions of countries {sorted(expected)}")
            if row["doc_type"] not in DOC_TYPES:
                err(f"{p}: bad doc_type {row['doc_type']}")
            if row["lang"] not in LANGS:
                err(f"{p}: bad lang {row['lang']}")
            if not re.fullmatch(r"\d{4}", row["year"]) or not 2000 <= int(row["year"]) <= 2026:
                err(f"{p}: bad year {row['year']}")
            topics = split(row["topics"])
            if not 1 <= len(topics) <= 4:
                err(f"{p}: {len(topics)} topics (need 1-4)")
            for t in topics:
                if t not in TOPICS:
                    err(f"{p}: bad topic {t}")
            if not row["title"].strip():
                err(f"{p}: empty title")
    on_disk = {str(f.relative_to(CORPUS)).replace("\\", "/") for f in DOCS.rglob("*") if f.is_file()}
    for f in sorted(on_disk - set(rows)):
        err(f"file under docs/ without catalog row: {f}")
    return rows


def check_coverage(rows: dict[str, dict]) -> dict:
    countries = {c for r in rows.values() for c in split(r["countries"])}
    regions = {g for r in rows.values() for g in split(r["regions"])}
    langs = Counter(r["lang"] for r in rows.values())
    formats = Counter(Path(p).suffix for p in rows)
    types = Counter(r["doc_type"] for r in rows.values())
    if len(countries) < 15:
        err(f"only {len(countries)} countries")
    if regions != REGIONS:
        err(f"regions covered {sorted(regions)}")
    if langs["fr"] < 3 or langs["es"] < 3:
        err(f"languages {dict(langs)}")
    return {"documents": len(rows), "countries": len(countries), "regions": len(regions),
            "langs": dict(langs), "formats": dict(formats), "doc_types": dict(types)}


def check_questions(rows: dict[str, dict]) -> dict:
    qs = []
    with open(CORPUS / "questions.jsonl", encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                qs.append(json.loads(line))
            except json.JSONDecodeError as e:
                err(f"questions line {n}: {e}")
    ids = Counter(q.get("id") for q in qs)
    for i, c in ids.items():
        if c > 1:
            err(f"duplicate question id {i}")
    cited: set[str] = set()
    for q in qs:
        qid = q.get("id")
        for k in ("id", "question", "lang", "kind", "answerable", "paraphrased", "answers"):
            if k not in q:
                err(f"{qid}: missing key {k}")
        if q.get("lang") not in LANGS:
            err(f"{qid}: bad lang")
        if q.get("kind") not in {"precedent", "lessons", "explain"}:
            err(f"{qid}: bad kind {q.get('kind')}")
        answers = q.get("answers", [])
        if q.get("answerable") and not answers:
            err(f"{qid}: answerable without answers")
        if not q.get("answerable") and answers:
            err(f"{qid}: unanswerable with answers")
        for a in answers:
            p = a.get("path")
            phrase = a.get("phrase", "")
            if p not in rows:
                err(f"{qid}: answer path not in catalog: {p}")
                continue
            cited.add(p)
            nwords = len(phrase.split())
            if not 5 <= nwords <= 12:
                err(f"{qid}: phrase has {nwords} words: {phrase!r}")
            pages = pages_of(CORPUS / p)
            page = a.get("page")
            if p.endswith(".pdf"):
                if not isinstance(page, int) or not 1 <= page <= len(pages):
                    err(f"{qid}: bad page {page} for {p} ({len(pages)} pages)")
                    continue
                if ws(phrase) not in pages[page - 1]:
                    found = [i + 1 for i, t in enumerate(pages) if ws(phrase) in t]
                    err(f"{qid}: phrase not on page {page} of {p} (found on {found}): {phrase!r}")
            else:
                if page is not None:
                    err(f"{qid}: page must be null for {p}")
                if ws(phrase) not in pages[0]:
                    err(f"{qid}: phrase not in {p}: {phrase!r}")
    n = len(qs)
    unans = sum(1 for q in qs if q.get("answerable") is False)
    fres = sum(1 for q in qs if q.get("lang") in ("fr", "es"))
    para = sum(1 for q in qs if q.get("paraphrased") is True)
    multi = sum(1 for q in qs if len({a["path"] for a in q.get("answers", [])}) >= 2)
    if n < 70:
        err(f"only {n} questions")
    if unans < 10:
        err(f"only {unans} unanswerable questions")
    if fres < 10:
        err(f"only {fres} French/Spanish questions")
    if para * 2 < n:
        err(f"only {para} paraphrased questions of {n}")
    return {"questions": n, "unanswerable": unans, "fr_es": fres, "paraphrased": para,
            "multi_document": multi, "documents_cited": len(cited),
            "kinds": dict(Counter(q.get("kind") for q in qs))}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_determinism() -> dict:
    sys.path.insert(0, str(CORPUS))
    import build

    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        outs_a = build.build_all(verbose=False, out_root=Path(a))
        outs_b = build.build_all(verbose=False, out_root=Path(b))
        n = 0
        for pa in outs_a:
            rel = pa.relative_to(a)
            pb = Path(b) / rel
            if sha(pa) != sha(pb):
                err(f"build not deterministic: {rel}")
            committed = CORPUS / rel
            if not committed.is_file():
                err(f"generated file missing from corpus: {rel}")
            elif sha(committed) != sha(pa):
                err(f"corpus/{rel} differs from a fresh build (run corpus/build.py)")
            n += 1
        if len(outs_b) != len(outs_a):
            err("builds produced different file sets")
    return {"generated_files": n}


def main(argv: list[str]) -> int:
    rows = check_catalog()
    summary = {"coverage": check_coverage(rows), "questions": check_questions(rows)}
    if "--no-build" not in argv:
        summary["determinism"] = check_determinism()
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print("  -", e)
        return 1
    print("\nOK: all corpus checks passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
