"""One folding of text for every comparison: names, keywords, headings, passage identity."""

from kb.core.text import fold, fold_words, squash


def test_fold_removes_case_and_accents_but_keeps_punctuation():
    assert fold("Sécurité SOCIALE, Perú") == "securite sociale, peru"
    assert fold("Côte d’Ivoire") == "cote d'ivoire"
    assert fold("Straße") == "strasse"


def test_fold_words_turns_punctuation_into_single_spaces():
    assert fold_words("  Côte d’Ivoire -- (CIV)  ") == "cote d ivoire civ"
    assert fold_words("social_protection") == "social protection"


def test_squash_keeps_accents_and_ignores_spacing_and_case():
    assert squash("La  PENSIÓN\nbásica") == "la pensión básica"
    assert squash("Pensión") != squash("pension")


def test_passages_that_overlap_are_joined_with_the_overlap_written_once():
    from kb.core.text import join_overlapping

    shared = "Everyone aged seventy receives the pension every month."
    assert join_overlapping([f"The pension is universal. {shared}", f"{shared} It is paid by the State."]) == (
        f"The pension is universal. {shared} It is paid by the State.")
    assert join_overlapping(["One paragraph.", "Another paragraph.", ""]) == "One paragraph.\n\nAnother paragraph."
