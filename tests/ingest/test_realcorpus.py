"""Measurements on ../shared/realcorpus (skipped when absent): page citations, window, facets, read reasons."""

import csv
import logging

import pycountry
import pytest

from kb.errors import DocumentReadError

from .conftest import REALCORPUS

pytestmark = [
    pytest.mark.realcorpus,
    pytest.mark.slow,
    pytest.mark.skipif(not (REALCORPUS / "MANIFEST.tsv").exists(), reason="../shared/realcorpus is absent"),
]

# Short search phrases (5 words) and the physical page (pypdf, page by page) where each appears once.
PHRASES = [
    (
        "en/uzbekistan/ESCAP_Unpaid_Care_Work_Uzbekistan_2023.pdf",
        [
            ("region. The Commission promotes cooperation", 2),
            ("the household, women are likely", 13),
            ("change provides the government with", 26),
        ],
    ),
    (
        "en/uzbekistan/GIZ_SPIL_Social_Protection_Uzbekistan_2022.pdf",
        [
            ("combining universal benefits with targeted", 1),
            ("harness adaptive social protection systems", 2),
        ],
    ),
    (
        "en/uzbekistan/IPCIG_Universal_Health_Insurance_Uzbekistan_2023.pdf",
        [("care systems. While Japan and", 1)],
    ),
    (
        "en/uzbekistan/UNDP_Decent_Employment_Formality_Central_Asia_2024.pdf",
        [
            ("Mctaggart, Social Protection specialist, Inclusive", 2),
            ("social security and workplace rights", 33),
        ],
    ),
    (
        "en/uzbekistan/UNICEF_Road_to_Recovery_Uzbekistan_COVID_2021.pdf",
        [
            ("How social protection can address", 2),
            ("for this paper using the", 18),
            ("were developed for different subgroups", 35),
        ],
    ),
    (
        "en/uzbekistan/WorldBank_Energy_Subsidy_Reform_Uzbekistan_2023.pdf",
        [("policy tools, including consumption taxes", 42)],
    ),
    (
        "es/uruguay/Decreto_228_023_reglamentacion_Ley_20130.pdf",
        [
            ("nacional, con las correspondientes obligaciones", 2),
            ("que haya decisión expresa del", 9),
            ("los adeudos del contribuyente por", 18),
        ],
    ),
    (
        "es/uruguay/Decreto_413_023_reglamentacion_Ley_20130.pdf",
        [("cuenta los resultados operativos observados", 2)],
    ),
    (
        "es/uruguay/Ley_16713_1995_seguridad_social.pdf",
        [
            ("pasividad, han configurado causal jubilatoria", 2),
            ("Social contribuirán sobre sus pasividades", 113),
        ],
    ),
    (
        "es/uruguay/Ley_20130_2023_reforma_seguridad_social.pdf",
        [("financiamiento entre las generaciones actuales", 2), ("valor total del mencionado Fondo", 81)],
    ),
]


@pytest.fixture(scope="module")
def manifest():
    with (REALCORPUS / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="module")
def converted(converter, manifest):
    """Every realcorpus file converted once: path → (SourceDocument, passages) or the DocumentReadError."""
    logging.getLogger("ingest").setLevel(logging.ERROR)
    results = {}
    for row in manifest:
        try:
            results[row["file"]] = converter.convert(
                REALCORPUS / row["file"], doc_id=row["sha256"][:16], rel_path=row["file"]
            )
        except DocumentReadError as error:
            results[row["file"]] = error
    return results


def test_every_file_converts_or_fails_with_a_specific_reason(converted):
    for name, result in converted.items():
        if isinstance(result, DocumentReadError):
            assert result.reason and result.reason != "no text found", name
        else:
            source, passages = result
            assert passages and source.passages == len(passages), name


@pytest.mark.parametrize(("name", "phrases"), PHRASES, ids=[name.split("/")[-1] for name, _ in PHRASES])
def test_pdf_passages_cite_the_physical_page(converted, name, phrases):
    _, passages = converted[name]
    for phrase, page in phrases:
        hits = [p for p in passages if phrase in " ".join(p.content.split())]
        assert hits, phrase
        assert all(p.meta["page_start"] <= page <= p.meta["page_end"] for p in hits), (phrase, page)


def test_at_least_99_percent_of_passages_fit_the_window(converted, tokenizer):
    contents = [
        p.content for result in converted.values() if not isinstance(result, Exception) for p in result[1]
    ]
    lengths = [len(ids) for ids in tokenizer(contents)["input_ids"]]
    within = sum(n <= 256 for n in lengths) / len(lengths)
    print(f"\n{len(lengths)} passages, {within:.2%} within 256 word-pieces")
    assert within >= 0.99


def test_country_and_language_right_for_90_percent_without_catalogue(converted, manifest):
    right = 0
    for row in manifest:
        result = converted[row["file"]]
        if isinstance(result, Exception):
            continue
        source = result[0]
        right += _country_right(row, source.countries) and source.lang == row["lang"]
    print(f"\ncountry and language right for {right} of {len(manifest)} documents")
    assert right >= 0.9 * len(manifest)


def _country_right(row: dict[str, str], countries: list[str]) -> bool:
    """'Global/Pakistan' pages are right with no country (or Pakistan on pakistan.html); else the truth is listed."""
    truth = row["country"]
    if truth.startswith("Global"):
        expected = (
            [pycountry.countries.lookup(truth.split("/")[1]).alpha_3] if "pakistan" in row["file"] else []
        )
        return countries == expected
    return pycountry.countries.lookup(truth).alpha_3 in countries
