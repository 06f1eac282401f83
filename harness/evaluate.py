"""Scoring the conflict rules on labelled sentence pairs (EQUATE-style CSV files).

Pure functions: the caller computes the similarities (the embedding model lives outside the
core) and writes the verdicts out. Each pair is compared as two claims from two sources,
published on the dates the file gives (``premise_published_at``, ``hypothesis_published_at``,
as NewsWCL50's pairs do); where it gives none, the publication dates are unknown and only
dates written in the sentences place them in time.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.core.analysis import analyse_claim
from app.core.compare import ComparePolicy, QuantityConflict, Verdict, compare_claims
from app.core.quantities import Quantity

POSITIVE_LABEL = "contradiction"
DEFAULT_POLICY = ComparePolicy()


@dataclass(frozen=True, slots=True)
class PairRow:
    """One labelled pair: premise, hypothesis and the label if the file has one."""

    premise: str
    hypothesis: str
    label: str | None = None
    sample_index: str | None = None
    premise_published_at: date | None = None
    hypothesis_published_at: date | None = None


@dataclass(frozen=True, slots=True)
class EvalReport:
    """How the verdicts match the labels ("contradiction" is the positive class)."""

    pairs: int
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: float
    recall: float
    f1: float
    flagged: int  # pairs judged "conflict"
    flagged_by_label: dict[str, int]
    count_by_label: dict[str, int]
    share_entailment_flagged: float
    share_neutral_flagged: float


def read_pairs(path: str | Path) -> list[PairRow]:
    """Rows of a CSV with columns premise, hypothesis and optionally label, sample_index."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = set(reader.fieldnames or ())
        if not {"premise", "hypothesis"} <= fields:
            raise ValueError(f"{path}: needs the columns premise and hypothesis")
        rows = []
        for record in reader:
            label = (record.get("label") or "").strip() or None
            index = (record.get("sample_index") or "").strip() or None
            rows.append(
                PairRow(
                    premise=record["premise"] or "",
                    hypothesis=record["hypothesis"] or "",
                    label=label,
                    sample_index=index,
                    premise_published_at=_date_or_none(record.get("premise_published_at")),
                    hypothesis_published_at=_date_or_none(record.get("hypothesis_published_at")),
                )
            )
    return rows


def _date_or_none(value: str | None) -> date | None:
    value = (value or "").strip()
    return date.fromisoformat(value) if value else None


def judge_pairs(
    rows: Sequence[PairRow],
    similarities: Sequence[float],
    policy: ComparePolicy = DEFAULT_POLICY,
) -> list[Verdict]:
    """The verdict for every pair, as two claims of different sources on their own dates."""
    if len(rows) != len(similarities):
        raise ValueError(f"{len(rows)} pairs but {len(similarities)} similarities")
    verdicts = []
    for row, similarity in zip(rows, similarities, strict=True):
        a = analyse_claim(row.premise, row.premise_published_at)
        b = analyse_claim(row.hypothesis, row.hypothesis_published_at)
        verdicts.append(compare_claims(a, b, float(similarity), policy))
    return verdicts


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def score(rows: Sequence[PairRow], verdicts: Sequence[Verdict]) -> EvalReport:
    """Precision, recall and F1 of "conflict" against the label "contradiction", and the share
    of entailment and neutral pairs flagged."""
    if len(rows) != len(verdicts):
        raise ValueError(f"{len(rows)} pairs but {len(verdicts)} verdicts")
    tp = fp = fn = flagged = 0
    flagged_by_label: dict[str, int] = {}
    count_by_label: dict[str, int] = {}
    for row, verdict in zip(rows, verdicts, strict=True):
        label = row.label or "unlabelled"
        count_by_label[label] = count_by_label.get(label, 0) + 1
        is_conflict = verdict.relation == "conflict"
        if is_conflict:
            flagged += 1
            flagged_by_label[label] = flagged_by_label.get(label, 0) + 1
        positive = label == POSITIVE_LABEL
        if is_conflict and positive:
            tp += 1
        elif is_conflict:
            fp += 1
        elif positive:
            fn += 1
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return EvalReport(
        pairs=len(rows),
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        precision=precision,
        recall=recall,
        f1=f1,
        flagged=flagged,
        flagged_by_label=flagged_by_label,
        count_by_label=count_by_label,
        share_entailment_flagged=_ratio(
            flagged_by_label.get("entailment", 0), count_by_label.get("entailment", 0)
        ),
        share_neutral_flagged=_ratio(
            flagged_by_label.get("neutral", 0), count_by_label.get("neutral", 0)
        ),
    )


@dataclass(frozen=True, slots=True)
class ErrorGroup:
    """Misses or false alarms that share a verdict code, with a few examples."""

    code: str
    count: int
    examples: tuple[tuple[PairRow, Verdict], ...]


def error_groups(
    rows: Sequence[PairRow], verdicts: Sequence[Verdict], *, misses: bool, examples: int = 2
) -> list[ErrorGroup]:
    """Misses (contradictions not flagged) or false alarms (others flagged), grouped by the
    verdict's reason code, largest group first, each with its first ``examples`` pairs."""
    groups: dict[str, list[tuple[PairRow, Verdict]]] = {}
    for row, verdict in zip(rows, verdicts, strict=True):
        positive = row.label == POSITIVE_LABEL
        flagged = verdict.relation == "conflict"
        if (misses and positive and not flagged) or (not misses and flagged and not positive):
            groups.setdefault(verdict.code or "other", []).append((row, verdict))
    return [
        ErrorGroup(code, len(items), tuple(items[:examples]))
        for code, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


def _interval_json(q: Quantity) -> dict[str, Any]:
    iv = q.interval
    return {
        "low": None if iv.low == float("-inf") else iv.low,
        "high": None if iv.high == float("inf") else iv.high,
        "low_open": iv.low_open,
        "high_open": iv.high_open,
        "notation": iv.notation,
    }


def quantity_to_json(q: Quantity) -> dict[str, Any]:
    """A quantity as plain JSON-ready data."""
    return {
        "text": q.text,
        "start": q.start,
        "end": q.end,
        "value": q.value,
        "interval": _interval_json(q),
        "kind": q.kind,
        "unit": q.unit,
        "noun": q.noun,
        "predicate": q.predicate,
        "qualifier": q.qualifier,
        "tolerance": q.tolerance,
        "negated": q.negated,
        "direction": q.direction,
        "role": q.role,
        "names": list(q.names),
        "places": list(q.places),
        "scope": q.scope,
    }


def conflict_to_json(c: QuantityConflict) -> dict[str, Any]:
    """A quantity conflict as plain JSON-ready data."""
    return {
        "measure": c.measure,
        "a": quantity_to_json(c.a),
        "b": quantity_to_json(c.b),
        "relative_gap": c.relative_gap,
        "rule": c.rule,
        "severity": c.severity,
        "basis": c.basis,
    }


def verdict_to_json(verdict: Verdict) -> dict[str, Any]:
    """A verdict as plain JSON-ready data (one line of VERDICTS.jsonl)."""
    return {
        "conflict": verdict.relation == "conflict",
        "relation": verdict.relation,
        "code": verdict.code,
        "reason": verdict.reason,
        "conflicts": [conflict_to_json(c) for c in verdict.conflicts],
    }


def report_to_json(report: EvalReport) -> dict[str, Any]:
    """An evaluation report as plain JSON-ready data."""
    return {
        "pairs": report.pairs,
        "true_positives": report.true_positives,
        "false_positives": report.false_positives,
        "false_negatives": report.false_negatives,
        "precision": round(report.precision, 4),
        "recall": round(report.recall, 4),
        "f1": round(report.f1, 4),
        "flagged": report.flagged,
        "flagged_by_label": dict(report.flagged_by_label),
        "count_by_label": dict(report.count_by_label),
        "share_entailment_flagged": round(report.share_entailment_flagged, 4),
        "share_neutral_flagged": round(report.share_neutral_flagged, 4),
    }
