"""Pairwise judgement of two claims: do they disagree on a number?

Two claims from different sources are compared only when they can be about the same event
(similar wording, event times within a window). Their quantities are then paired by what they
measure (kind, unit, counted noun, verb, role), never against any other number in the sentence;
a pair conflicts when the intervals the two statements allow do not overlap, or when the same
change goes in opposite directions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from app.core.analysis import ClaimFacts, DateSpan
from app.core.interval import Interval
from app.core.measure import MeasureMatch, same_measure
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
    # Two quantities are one measure when their frames agree this much (see app.core.measure:
    # the same thing counted scores 2, the same predicate 1.5, the same subject or place 1) ...
    min_measure_score: float = 1.5
    # ... or when nothing in the frames tells either way and the claims are this similar.
    min_unscored_similarity: float = 0.75
    min_unscored_score: float = 0.5  # the least frame score for that pairing by wording
    # Another pairing scoring within this margin of the best makes the pairing ambiguous.
    rival_margin: float = 0.25
    # A compatible match this much worse than a quantity's best match does not settle it.
    compatible_margin: float = 0.75
    # Pairing is quadratic in the quantities of the two claims; no real sentence states more
    # than a few dozen. Past this many pairs (a number flood: 40,000 quantities in one
    # 200,000-character "claim") nothing is compared, instead of a worker held for hours.
    max_quantity_pairs: int = 64 * 64


@dataclass(frozen=True, slots=True)
class QuantityConflict:
    """Two quantities measuring the same thing whose intervals do not overlap."""

    a: Quantity
    b: Quantity
    measure: str  # human-readable: "people killed"
    relative_gap: float
    rule: str  # which rule fired, e.g. "disjoint-intervals", "opposite-direction"
    severity: float  # 0..1, orders the conflict feed
    basis: str = ""  # the frame elements that made them one measure: "paid: the same predicate"


@dataclass(frozen=True, slots=True)
class Verdict:
    relation: Relation
    reason: str  # one sentence a fact-checker can read
    conflicts: tuple[QuantityConflict, ...] = field(default=())
    agreements: int = 0  # quantity pairs measuring the same thing that both claims allow
    code: str = ""  # the reason's kind, stable for grouping: "different-times", "conflict"...


# ---------------------------------------------------------------------------------------------
# Which quantities measure the same thing


def describe_measure(q: Quantity) -> str:
    """Human-readable name of what a quantity measures: "people killed", "USD paid"."""
    what = q.noun or q.subject or q.context or q.kind
    if q.kind == "percent" and q.noun is None:
        what = f"{what} (%)"
    elif q.kind in {"money", "duration", "measure"} and q.unit:
        what = f"{what} ({q.unit})"
    elif q.kind == "rating":
        what = f"{what} rating ({q.unit})"
    elif q.kind == "date":
        what = "date"
    if q.modifiers:
        what = f"{' '.join(q.modifiers)} {what}"
    verb = _PAST.get(q.predicate or "", q.predicate or "")
    if q.predicate == "change":
        verb = "change"
    parts = [what]
    if verb:
        parts.append(verb)
    if q.scope:
        parts.append(q.scope)
    if q.role in {"part", "total", "from", "to", "each", "additional"}:
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
    "bear": "born",
    "found": "founded",
}


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A pair of quantities (by index) that may measure the same thing."""

    i: int
    j: int
    match: MeasureMatch


def _candidates(
    a: tuple[Quantity, ...], b: tuple[Quantity, ...], similarity: float, policy: ComparePolicy
) -> tuple[list[_Candidate], MeasureMatch | None]:
    """Every pair judged the same measure, best first; and the best vetoed pair (for the
    reason when there is none)."""
    found: list[_Candidate] = []
    vetoed: MeasureMatch | None = None
    for i, qa in enumerate(a):
        for j, qb in enumerate(b):
            match = same_measure(qa, qb)
            if not match.possible:
                vetoed = vetoed or match
                continue
            # Frames that agree on enough, or say nothing either way in nearly the same words.
            # "Five years ago" locates an event rather than stating an amount: only frames
            # that agree pair two of them.
            blind_ok = qa.role != "ago" and match.score >= policy.min_unscored_score
            if match.score >= policy.min_measure_score or (
                blind_ok and similarity >= policy.min_unscored_similarity
            ):
                found.append(_Candidate(i, j, match))
    found.sort(key=lambda c: (-c.match.score, c.i, c.j))
    return found, vetoed


def _sum_interval(qs: list[Quantity]) -> Interval:
    low = sum(q.interval.low for q in qs)
    high = sum(q.interval.high for q in qs)
    return Interval(low, high)


@dataclass(frozen=True, slots=True)
class _Finding:
    conflicts: tuple[QuantityConflict, ...]
    agreements: int
    vetoed: MeasureMatch | None = None
    candidates: int = 0


def _severity(gap: float, similarity: float, policy: ComparePolicy) -> float:
    """Larger gaps and more similar wording make a conflict more severe (0..1)."""
    gap_part = min(1.0, gap / 0.25)
    span = max(1e-9, 1.0 - policy.min_similarity)
    sim_part = min(1.0, max(0.0, (similarity - policy.min_similarity) / span))
    return round(min(1.0, 0.15 + 0.55 * gap_part + 0.3 * sim_part), 3)


def _compatible(qa: Quantity, qb: Quantity) -> bool:
    if qa.direction is not None and qb.direction is not None and qa.direction != qb.direction:
        return False
    return qa.interval.overlaps(qb.interval)


def _judge_quantities(
    a: ClaimFacts, b: ClaimFacts, similarity: float, policy: ComparePolicy
) -> _Finding:
    """Pair the two claims' quantities one to one, best-matching frames first, and judge each
    pair, in three steps:

    1. A quantity that a same-measure quantity on the other side allows is stated compatibly,
       if that match is about as good as its best (``compatible_margin``).
    2. A bounded quantity that the sum of several same-measure quantities on the other side
       allows is their total ("$10m and $50m" against "$60m").
    3. Each quantity left conflicts with its best match, unless another match about as good
       (``rival_margin``) is compatible, or is as likely and not compatible either: with two
       readings equally likely, nothing is compared rather than guessed.
    """
    qa_all, qb_all = a.quantities, b.quantities
    candidates, vetoed = _candidates(qa_all, qb_all, similarity, policy)
    used_a: set[int] = set()
    used_b: set[int] = set()
    agreements = _settle_compatible(qa_all, qb_all, candidates, used_a, used_b, policy)
    agreements += _settle_totals(qa_all, qb_all, candidates, used_a, used_b, policy)
    conflicts: list[QuantityConflict] = []
    for c in candidates:
        if c.i in used_a or c.j in used_b:
            continue
        tied = [
            r
            for r in candidates
            if r.i not in used_a
            and r.j not in used_b
            and (r.i == c.i or r.j == c.j)
            and r.match.score >= c.match.score - policy.rival_margin
        ]
        used_a.add(c.i)
        used_b.add(c.j)
        if any(_compatible(qa_all[r.i], qb_all[r.j]) for r in tied):
            agreements += 1
            continue
        if len(tied) > 1:
            continue  # two readings equally likely: compare nothing rather than guess
        conflict = _conflict_between(qa_all[c.i], qb_all[c.j], c.match, similarity, policy)
        if conflict is not None:
            conflicts.append(conflict)
    return _Finding(tuple(conflicts), agreements, vetoed, len(candidates))


def _settle_compatible(
    qa_all: tuple[Quantity, ...],
    qb_all: tuple[Quantity, ...],
    candidates: list[_Candidate],
    used_a: set[int],
    used_b: set[int],
    policy: ComparePolicy,
) -> int:
    """Step 1: mark the quantities some about-as-good match allows; the agreements found.

    In "60% earn less than $50,000, 60% earn more than $40,000" against "40% earn less than
    $50,000, ...", the second 60% is no match for the first: its wording around it differs."""
    best_a: dict[int, float] = {}
    best_b: dict[int, float] = {}
    for c in candidates:  # best first
        best_a.setdefault(c.i, c.match.score)
        best_b.setdefault(c.j, c.match.score)
    agreements = 0
    margin = policy.compatible_margin
    for c in candidates:
        if (c.i in used_a and c.j in used_b) or not _compatible(qa_all[c.i], qb_all[c.j]):
            continue
        # Each side is settled only by a match about as good as its own best: "a production
        # budget of $10 million" allows "less than $55 million globally", but does not settle
        # it when "a worldwide total of $59.6 million" is its far better match.
        settles_a = c.match.score >= best_a[c.i] - margin
        settles_b = c.match.score >= best_b[c.j] - margin
        if not (settles_a or settles_b):
            continue
        if c.i not in used_a and c.j not in used_b:
            agreements += 1
        if settles_a:
            used_a.add(c.i)
        if settles_b:
            used_b.add(c.j)
    return agreements


def _settle_totals(
    qa_all: tuple[Quantity, ...],
    qb_all: tuple[Quantity, ...],
    candidates: list[_Candidate],
    used_a: set[int],
    used_b: set[int],
    policy: ComparePolicy,
) -> int:
    """Step 2: a bounded quantity that the sum of the other side's unsettled same-measure
    quantities allows is their total; the totals found."""
    totals = 0
    for side_a in (True, False):
        own, others = (qa_all, qb_all) if side_a else (qb_all, qa_all)
        own_used, other_used = (used_a, used_b) if side_a else (used_b, used_a)
        for k, q in enumerate(own):
            if k in own_used or q.interval.is_unbounded:
                continue  # "less than 12" is allowed by the sum of almost anything
            partners = [
                (c.j if side_a else c.i)
                for c in candidates
                if (c.i if side_a else c.j) == k
                and (c.j if side_a else c.i) not in other_used
                and c.match.score >= policy.min_measure_score
            ]
            if len(partners) < 2 and q.kind == "money":
                # Parts told apart by what they are ("$10m in compensation and $50m in punitive
                # damages" against "$60m in damages"): the other side's unsettled amounts of
                # its currency and verb that match nothing else.
                matched = {
                    (c.j if side_a else c.i) for c in candidates if (c.i if side_a else c.j) != k
                }
                partners = [
                    p
                    for p, o in enumerate(others)
                    if (o.kind, o.unit, o.predicate) == (q.kind, q.unit, q.predicate)
                    and not o.negated
                    and p not in matched
                    and p not in other_used
                ]
            if len(partners) < 2:
                continue
            if q.interval.overlaps(_sum_interval([others[p] for p in partners])):
                own_used.add(k)
                other_used.update(partners)
                totals += 1
    return totals


def _conflict_between(
    qa: Quantity, qb: Quantity, match: MeasureMatch, similarity: float, policy: ComparePolicy
) -> QuantityConflict | None:
    measure = describe_measure(qa)
    basis = "; ".join(match.basis)
    if qa.direction is not None and qb.direction is not None and qa.direction != qb.direction:
        return QuantityConflict(
            a=qa,
            b=qb,
            measure=measure,
            relative_gap=1.0,
            rule="opposite-direction",
            severity=_severity(1.0, similarity, policy),
            basis=basis,
        )
    if qa.interval.overlaps(qb.interval):
        return None
    if qa.kind == "date":
        # Days between the two readings, against a year: the relative gap of two day numbers
        # (ordinals near 730,000) would call every date conflict negligible.
        lower, upper = sorted((qa.interval, qb.interval), key=lambda iv: iv.low)
        gap = min(1.0, max(0.0, upper.low - lower.high) / 365.0)
    else:
        gap = qa.interval.relative_gap(qb.interval)
    return QuantityConflict(
        a=qa,
        b=qb,
        measure=measure,
        relative_gap=round(gap, 4),
        rule="disjoint-intervals",
        severity=_severity(gap, similarity, policy),
        basis=basis,
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


def _notation(q: Quantity) -> str:
    """The interval as written in a reason: days as dates, other kinds as numbers."""
    if q.kind != "date":
        return q.interval.notation
    return q.interval.format(lambda day: date.fromordinal(int(day)).isoformat())


def _describe_conflict(c: QuantityConflict) -> str:
    basis = f" ({c.basis})" if c.basis else ""
    if c.rule == "opposite-direction":
        return (
            f"they disagree on the direction of {c.measure}{basis}: \u201c{c.a.text}\u201d "
            f"({c.a.direction}) vs \u201c{c.b.text}\u201d ({c.b.direction})"
        )
    apart = (
        f"{round(c.relative_gap * 365)} days apart"
        if c.a.kind == "date"
        else f"{c.relative_gap:.0%} apart"
    )
    return (
        f"they disagree on {c.measure}{basis}: \u201c{c.a.text}\u201d {_notation(c.a)} vs "
        f"\u201c{c.b.text}\u201d {_notation(c.b)}, {apart}"
    )


def _bound_conflict(
    a: ClaimFacts, b: ClaimFacts, similarity: float, policy: ComparePolicy
) -> QuantityConflict | None:
    """ "Lloyd earned his certificate before 2017" against "On March 14, 2018 it was announced
    that Lloyd had earned it": a bound on one claim's time that the other's dates break."""
    for x, y, swap in ((a, b, False), (b, a, True)):
        if y.when is None or not y.when_from_text:
            continue
        span = Interval(float(y.when.first.toordinal()), float(y.when.last.toordinal()))
        for q in x.quantities:
            # A day apart at least: "after 1969" against "its 1969 release" is loose usage
            # ("after the 1969 release"), not a claim that it happened in 1970.
            near = Interval(span.low - 1, span.high + 1)
            if q.kind != "date" or q.role != "bound" or q.interval.overlaps(near):
                continue
            other = Quantity(
                text=_describe_span(y.when),
                start=0,
                end=0,
                value=span.low,
                interval=span,
                kind="date",
                unit="day",
                noun=None,
                predicate=None,
                qualifier=None,
                tolerance="date-exact",
                role="time",
            )
            match = MeasureMatch(0.0, None, ("the time of the same statement",))
            qa, qb = (other, q) if swap else (q, other)
            return _conflict_between(qa, qb, match, similarity, policy)
    return None


def _time_veto(a: ClaimFacts, b: ClaimFacts, policy: ComparePolicy) -> str | None:
    """Why the two claims are about different times, or None.

    Dates written in both claims must overlap: "the toll rose to 260 on Thursday" and "to 210
    on Wednesday" are two statements, whatever the window. A claim with no date of its own is
    about the time it was published, known only to within the event window.
    """
    if a.when is None or b.when is None:
        return None
    apart = _days_apart(a.when, b.when)
    limit = 0 if a.when_from_text and b.when_from_text else policy.event_window_days
    if apart <= limit:
        return None
    return (
        f"The claims are about different times ({_describe_span(a.when)} vs "
        f"{_describe_span(b.when)}, {apart} days apart), so different events."
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
            code="dissimilar",
        )
    time_veto = _time_veto(a, b, policy)
    if time_veto is not None:
        return Verdict("unrelated", time_veto, code="different-times")
    if len(a.quantities) * len(b.quantities) > policy.max_quantity_pairs:
        return Verdict(
            "unrelated",
            f"The claims state too many quantities to pair ({len(a.quantities)} and "
            f"{len(b.quantities)}), so nothing is compared.",
            code="too-many-quantities",
        )
    finding = _judge_quantities(a, b, similarity, policy)
    if not finding.conflicts and similarity >= policy.min_agree_similarity:
        bound = _bound_conflict(a, b, similarity, policy)
        if bound is not None:
            finding = _Finding((bound,), finding.agreements)
    if finding.conflicts:
        ordered = tuple(sorted(finding.conflicts, key=lambda c: -c.severity))
        reason = _describe_conflict(ordered[0])
        more = f" (and {len(ordered) - 1} more)" if len(ordered) > 1 else ""
        return Verdict("conflict", f"Numeric conflict: {reason}{more}.", ordered, code="conflict")
    if finding.agreements:
        return Verdict(
            "agree",
            f"The claims state {finding.agreements} matching "
            f"{'quantity' if finding.agreements == 1 else 'quantities'} compatibly "
            f"(similarity {similarity:.2f}).",
            agreements=finding.agreements,
            code="compatible",
        )
    if finding.candidates:
        return Verdict(
            "unrelated",
            "The claims state quantities of the same measure that cannot be paired one to one "
            "(more than one reading), so nothing is compared.",
            code="ambiguous-pairing",
        )
    asserted_a = [q for q in a.quantities if not q.negated]
    asserted_b = [q for q in b.quantities if not q.negated]
    if asserted_a and asserted_b:
        why = finding.vetoed.veto if finding.vetoed is not None else "too little in common"
        return Verdict(
            "unrelated",
            f"The claims state different quantities ({describe_measure(asserted_a[0])} vs "
            f"{describe_measure(asserted_b[0])}: {why}), so neither confirms the other.",
            code="different-measures"
            if finding.vetoed is not None and finding.vetoed.veto == why
            else "unpaired",
        )
    if similarity >= policy.min_agree_similarity:
        return Verdict(
            "agree",
            f"The claims say the same thing (similarity {similarity:.2f}) and no number disagrees.",
            code="same-wording",
        )
    return Verdict(
        "unrelated",
        f"The claims are only loosely similar ({similarity:.2f}) and share no quantity to "
        f"confirm they are about the same thing.",
        code="no-shared-quantity",
    )
