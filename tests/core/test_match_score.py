"""The match score's words, features and shipped model, with plain tables of sentences."""

from __future__ import annotations

import pytest

from app.core.compare import Verdict
from app.core.match_score import FEATURES, MatchModel, load_match_model, match_features
from app.core.words import content_words, names, numbers

AGREE = Verdict("agree", "same")
UNRELATED = Verdict("unrelated", "different")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("The war has killed 270,000 people.", ["war", "killed", "270", "000", "people"]),
        ("Russia's jets and the Kremlin's", ["russia", "jets", "kremlin"]),
        ("A I of to", []),
    ],
)
def test_content_words(text: str, words: list[str]) -> None:
    assert content_words(text) == words


def test_numbers_and_names() -> None:
    assert numbers("killed 270,000 people and 1.5 million") == {"270000", "1.5"}
    assert names("Putin met Assad in Damascus on Monday.") == {"assad", "damascus"}
    assert names("He said Vladimir Putin ordered it.") == {"vladimir", "putin"}


def test_features_of_a_paraphrase_and_of_strangers() -> None:
    same = match_features(
        "Putin ordered the withdrawal of 50 jets from Syria.",
        "Putin ordered 50 jets withdrawn from Syria.",
        0.9,
        AGREE,
    )
    other = match_features(
        "Putin ordered the withdrawal of 50 jets from Syria.",
        "The Fed raised rates by 25 basis points in Washington.",
        0.1,
        UNRELATED,
    )
    assert set(same) == set(FEATURES)
    assert same["word_overlap"] > 0.5 > other["word_overlap"]
    assert same["numbers_shared"] == 1.0
    assert other["numbers_differ"] == 1.0
    assert same["names_shared"] == 1.0


def test_the_shipped_model_ranks_paraphrases_above_strangers() -> None:
    model = load_match_model()
    assert set(model.weights) == set(FEATURES)
    paraphrase = model.score(
        "Russia sent over 50 warplanes to Syria on Monday.",
        "Russia deployed more than 50 warplanes to Syria on Monday.",
        0.92,
        AGREE,
    )
    strangers = model.score(
        "Russia sent over 50 warplanes to Syria on Monday.",
        "The central bank raised interest rates on Tuesday.",
        0.12,
        UNRELATED,
    )
    assert 0.7 < paraphrase <= 1
    assert 0 <= strangers < 0.1


def test_a_model_survives_its_json() -> None:
    model = MatchModel(-1.0, dict.fromkeys(FEATURES, 0.5))
    again = MatchModel.from_json(model.to_json(fitted_on="test"))
    assert again == model
    assert model.probability(dict.fromkeys(FEATURES, 0.0)) == pytest.approx(0.2689, abs=1e-4)
