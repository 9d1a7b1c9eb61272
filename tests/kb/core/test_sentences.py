"""Sentence boundaries, footnote numbers after a full stop included."""

from kb.core.sentences import sentence_spans


def split(text: str, lang: str = "en") -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text, lang)]


def test_plain_sentences():
    assert split("The scheme pays monthly. It covers older people! Does it?") == [
        "The scheme pays monthly.", "It covers older people!", "Does it?",
    ]


def test_a_footnote_number_after_the_full_stop_ends_the_sentence_with_it():
    text = "The reaction cushioned the impact of the crisis.8 Indeed, the economy grew again."
    assert split(text) == ["The reaction cushioned the impact of the crisis.8", "Indeed, the economy grew again."]


def test_decimals_and_numbered_articles_are_no_boundary():
    assert split("Growth was 10.5 In the next year it fell.") == ["Growth was 10.5 In the next year it fell."]
    assert split("See Article 3.2 The rule applies. Then more.") == ["See Article 3.2 The rule applies.", "Then more."]
    assert split("Version 2.5 is out.") == ["Version 2.5 is out."]


def test_abbreviations_before_a_number_are_no_footnote():
    assert split("It is shown in Fig.4 A second figure follows.") == ["It is shown in Fig.4 A second figure follows."]
