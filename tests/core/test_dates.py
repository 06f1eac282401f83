"""Event times read from sentences, relative to the publication date."""

from __future__ import annotations

import time
from datetime import date

import pytest

from app.core.dates import event_span, find_date_mentions

MONDAY = date(2016, 3, 14)

SPANS = [
    ("In March 2016, Putin ordered a withdrawal.", MONDAY, (date(2016, 3, 1), date(2016, 3, 31))),
    ("Putin spoke on March 14.", date(2016, 3, 15), (date(2016, 3, 14), date(2016, 3, 14))),
    ("Putin visited the base on December 11.", date(2017, 12, 11), (date(2017, 12, 11),) * 2),
    ("The raid happened on December 11.", date(2018, 1, 5), (date(2017, 12, 11),) * 2),
    ("Published on 14/03/2016", None, (date(2016, 3, 14),) * 2),
    ("The report came out on 2016-03-14.", None, (date(2016, 3, 14),) * 2),
    ("Monitors were deployed in 2012.", MONDAY, (date(2012, 1, 1), date(2012, 12, 31))),
    ("Talks collapsed last month.", MONDAY, (date(2016, 2, 1), date(2016, 2, 29))),
    ("The war broke out five years ago this week.", MONDAY, (date(2016, 3, 14), date(2016, 3, 20))),
    ("Putin on Monday ordered the start of the withdrawal.", MONDAY, (MONDAY, MONDAY)),
    ("Putin said the withdrawal would start on Tuesday.", MONDAY, (date(2016, 3, 15),) * 2),
    ("The toll rose yesterday.", MONDAY, (date(2016, 3, 13),) * 2),
    ("The 14 March 2016 talks were brief.", None, (date(2016, 3, 14),) * 2),
]


@pytest.mark.parametrize(("sentence", "published", "span"), SPANS)
def test_event_span(sentence: str, published: date | None, span: tuple[date, date]) -> None:
    assert event_span(sentence, published) == span


@pytest.mark.parametrize(
    "sentence",
    [
        "The war has killed 250,000 people since it began in March 2011.",
        "Some 420 people have been hanged in Singapore since 1991.",
        "The conflict that broke out in 2011 has displaced millions.",
    ],
)
def test_period_starts_are_not_event_times(sentence: str) -> None:
    assert event_span(sentence, MONDAY) is None


def test_no_date_and_no_publication() -> None:
    assert event_span("The war has killed 250,000 people.", None) is None


def test_years_as_counts_are_not_dates() -> None:
    assert find_date_mentions("About 2000 troops stayed behind.") == []


def test_times_and_lookalike_months_are_found() -> None:
    kinds = [d.kind for d in find_date_mentions("0:00 0:01:03 in a Marсh 18 vote")]
    assert kinds == ["time", "time", "date"]


@pytest.mark.parametrize(
    "unit", ["1am ", "12:30 ", "May 5, 2020 ", "Monday ", "2019-20 ", "3/4/2020 ", "in 1999 "]
)
def test_date_scanning_is_linear_in_the_text(unit: str) -> None:
    # A list of taken spans checked against every match made this quadratic: 80,000
    # characters of "1am " took 28 s. A byte mask keeps it linear; 200,000 characters take
    # well under a second of CPU, and the bound below is wide.
    text = unit * (200_000 // len(unit))
    started = time.process_time()  # CPU time: other processes on the machine do not count
    find_date_mentions(text)
    assert time.process_time() - started < 5.0
