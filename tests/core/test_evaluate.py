"""Reading EQUATE-style pairs, judging them and scoring the verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.compare import Verdict
from harness.evaluate import PairRow, judge_pairs, read_pairs, score, verdict_to_json

CSV = """premise,hypothesis,label,sample_index
"The war has killed 250,000 people.","The war has killed 270,000 people.",contradiction,0
"The war has killed 250,000 people.","The war has killed more than 200,000 people.",entailment,1
"The war has killed more than 200,000 people.","The war has killed 250,000 people.",neutral,2
"Tim has 6 apples.","Tim has less than 6 apples.",contradiction,3
"""


def test_read_pairs(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(CSV, encoding="utf-8")
    rows = read_pairs(path)
    assert len(rows) == 4
    assert rows[0] == PairRow(
        "The war has killed 250,000 people.",
        "The war has killed 270,000 people.",
        "contradiction",
        "0",
    )


def test_read_pairs_without_labels(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text('premise,hypothesis\n"A b.","C d."\n', encoding="utf-8")
    assert read_pairs(path) == [PairRow("A b.", "C d.")]


def test_read_pairs_needs_columns(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="premise"):
        read_pairs(path)


def test_judge_and_score(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(CSV, encoding="utf-8")
    rows = read_pairs(path)
    verdicts = judge_pairs(rows, [0.95] * len(rows))
    assert [v.relation for v in verdicts] == ["conflict", "agree", "agree", "conflict"]
    report = score(rows, verdicts)
    assert (report.true_positives, report.false_positives, report.false_negatives) == (2, 0, 0)
    assert report.precision == report.recall == report.f1 == 1.0
    assert report.share_entailment_flagged == 0.0
    assert report.share_neutral_flagged == 0.0


def test_score_counts_errors() -> None:
    rows = [
        PairRow("a", "b", "contradiction"),
        PairRow("a", "b", "contradiction"),
        PairRow("a", "b", "entailment"),
        PairRow("a", "b", "neutral"),
    ]
    verdicts = [
        Verdict("conflict", "x"),
        Verdict("agree", "x"),
        Verdict("conflict", "x"),
        Verdict("unrelated", "x"),
    ]
    report = score(rows, verdicts)
    assert report.precision == 0.5
    assert report.recall == 0.5
    assert report.f1 == 0.5
    assert report.share_entailment_flagged == 1.0
    assert report.share_neutral_flagged == 0.0
    assert report.count_by_label == {"contradiction": 2, "entailment": 1, "neutral": 1}


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="similarities"):
        judge_pairs([PairRow("a", "b")], [])
    with pytest.raises(ValueError, match="verdicts"):
        score([PairRow("a", "b")], [])


def test_verdict_to_json_is_serialisable() -> None:
    rows = [PairRow("The war has killed 250,000 people.", "The war has killed 270,000 people.")]
    (verdict,) = judge_pairs(rows, [0.9])
    data = verdict_to_json(verdict)
    assert data["conflict"] is True
    assert data["relation"] == "conflict"
    assert data["reason"]
    (conflict,) = data["conflicts"]
    assert conflict["measure"] == "people killed"
    assert conflict["a"]["text"] == "250,000 people"
    assert conflict["b"]["interval"]["notation"] == "[265000, 275000]"
    json.dumps(data)
