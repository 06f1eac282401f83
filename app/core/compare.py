"""Pairwise judgement of two claims: do they disagree on a number?

Two claims from different sources are compared only when they can be about the same event
(similar wording, event times within a window). Their quantities are then paired by what they
measure (kind, unit, counted noun, verb, role), never against any other number in the sentence;
a pair conflicts when the intervals the two statements allow do not overlap, or when the same
change goes in opposite directions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from app.core.analysis import ClaimFacts, DateSpan
from app.core.interval import Interval
from app.core.quantities import Quantity

Relation = Literal["conflict", "agree", "unrelated"]


@dataclass(frozen=True, slots=True)
class ComparePolicy:
    """Tunable thresholds (the service fills them from settings)."""

    min_similarity: float = 0.45  # below this, two claims are not about the same thing
    event_window_days: int = 3  # event times further apart than this are different events
    # Claims with no quantity measuring the same thing "agree" only when this similar: wording
    # alone at 0.45 is too weak a sign of the same statement.
    min_agree_similarity: float = 0.6


@dataclass(frozen=True, slots=True)
class QuantityConflict:
    """Two quantities measuring the same thing whose intervals do not overlap."""

    a: Quantity
    b: Quantity
    measure: str  # human-readable: "people killed"
    relative_gap: float
    rule: str  # which rule fired, e.g. "disjoint-intervals", "opposite-direction"
    severity: float  # 0..1, orders the conflict feed


@dataclass(frozen=True, slots=True)
class Verdict:
    relation: Relation
    reason: str  # one sentence a fact-checker can read
    conflicts: tuple[QuantityConflict, ...] = field(default=())
    agreements: int = 0  # quantity pairs measuring the same thing that both claims allow


# ---------------------------------------------------------------------------------------------
# Which quantities measure the same thing


def measure_key(q: Quantity) -> tuple[str, ...] | None:
    """What a quantity measures, as a comparable key; None when too vague to compare.

    A count needs its noun ("people", "aircraft"); other kinds fall back to the word the
    sentence says it of ("the Dow rose 3%"). The verb is part of the key, so people killed
    and people displaced are different measures, and so are parts of a total (modifiers:
    "punitive damages" is not "damages") and the two ends of "from X to Y".
    """
    if q.negated:
        return None
    what = q.noun or q.subject or q.context
    if q.kind == "count" and q.noun is None:
        what = None
    if what is None and q.kind != "count":
        # "jailed for 6 years": the verb alone names the measure of a duration or amount.
        what = q.predicate
    if what is None and q.slot is not None:
        # No noun and no verb: only the very same wording around the number ("coded as _ and")
        # says two numbers fill the same place in the same statement.
        what = f"slot:{q.slot}"
    if what is None:
        return None
    return (
        q.kind,
        q.unit or "",
        what,
        q.predicate or "",
        q.role or "",
        " ".join(sorted(q.modifiers)),
    )


def describe_measure(q: Quantity) -> str:
    """Human-readable name of what a quantity measures: "people killed", "USD paid"."""
    what = q.noun or q.subject or q.context or q.kind
    if q.kind == "percent" and q.noun is None:
        what = f"{what} (%)"
    elif q.kind in {"money", "duration", "measure"} and q.unit:
        what = f"{what} ({q.unit})"
    if q.modifiers:
        what = f"{' '.join(q.modifiers)} {what}"
    verb = _PAST.get(q.predicate or "", q.predicate or "")
    if q.predicate == "change":
        verb = "change"
    parts = [what]
    if verb:
        parts.append(verb)
    if q.role in {"part", "total", "from", "to"}:
        parts.append(f"({q.role})")
    return " ".join(parts)


_PAST: dict[str, str] = {
    "kill": "killed",
    "injure": "injured",
    "displace": "displaced",
    "flee": "fled",
    "withdraw": "withdrawn",
    "deploy": "deployed",
    "arrest": "arrested",
    "rescue": "rescued",
    "miss": "missing",
    "say": "saying",
    "evacuate": "evacuated",
    "employ": "employed",
    "pay": "paid",
    "win": "won",
}


def _pair_quantities(
    a: tuple[Quantity, ...], b: tuple[Quantity, ...]
) -> list[tuple[list[Quantity], list[Quantity]]]:
    """Groups of quantities measuring the same thing, one group per measure present in both."""
    groups_a: dict[tuple[str, ...], list[Quantity]] = defaultdict(list)
    groups_b: dict[tuple[str, ...], list[Quantity]] = defaultdict(list)
    for q in a:
        key = measure_key(q)
        if key is not None:
            groups_a[key].append(q)
    for q in b:
        key = measure_key(q)
        if key is not None:
            groups_b[key].append(q)
    return [(groups_a[k], groups_b[k]) for k in groups_a if k in groups_b]


def _sum_interval(qs: list[Quantity]) -> Interval:
    low = sum(q.interval.low for q in qs)
    high = sum(q.interval.high for q in qs)
    return Interval(low, high)


@dataclass(frozen=True, slots=True)
class _Finding:
    conflicts: tuple[QuantityConflict, ...]
    agreements: int


def _severity(gap: float, similarity: float, policy: ComparePolicy) -> float:
    """Larger gaps and more similar wording make a conflict more severe (0..1)."""
    gap_part = min(1.0, gap / 0.25)
    span = max(1e-9, 1.0 - policy.min_similarity)
    sim_part = min(1.0, max(0.0, (similarity - policy.min_similarity) / span))
    return round(min(1.0, 0.15 + 0.55 * gap_part + 0.3 * sim_part), 3)


def _judge_quantities(
    a: ClaimFacts, b: ClaimFacts, similarity: float, policy: ComparePolicy
) -> _Finding:
    conflicts: list[QuantityConflict] = []
    agreements = 0
    for group_a, group_b in _pair_quantities(a.quantities, b.quantities):
        if len(group_a) == len(group_b):
            pairs = list(zip(group_a, group_b, strict=True))
        elif len(group_a) == 1 or len(group_b) == 1:
            single, many = (group_a[0], group_b) if len(group_a) == 1 else (group_b[0], group_a)
            # Parts and their total: "$10m and $50m" against "$60m" is no conflict.
            if single.interval.overlaps(_sum_interval(many)) or any(
                single.interval.overlaps(q.interval) for q in many
            ):
                agreements += 1
                continue
            # Several same-measure numbers against one: no way to tell which one it restates.
            continue
        else:
            continue
        for qa, qb in pairs:
            conflict = _conflict_between(qa, qb, similarity, policy)
            if conflict is None:
                agreements += 1
            else:
                conflicts.append(conflict)
    return _Finding(tuple(conflicts), agreements)


def _conflict_between(
    qa: Quantity, qb: Quantity, similarity: float, policy: ComparePolicy
) -> QuantityConflict | None:
    measure = describe_measure(qa)
    if qa.direction is not None and qb.direction is not None and qa.direction != qb.direction:
        return QuantityConflict(
            a=qa,
            b=qb,
            measure=measure,
            relative_gap=1.0,
            rule="opposite-direction",
            severity=_severity(1.0, similarity, policy),
        )
    if qa.interval.overlaps(qb.interval):
        return None
    gap = qa.interval.relative_gap(qb.interval)
    return QuantityConflict(
        a=qa,
        b=qb,
        measure=measure,
        relative_gap=round(gap, 4),
        rule="disjoint-intervals",
        severity=_severity(gap, similarity, policy),
    )


def _days_apart(x: DateSpan, y: DateSpan) -> int:
    if x.last < y.first:
        return (y.first - x.last).days
    if y.last < x.first:
        return (x.first - y.last).days
    return 0


def _describe_span(span: DateSpan) -> str:
    if span.first == span.last:
        return span.first.isoformat()
    return f"{span.first.isoformat()}..{span.last.isoformat()}"


def _describe_conflict(c: QuantityConflict) -> str:
    if c.rule == "opposite-direction":
        return (
            f"they disagree on the direction of {c.measure}: \u201c{c.a.text}\u201d "
            f"({c.a.direction}) vs \u201c{c.b.text}\u201d ({c.b.direction})"
        )
    return (
        f"they disagree on {c.measure}: \u201c{c.a.text}\u201d {c.a.interval.notation} vs "
        f"\u201c{c.b.text}\u201d {c.b.interval.notation}, {c.relative_gap:.0%} apart"
    )


def compare_claims(
    a: ClaimFacts, b: ClaimFacts, similarity: float, policy: ComparePolicy = ComparePolicy()
) -> Verdict:
    """Judge two claims (from different sources) given their embedding similarity."""
    if similarity < policy.min_similarity:
        return Verdict(
            "unrelated",
            f"The claims are not about the same thing (similarity {similarity:.2f} "
            f"below {policy.min_similarity:.2f}).",
        )
    if a.when is not None and b.when is not None:
        apart = _days_apart(a.when, b.when)
        if apart > policy.event_window_days:
            return Verdict(
                "unrelated",
                f"The claims are about different times ({_describe_span(a.when)} vs "
                f"{_describe_span(b.when)}, {apart} days apart), so different events.",
            )
    finding = _judge_quantities(a, b, similarity, policy)
    if finding.conflicts:
        ordered = tuple(sorted(finding.conflicts, key=lambda c: -c.severity))
        reason = _describe_conflict(ordered[0])
        more = f" (and {len(ordered) - 1} more)" if len(ordered) > 1 else ""
        return Verdict("conflict", f"Numeric conflict: {reason}{more}.", ordered)
    if finding.agreements:
        return Verdict(
            "agree",
            f"The claims state {finding.agreements} matching "
            f"{'quantity' if finding.agreements == 1 else 'quantities'} compatibly "
            f"(similarity {similarity:.2f}).",
            agreements=finding.agreements,
        )
    measured_a = [q for q in a.quantities if measure_key(q) is not None]
    measured_b = [q for q in b.quantities if measure_key(q) is not None]
    if measured_a and measured_b:
        return Verdict(
            "unrelated",
            f"The claims state different quantities ({describe_measure(measured_a[0])} vs "
            f"{describe_measure(measured_b[0])}), so neither confirms the other.",
        )
    if similarity >= policy.min_agree_similarity:
        return Verdict(
            "agree",
            f"The claims say the same thing (similarity {similarity:.2f}) and no number disagrees.",
        )
    return Verdict(
        "unrelated",
        f"The claims are only loosely similar ({similarity:.2f}) and share no quantity to "
        f"confirm they are about the same thing.",
    )
