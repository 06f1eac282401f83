"""The match score: how likely two claims are to state the same thing, 0..1.

A logistic regression over a few features of the pair (the embeddings' cosine, the content
words and names they share, whether their numbers and quantities agree), fitted on MRPC's
training pairs (news sentences people judged paraphrases or not) by ``crosscheck eval mrpc
--fit`` and shipped as data (``match_model.json``). It is a probability in MRPC's population:
pairs from one news story, two in three of them paraphrases; docs/matching.md has its
reliability table.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from app.core.compare import Verdict
from app.core.words import content_words, names, numbers

FEATURES = (
    "cosine",
    "cosine_squared",
    "word_overlap",
    "word_containment",
    "bigram_overlap",
    "unshared_words",
    "names_shared",
    "names_differ",
    "numbers_shared",
    "numbers_differ",
    "quantities_agree",
    "quantities_conflict",
    "length_ratio",
)


def _jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _bigrams(words: list[str]) -> frozenset[tuple[str, str]]:
    return frozenset(itertools.pairwise(words))


def match_features(a: str, b: str, similarity: float, verdict: Verdict) -> dict[str, float]:
    """The features of a pair of claim texts, their cosine and the core's verdict on them."""
    words_a, words_b = content_words(a), content_words(b)
    set_a, set_b = frozenset(words_a), frozenset(words_b)
    smaller = min(len(set_a), len(set_b))
    names_a, names_b = names(a), names(b)
    numbers_a, numbers_b = numbers(a), numbers(b)
    longer = max(len(words_a), len(words_b))
    return {
        "cosine": similarity,
        "cosine_squared": similarity * similarity,
        "word_overlap": _jaccard(set_a, set_b),
        "word_containment": len(set_a & set_b) / smaller if smaller else 0.0,
        "bigram_overlap": _jaccard(_bigrams(words_a), _bigrams(words_b)),
        "unshared_words": math.log1p(len(set_a ^ set_b)),
        "names_shared": _jaccard(names_a, names_b),
        "names_differ": float(bool(names_a and names_b) and not names_a & names_b),
        "numbers_shared": _jaccard(numbers_a, numbers_b),
        "numbers_differ": float(bool(numbers_a and numbers_b) and not numbers_a & numbers_b),
        "quantities_agree": float(verdict.agreements > 0),
        "quantities_conflict": float(verdict.relation == "conflict"),
        "length_ratio": min(len(words_a), len(words_b)) / longer if longer else 1.0,
    }


@dataclass(frozen=True, slots=True)
class MatchModel:
    """A fitted logistic regression: ``sigmoid(intercept + sum(weight * feature))``."""

    intercept: float
    weights: Mapping[str, float]

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(w * features[name] for name, w in self.weights.items())
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def score(self, a: str, b: str, similarity: float, verdict: Verdict) -> float:
        """The match score of two claim texts."""
        return self.probability(match_features(a, b, similarity, verdict))

    def to_json(self, **about: object) -> str:
        return json.dumps(
            {"intercept": self.intercept, "weights": dict(self.weights), **about}, indent=2
        )

    @classmethod
    def from_json(cls, raw: str) -> MatchModel:
        data = json.loads(raw)
        weights = {name: float(data["weights"][name]) for name in FEATURES}
        return cls(float(data["intercept"]), weights)


MODEL_FILE = "match_model.json"


@cache
def load_match_model() -> MatchModel:
    """The shipped model (``app/core/match_model.json``), read once."""
    raw = resources.files("app.core").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return MatchModel.from_json(raw)
