"""Questions' language: English is told from French and Spanish at once (the dense model reads English only)."""

from ingest.language import detect_query_language


def test_questions_in_the_three_languages():
    assert detect_query_language("How are old-age pensions financed in Kenya?") == "en"
    assert detect_query_language("Comment la couverture maladie universelle est-elle financée ?") == "fr"
    assert detect_query_language("¿Cómo se financia el ingreso mínimo vital?") == "es"


def test_the_query_detector_knows_only_the_three_languages():
    assert detect_query_language("Wie wird die Rente finanziert?") in {"en", "fr", "es"}


def test_nothing_to_detect_gives_the_default():
    assert detect_query_language("", default="en") == "en"
    assert detect_query_language("1234", default="fr") == "fr"
