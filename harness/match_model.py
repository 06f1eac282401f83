"""Fitting and scoring the match score on MRPC (``crosscheck eval-mrpc``): a logistic
regression over ``app.core.match_score``'s features, fitted by Newton's method (IRLS) with a
small ridge penalty, cross-validated, and written as the package's ``match_model.json``."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.core.analysis import analyse_claim
from app.core.compare import ComparePolicy, Verdict, compare_claims
from app.core.match_score import FEATURES, MatchModel, match_features

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Pair:
    a: str
    b: str
    paraphrase: bool


def read_mrpc(path: Path) -> list[Pair]:
    """MRPC's tab-separated pairs (Quality, #1 ID, #2 ID, #1 String, #2 String)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        return [Pair(row[3], row[4], row[0] == "1") for row in reader if len(row) >= 5]


def feature_matrix(
    pairs: Sequence[Pair], similarities: Sequence[float], policy: ComparePolicy
) -> tuple[Array, list[Verdict]]:
    """One row of ``FEATURES`` per pair, as the service computes them, and the core's verdict
    on each pair (as two claims of two sources)."""
    rows = []
    verdicts = []
    for pair, similarity in zip(pairs, similarities, strict=True):
        verdict = compare_claims(
            analyse_claim(pair.a, None), analyse_claim(pair.b, None), similarity, policy
        )
        features = match_features(pair.a, pair.b, similarity, verdict)
        rows.append([features[name] for name in FEATURES])
        verdicts.append(verdict)
    return np.asarray(rows, dtype=np.float64), verdicts


def fit_logistic(x: Array, y: Array, ridge: float = 1.0, iterations: int = 50) -> MatchModel:
    """Maximum-likelihood logistic regression with an L2 penalty on the weights (not the
    intercept), by Newton's method."""
    design = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * ridge
    penalty[0, 0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (y - p) - penalty @ beta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return MatchModel(
        float(beta[0]), {n: float(w) for n, w in zip(FEATURES, beta[1:], strict=True)}
    )


def predict(model: MatchModel, x: Array) -> Array:
    return np.asarray([model.probability(dict(zip(FEATURES, row, strict=True))) for row in x])


def cross_validated(x: Array, y: Array, folds: int = 5, seed: int = 0) -> Array:
    """Out-of-fold probabilities: each pair scored by a model fitted without its fold."""
    order = np.random.default_rng(seed).permutation(len(x))
    out = np.zeros(len(x))
    for fold in range(folds):
        test = order[fold::folds]
        train = np.setdiff1d(order, test)
        out[test] = predict(fit_logistic(x[train], y[train]), x[test])
    return out


def roc_auc(scores: Array, y: Array) -> float:
    """The probability that a random positive outscores a random negative (ties half)."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    positives = y == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def precision_recall(scores: Array, y: Array, threshold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``score >= threshold``."""
    return decision_quality(scores >= threshold, y)


def decision_quality(predicted: npt.NDArray[np.bool_], y: Array) -> tuple[float, float, float]:
    """Precision, recall and F1 of a yes/no decision per pair."""
    tp = float((predicted & (y == 1)).sum())
    precision = tp / predicted.sum() if predicted.sum() else 0.0
    recall = tp / (y == 1).sum() if (y == 1).sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def reliability(scores: Array, y: Array, bins: int = 10) -> list[tuple[str, int, float, float]]:
    """(bin, pairs, mean score, share positive) for equal-width bins of the score."""
    table = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = (scores >= low) & ((scores < high) if b < bins - 1 else (scores <= high))
        if inside.any():
            table.append(
                (
                    f"{low:.1f}-{high:.1f}",
                    int(inside.sum()),
                    float(scores[inside].mean()),
                    float(y[inside].mean()),
                )
            )
    return table
