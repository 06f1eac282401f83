"""Quantities in news sentences: numbers with their qualifiers, read as intervals.

(Interface fixed by the service; the parser behind it is filled in by the numeric core work.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Interval:
    """The set of values a stated quantity allows, e.g. "more than 270,000" -> (270000, inf)."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def overlaps(self, other: Interval) -> bool:
        """True when some value lies in both intervals."""
        if self.high < other.low or other.high < self.low:
            return False
        if self.high == other.low:
            return not (self.high_open or other.low_open)
        if other.high == self.low:
            return not (other.high_open or self.low_open)
        return True

    def relative_gap(self, other: Interval) -> float:
        """Distance between two disjoint intervals relative to the larger bound (0 if they meet)."""
        if self.overlaps(other):
            return 0.0
        lower, upper = (self, other) if self.high <= other.low else (other, self)
        gap = upper.low - lower.high
        scale = max(abs(upper.low), abs(lower.high))
        if scale == 0 or math.isinf(scale):
            return 0.0
        return gap / scale


@dataclass(frozen=True, slots=True)
class Quantity:
    """One quantity stated in a sentence, with what it measures."""

    text: str  # the span as written: "more than 270,000 people"
    start: int  # character offsets of the span in the sentence
    end: int
    value: float  # the number as stated: 270000.0 (the low end for ranges)
    interval: Interval  # what the statement allows once qualifier and rounding are read
    kind: str  # "count" | "money" | "percent" | "duration" | "measure"
    unit: str | None  # normalised unit or currency: "USD", "percent", "year", "point"...
    noun: str | None  # what is counted, normalised: "people", "warplane"
    predicate: str | None  # what happened to it, lemma: "kill", "displace", "withdraw"
    qualifier: str | None  # "more than", "about", ... as written (None if bare)


def extract_quantities(sentence: str) -> list[Quantity]:
    """All quantities stated in one sentence (dates, years, times, names excluded)."""
    raise NotImplementedError
