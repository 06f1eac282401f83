"""How much a stated number allows: the tolerance table and the intervals it gives.

``TOLERANCE_TABLE`` documents every rule (the README's copy must match it: a test checks);
``interval_for`` applies them to a number as written and the qualifier read before it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.core.interval import Interval
from app.core.numbers import NumberMention


@dataclass(frozen=True, slots=True)
class ToleranceRule:
    """One row of the tolerance table: which statements it covers and the interval it gives."""

    name: str
    applies_to: str
    interval: str
    why: str


TOLERANCE_TABLE: tuple[ToleranceRule, ...] = (
    ToleranceRule(
        "exact-small",
        "a bare whole number below 100, digits or words: '23 warplanes', 'two gunships', '6 years'",
        "exactly the number: [23, 23]",
        "Counts this small are counted, not estimated: '6 years' and 'less than 6 years' conflict, "
        "'23 warplanes' and '25 warplanes' conflict.",
    ),
    ToleranceRule(
        "exact-precise",
        "a bare number whose last digit is not zero, or with decimals and no scale word: "
        "'251,000', '8,586 metres', '74.58 points', '5.25%'",
        "exactly the number: [74.58, 74.58]",
        "Writing every digit claims that precision: '8,568 metres' and '8,586 metres' conflict.",
    ),
    ToleranceRule(
        "rounded",
        "a bare whole number of 100 or more ending in zeros: '250,000', '1,300', '100'",
        "± half the place value of its last non-zero digit, at most ±5%: "
        "250,000 -> [245,000, 255,000]; 1,300 -> [1,250, 1,350]; 100 -> [95, 105]",
        "A round figure is a rounded report: '251,000 killed' fits '250,000 killed', but "
        "'270,000' does not; the 5% cap keeps '100' from meaning anything from 50 to 150.",
    ),
    ToleranceRule(
        "rounded-scaled",
        "a number with a scale word or abbreviation: '1.5 million', '$5.1 billion', '3.5bn', "
        "'£40m', 'two million'",
        "± half a unit of the last written digit, at most ±5%: '1.5 million' -> "
        "[1.45m, 1.55m]; '$5bn' -> [$4.75bn, $5.25bn]; '3.52bn' -> [3.515bn, 3.525bn]",
        "'$5.14bn' is reported as '$5.1bn'; a writer who knew $5.5bn would not write '$5bn'.",
    ),
    ToleranceRule(
        "dozen",
        "'a dozen', 'dozen'",
        "[10, 14]",
        "'A dozen people' is loose speech for about twelve; 'dozens' is a vague amount below.",
    ),
    ToleranceRule(
        "fraction",
        "a fraction word as a share: 'half the population', 'a third of', 'two-thirds'",
        "±10% of the share: half -> [45%, 55%]",
        "'Half' in a sentence is seldom exactly 50%: '48%' fits it, '30%' does not.",
    ),
    ToleranceRule(
        "vague",
        "plural scale words and 'several/a few' + scale: 'dozens' [20, 200), 'hundreds' "
        "[100, 2,000), 'thousands of' [1,000, 20,000), 'tens of thousands' [10,000, 200,000), "
        "'hundreds of thousands' [100,000, 2,000,000), 'millions' [1m, 20m), "
        "'several hundred' [200, 1,000)",
        "from the least the word allows to twenty times that (ten for 'several')",
        "Writers say 'thousands' for 15,000: only a figure clearly outside the word's reach "
        "conflicts ('hundreds of thousands killed' vs '50,000 killed').",
    ),
    ToleranceRule(
        "range",
        "'between 10 and 20', '10-20', '10 to 20 billion' (the scale applies to both ends)",
        "from the low end's band to the high end's band: [10, 20]",
        "A range asserts only its ends.",
    ),
    ToleranceRule(
        "more-than",
        "'more than', 'over', 'above', 'exceeding', 'in excess of', 'upwards of', 'X-plus', 'X+'",
        "(X, +inf)",
        "'400,000 killed' does not contradict 'more than 270,000'; X itself does.",
    ),
    ToleranceRule(
        "at-least",
        "'at least', 'no fewer than', 'no less than', 'a minimum of', 'X or more'",
        "[X, +inf)",
        "X itself is allowed.",
    ),
    ToleranceRule(
        "less-than",
        "'less than', 'fewer than', 'under', 'below', 'just under'",
        "(-inf, X)",
        "'6' and 'less than 6' conflict.",
    ),
    ToleranceRule(
        "at-most",
        "'up to', 'at most', 'no more than', 'as many as', 'a maximum of', 'X or fewer'",
        "(-inf, X]",
        "X itself is allowed.",
    ),
    ToleranceRule(
        "about",
        "'about', 'around', 'roughly', 'some', 'approximately', 'an estimated', 'or so', "
        "'more or less'",
        "±10% of X, or the rounding band if wider: 'about 250,000' -> [225,000, 275,000]",
        "'About' announces an estimate; 10% is the usual spread between outlets' estimates.",
    ),
    ToleranceRule(
        "nearly",
        "'nearly', 'almost', 'close to', 'just shy of'",
        "[0.9 X, X]",
        "'Nearly 300,000' is a little under 300,000, never above.",
    ),
    ToleranceRule(
        "just-over",
        "'just over', 'just above', 'slightly more than'",
        "(X, 1.1 X]",
        "A little above X.",
    ),
)

TOLERANCE_CAP = 0.05  # the "at most ±5%" of the rounded rows
ABOUT_SPREAD = 0.10


def rounding_band(m: NumberMention, value: float) -> tuple[float, str]:
    """Half-width of the band a bare number allows, and the tolerance row it comes from."""
    if m.form == "dozen":
        return 2.0, "dozen"
    if m.form == "fraction":
        return abs(value) * ABOUT_SPREAD, "fraction"
    if m.form == "scaled" or (m.form == "words" and m.grain >= 1000):
        half = m.grain / 2 if m.grain else 0.0
        return min(half, abs(value) * TOLERANCE_CAP), "rounded-scaled"
    if m.form == "words":
        if value >= 100 and m.grain:
            return min(m.grain / 2, abs(value) * TOLERANCE_CAP), "rounded"
        return 0.0, "exact-small"
    # Digits without scale.
    if abs(value) < 100 and value == int(value):
        return 0.0, "exact-small"
    if value != int(value) or m.grain < 10:
        return 0.0, "exact-precise"
    return min(m.grain / 2, abs(value) * TOLERANCE_CAP), "rounded"


def interval_for(
    m: NumberMention, qualifier_rule: str | None, factor: float
) -> tuple[Interval, str]:
    """The interval a number with its qualifier allows (values multiplied by the unit factor)."""
    low, high = m.value * factor, m.high * factor
    inf = math.inf
    if m.form == "vague":
        if qualifier_rule in {"more-than", "at-least"}:
            return Interval(low, inf, low_open=qualifier_rule == "more-than"), qualifier_rule
        if qualifier_rule in {"less-than", "at-most"}:
            return Interval(-inf, high, high_open=True), qualifier_rule
        return Interval(low, high, high_open=True), "vague"
    band_low, row = rounding_band(m, m.value)
    band_high = rounding_band(m, m.high)[0] if m.high != m.value else band_low
    band_low, band_high = band_low * abs(factor), band_high * abs(factor)
    if high != low and qualifier_rule is None:
        return Interval(low - band_low, high + band_high), "range"
    if qualifier_rule is None:
        return Interval(low - band_low, high + band_high), row
    if qualifier_rule == "more-than":
        return Interval(low, inf, low_open=True), qualifier_rule
    if qualifier_rule == "at-least":
        return Interval(low, inf), qualifier_rule
    if qualifier_rule == "less-than":
        return Interval(-inf, high, high_open=True), qualifier_rule
    if qualifier_rule == "at-most":
        return Interval(-inf, high), qualifier_rule
    if qualifier_rule == "about":
        spread = max(abs(low) * ABOUT_SPREAD, band_low)
        spread_high = max(abs(high) * ABOUT_SPREAD, band_high)
        return Interval(low - spread, high + spread_high), qualifier_rule
    if qualifier_rule == "nearly":
        return Interval(low - abs(low) * ABOUT_SPREAD, high), qualifier_rule
    if qualifier_rule == "just-over":
        return Interval(low, high + abs(high) * ABOUT_SPREAD, low_open=True), qualifier_rule
    return Interval(low - band_low, high + band_high), row
