"""`kb eval --questions`: matching rules, threshold calibration, and the report's shape."""

import json
from pathlib import Path

import pytest

from kb import cli, evaluate

ROOT = Path(__file__).resolve().parents[2]


def test_a_passage_matches_by_file_page_and_folded_phrase(tmp_path):
    expected = evaluate.Expected((tmp_path / "docs" / "a.pdf").resolve(), 3, "pays  KES 2,000")
    meta = {"path": str(tmp_path / "docs" / "a.pdf"), "page_start": 2, "page_end": 3}
    assert evaluate.matches(meta, "It PAYS kes\n2,000 a month.", expected)
    assert not evaluate.matches({**meta, "page_end": 2}, "It pays KES 2,000.", expected)
    assert not evaluate.matches({**meta, "path": str(tmp_path / "b.pdf")}, "It pays KES 2,000.", expected)
    assert evaluate.matches({**meta, "path": "docs/a.pdf"}, "it pays kes 2,000", expected)  # relative, by suffix


def test_calibration_takes_the_middle_of_the_widest_best_run():
    rows = [{"threshold": t / 10, "errors": e} for t, e in enumerate([5, 3, 3, 3, 4, 3, 6])]
    assert evaluate.calibrate(rows) == 0.2


def test_a_malformed_question_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "x"}\n')
    with pytest.raises(evaluate.UsageError, match="line 1"):
        evaluate.load_questions(bad)


@pytest.mark.slow
def test_eval_questions_json_shape(corpus_index, tmp_path, capsys):
    lines = (ROOT / "corpus" / "questions.jsonl").read_text().splitlines()
    small = tmp_path / "questions.jsonl"
    small.write_text("\n".join(lines[:3] + lines[-2:]) + "\n")
    (tmp_path / "docs").symlink_to(ROOT / "corpus" / "docs")  # answer paths resolve next to the question file
    assert cli.main(["eval", "--questions", str(small), "--index", str(corpus_index), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    overall = data["overall"]
    for key in ("hit@1", "hit@5", "hit@10", "cited_correct", "answerable_refused", "unanswerable_answered",
                "abstention_precision", "abstention_recall", "quotes_valid"):
        assert key in overall
    assert overall["questions"] == 5 and overall["answerable"] == 3 and overall["unanswerable"] == 2
    assert overall["quotes_valid"] == 1.0 and overall["hit@10"] > 0
    assert set(data["per_language"]) == {"en"}
    assert cli.main(["eval", "--questions", str(small), "--index", str(corpus_index)]) == 0
    assert "hit@5" in capsys.readouterr().out
