"""What a claim states, read once: its quantities and the time it is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.core.dates import event_span, find_date_mentions
from app.core.quantities import Quantity, extract_quantities

ANALYSIS_VERSION = 3
"""What ``analyse_claim`` reads, versioned: bump it whenever the reader reads a sentence
differently, so that stored analyses of the old reader are read again (``crosscheck
reanalyse`` rewrites them).

2: quantities carry their frame (names, places, scope, the roles each/additional/rating),
dates that are a claim's value are quantities of kind "date", headlines are read in
sentence case."""


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
    when_from_text: bool = False  # True when `when` was read from the text


def analyse_claim(text: str, published_at: date | None = None) -> ClaimFacts:
    """Read a claim's quantities and event time once, for many comparisons."""
    mentions = find_date_mentions(text, published_at)  # read once, for the time and the numbers
    span = event_span(text, published_at, mentions)
    when: DateSpan | None
    if span is not None:
        when = DateSpan(span[0], span[1])
    elif published_at is not None:
        when = DateSpan(published_at, published_at)
    else:
        when = None
    return ClaimFacts(
        text=text,
        published_at=published_at,
        quantities=tuple(extract_quantities(text, mentions)),
        when=when,
        when_from_text=span is not None,
    )
