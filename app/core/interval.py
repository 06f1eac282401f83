"""The values a stated quantity allows: an interval with open or closed ends."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Interval:
    """The set of values a stated quantity allows, e.g. "more than 270,000" -> (270000, +inf)."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    @property
    def is_unbounded(self) -> bool:
        """True when one end is infinite ("more than 10": (10, +inf))."""
        return math.isinf(self.low) or math.isinf(self.high)

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

    def contains(self, value: float) -> bool:
        """True when the value lies in the interval."""
        if value < self.low or value > self.high:
            return False
        if value == self.low and self.low_open:
            return False
        return not (value == self.high and self.high_open)

    @property
    def notation(self) -> str:
        """Interval notation, the one form everywhere (API, reasons, CLI): "[245000, 255000]",
        "(270000, +inf)"; an infinite end is always open."""
        return self.format(_fmt)

    def format(self, value: Callable[[float], str]) -> str:
        """The notation with each finite end written by ``value`` (days as dates, say)."""
        left = "(" if self.low_open or math.isinf(self.low) else "["
        right = ")" if self.high_open or math.isinf(self.high) else "]"
        low = value(self.low) if math.isfinite(self.low) else _fmt(self.low)
        high = value(self.high) if math.isfinite(self.high) else _fmt(self.high)
        return f"{left}{low}, {high}{right}"


def _fmt(value: float) -> str:
    if math.isinf(value):
        return "+inf" if value > 0 else "-inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"
