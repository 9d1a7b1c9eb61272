from collections import Counter

from ingest.doc_signals import clean_title, detect_doc_type, detect_year
from ingest.facets import extract_facets
from ingest.language import detect_language
from ingest.topics import detect_topics
from kb.core.countries import choose_dominant, count_mentions, lookup_country, regions_for


def test_names_demonyms_and_abbreviations_in_three_languages():
    text = (
        "Uruguay y los uruguayos; l'Ouzbékistan et les Ouzbeks; Cambodian households; the USA and the U.K.; "
        "Côte d'Ivoire; la RDC; les États-Unis; Türkiye"
    )
    counts = count_mentions(text)
    assert counts["URY"] == 2 and counts["UZB"] == 2 and counts["KHM"] == 1 and counts["USA"] == 2
    assert counts["GBR"] == 1 and counts["CIV"] == 1 and counts["COD"] == 1 and counts["TUR"] == 1


def test_currency_and_first_names_are_not_countries():
    assert count_mentions("paid in US dollars and United States dollars, said Mauricio Macri") == Counter()


def test_lookup_and_regions():
    assert [lookup_country(n) for n in ("URY", "UY", "Argentine", "Camboya", "Nowhere")] == [
        "URY",
        "URY",
        "ARG",
        "KHM",
        None,
    ]
    assert regions_for(["EGY", "JOR", "TUR", "UZB", "URY"]) == [
        "Africa",
        "Arab States",
        "Europe and Central Asia",
        "Americas",
    ]


def test_dominant_country_not_every_mention():
    assert choose_dominant(Counter({"ARG": 40, "BRA": 3, "CHL": 2}), Counter()) == ["ARG"]
    assert choose_dominant(Counter({"KHM": 4, "CPV": 4, "MDG": 3, "FRA": 1}), Counter()) == []
    assert choose_dominant(Counter({"KGZ": 140, "UZB": 120, "TJK": 100, "RUS": 5}), Counter()) == [
        "KGZ",
        "UZB",
        "TJK",
    ]
    assert choose_dominant(Counter({"BRA": 2}), Counter({"UZB": 1})) == ["UZB"]


def test_language():
    assert detect_language("La protection sociale est un droit humain pour toutes les personnes.") == "fr"
    assert detect_language("La protección social es un derecho humano para todas las personas.") == "es"
    assert detect_language("Social protection is a human right for everyone.") == "en"


def test_doc_type_year_title_and_topics():
    law = "\n".join(
        f"Artículo {i}\nEl régimen de jubilación se aplica a todos los trabajadores." for i in range(1, 9)
    )
    assert detect_doc_type(law, "Ley N° 16713", "pdf", 1.0, 30) == "legal"
    assert detect_doc_type("word " * 400, "Home", "html", 0.0, 0) == "promotional"
    assert detect_doc_type("word " * 4000, "Country case study: Ghana", "pdf", 0.9, 50) == "country_study"
    assert detect_doc_type("word " * 4000, "World Social Protection Report", "pdf", 0.2, 5) == "report"
    assert detect_year("Promulgación: 03/09/1995", "Ley N° 20130") == 1995
    assert detect_year("text", "Report 2021", property_date="2023-05-02") == 2023
    assert clean_title("Microsoft Word - draft.docx") is None and clean_title(" World Bank Document ") is None
    text = "Old-age pensions and pension reform; maternity benefits and maternity leave; pensions. " * 5
    assert detect_topics(text)[:2] == ["old_age", "maternity"]


def test_precedence_catalogue_over_properties_over_detection():
    text = "Uruguay " * 20 + "La protección social de los trabajadores en el Uruguay. " * 20
    meta = {"path": "a.md", "source_format": "markdown"}
    detected = extract_facets(text, meta, {})
    assert (
        detected["countries"] == ["URY"] and detected["lang"] == "es" and detected["regions"] == ["Americas"]
    )
    properties = extract_facets(text, meta, {"countries": ["ARG"], "title": "From front matter"})
    assert properties["countries"] == ["ARG"] and properties["title"] == "From front matter"
