"""Pairwise judgement of two claims: do they disagree on a number?

(Interface fixed by the service; the rules behind it are filled in by the numeric core work.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from app.core.quantities import Quantity, extract_quantities

Relation = Literal["conflict", "agree", "unrelated"]


@dataclass(frozen=True, slots=True)
class DateSpan:
    """The time a claim is about: first and last day, inclusive."""

    first: date
    last: date


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the comparison needs to know about one claim."""

    text: str
    published_at: date | None
    quantities: tuple[Quantity, ...]
    when: DateSpan | None  # the event time: dates in the text, else the publication date


@dataclass(frozen=True, slots=True)
class ComparePolicy:
    """Tunable thresholds (the service fills them from settings)."""

    min_similarity: float = 0.45  # below this, two claims are not about the same thing
    event_window_days: int = 3  # event times further apart than this are different events


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


def analyse_claim(text: str, published_at: date | None = None) -> ClaimFacts:
    """Read a claim's quantities and event time once, for many comparisons."""
    return ClaimFacts(
        text=text,
        published_at=published_at,
        quantities=tuple(extract_quantities(text)),
        when=None,
    )


def compare_claims(
    a: ClaimFacts, b: ClaimFacts, similarity: float, policy: ComparePolicy = ComparePolicy()
) -> Verdict:
    """Judge two claims (from different sources) given their embedding similarity."""
    raise NotImplementedError
