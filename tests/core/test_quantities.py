"""Quantities read from real news sentences: exact intervals, measures and exclusions."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.interval import Interval
from app.core.quantities import Quantity, extract_quantities
from app.core.tolerance import TOLERANCE_TABLE

INF = math.inf


def only(sentence: str) -> Quantity:
    found = extract_quantities(sentence)
    assert len(found) == 1, [q.text for q in found]
    return found[0]


def bounds(q: Quantity) -> tuple[float, float, bool, bool]:
    iv = q.interval
    return (iv.low, iv.high, iv.low_open, iv.high_open)


# (sentence, span as written, (low, high, low_open, high_open), tolerance row)
INTERVALS = [
    # The seeds' own sentences.
    (
        "Several ceasefires and peace talks have been attempted since the conflict, which has "
        "killed 250,000 people, broke out five years ago this week.",
        "250,000 people",
        (245_000, 255_000, False, False),
        "rounded",
    ),
    (
        "The UN-hosted negotiations in Geneva are the latest effort to end violence that has "
        "killed more than 270,000 people and displaced millions.",
        "more than 270,000 people",
        (270_000, INF, True, False),
        "more-than",
    ),
    (
        "Surovikin later said the military will pull out 23 warplanes, two helicopter gunships, "
        "special forces units, military police, and field engineers.",
        "23 warplanes",
        (23, 23, False, False),
        "exact-small",
    ),
    (
        "Russia has given Assad's government crucial military backing throughout the war, which "
        "has killed hundreds of thousands of people and displaced millions since it began with a "
        "state crackdown on pro-democracy protesters in March 2011.",
        "hundreds of thousands of people",
        (100_000, 2_000_000, False, True),
        "vague",
    ),
    # Real-news style sentences for every construction.
    (
        "The storm left 251,000 homes without power.",
        "251,000 homes",
        (250_500, 251_500, False, False),
        "rounded",
    ),
    (
        "The storm left 251,437 homes without power.",
        "251,437 homes",
        (251_437, 251_437, False, False),
        "exact-precise",
    ),
    (
        "The Dow fell 74.58 points on Tuesday.",
        "74.58 points",
        (74.58, 74.58, False, False),
        "exact-precise",
    ),
    (
        "The deal is worth $5.1 billion.",
        "$5.1 billion",
        (5.05e9, 5.15e9, False, False),
        "rounded-scaled",
    ),
    (
        "Revenue reached 1.5 million euros.",
        "1.5 million euros",
        (1.45e6, 1.55e6, False, False),
        "rounded-scaled",
    ),
    ("The club was sold for £40m.", "£40m", (38e6, 42e6, False, False), "rounded-scaled"),
    ("Turnout was 64% in the capital.", "64%", (64, 64, False, False), "exact-small"),
    (
        "Turnout was 64 per cent in the capital.",
        "64 per cent",
        (64, 64, False, False),
        "exact-small",
    ),
    (
        "At least 175 people died in the fire.",
        "At least 175 people",
        (175, INF, False, False),
        "at-least",
    ),
    (
        "Fewer than 300 people attended the rally.",
        "Fewer than 300 people",
        (-INF, 300, False, True),
        "less-than",
    ),
    (
        "The fund will pay up to $30,000 per film.",
        "up to $30,000 per film",
        (-INF, 30_000, False, False),
        "at-most",
    ),
    (
        "Police detained some 2,500 people after the attack.",
        "some 2,500 people",
        (2_250, 2_750, False, False),
        "about",
    ),
    (
        "Nearly 300,000 people fled the fighting.",
        "Nearly 300,000 people",
        (270_000, 300_000, False, False),
        "nearly",
    ),
    (
        "The ministry said between 10 and 20 soldiers were wounded.",
        "10 and 20 soldiers",
        (10, 20, False, False),
        "range",
    ),
    (
        "Estimates put the cost at 10 to 20 billion dollars.",
        "10 to 20 billion dollars",
        (9.5e9, 21e9, False, False),
        "range",
    ),
    (
        "Twenty-three miners were rescued on Sunday.",
        "Twenty-three miners",
        (23, 23, False, False),
        "exact-small",
    ),
    (
        "A dozen people were hurt in the stampede.",
        "A dozen people",
        (10, 14, False, False),
        "dozen",
    ),
    (
        "Tens of thousands of people marched in Paris.",
        "Tens of thousands of people",
        (10_000, 200_000, False, True),
        "vague",
    ),
    (
        "Several hundred homes were destroyed.",
        "Several hundred homes",
        (200, 1_000, False, True),
        "vague",
    ),
    (
        "The war has displaced half the population.",
        "half the population",
        (45, 55, False, False),
        "fraction",
    ),
]


@pytest.mark.parametrize(("sentence", "span", "expected", "rule"), INTERVALS)
def test_intervals(
    sentence: str, span: str, expected: tuple[float, float, bool, bool], rule: str
) -> None:
    found = {q.text: q for q in extract_quantities(sentence)}
    assert span in found, list(found)
    q = found[span]
    low, high, low_open, high_open = bounds(q)
    assert low == pytest.approx(expected[0]) if not math.isinf(expected[0]) else low == expected[0]
    assert (
        high == pytest.approx(expected[1]) if not math.isinf(expected[1]) else high == expected[1]
    )
    assert (low_open, high_open) == expected[2:]
    assert q.tolerance == rule


# (sentence, span, kind, unit, noun, predicate)
MEASURES = [
    (
        "The long-awaited talks mark the latest bid to end the bloodshed that has killed more "
        "than 270,000 people and displaced millions.",
        "millions",
        "count",
        None,
        "people",
        "displace",
    ),
    (
        "Russia has more than 50 jets and helicopters in Syria.",
        "more than 50 jets",
        "count",
        None,
        "aircraft",
        "deploy",
    ),
    (
        "Russia sent over 50 warplanes to carry out thousands of strikes across the Syria.",
        "over 50 warplanes",
        "count",
        None,
        "aircraft",
        "deploy",
    ),
    (
        "Surovikin later said the military will pull out 23 warplanes, two helicopter gunships.",
        "23 warplanes",
        "count",
        None,
        "aircraft",
        "withdraw",
    ),
    ("65 are missing and 750 rescued.", "750", "count", None, "people", "rescue"),
    ("65 are missing and 750 rescued.", "65", "count", None, "people", "miss"),
    (
        "Two persons were injured in dynamite attacks.",
        "Two persons",
        "count",
        None,
        "people",
        "injure",
    ),
    ("The deal is worth $5bn.", "$5bn", "money", "USD", None, None),
    ("The deal is worth 5 billion dollars.", "5 billion dollars", "money", "USD", None, None),
    ("He was sentenced to 10 years in prison.", "10 years", "duration", "year", None, "sentence"),
    (
        "Talks resumed in Geneva on ending the five-year war.",
        "five-year war",
        "duration",
        "year",
        "war",
        "end",
    ),
    (
        "The talks opened on the eve of the fifth anniversary of the outbreak of the conflict.",
        "fifth anniversary",
        "duration",
        "year",
        "anniversary",
        None,
    ),
    (
        "Iran's growth rate was 3.9 per cent a year.",
        "3.9 per cent a year",
        "percent",
        "percent/year",
        None,
        None,
    ),
    (
        "Gas prices jumped 5 cents a gallon.",
        "5 cents a gallon",
        "money",
        "USD/gallon",
        None,
        "change",
    ),
    ("The peak is 8,586 meters high.", "8,586 meters", "measure", "m", None, None),
]


@pytest.mark.parametrize(("sentence", "span", "kind", "unit", "noun", "predicate"), MEASURES)
def test_measures(
    sentence: str, span: str, kind: str, unit: str | None, noun: str | None, predicate: str | None
) -> None:
    found = {q.text: q for q in extract_quantities(sentence)}
    assert span in found, list(found)
    q = found[span]
    assert (q.kind, q.unit, q.noun, q.predicate) == (kind, unit, noun, predicate)


def test_durations_of_the_seeds_all_read_five_years() -> None:
    sentences = [
        "U.N.-mediated talks resumed in Geneva on ending the five-year war.",
        "The talks opened on the eve of the fifth anniversary of the outbreak of the conflict.",
        "The conflict broke out five years ago this week.",
    ]
    for s in sentences:
        q = only(s)
        assert (q.kind, q.unit, q.interval) == ("duration", "year", Interval(5, 5))
    assert only(sentences[2]).role == "ago"


def test_part_of_a_total() -> None:
    part, total = extract_quantities("Only 12 of the 300 passengers survived the crash.")
    assert (part.value, part.noun, part.role) == (12, "passenger", "part")
    assert (total.value, total.noun, total.role) == (300, "passenger", "total")


@pytest.mark.parametrize(
    ("sentence", "direction"),
    [
        ("Apple shares rose 3% on Monday.", "up"),
        ("Apple shares fell 3% on Monday.", "down"),
        ("Exports were up 3% in March.", "up"),
        ("Exports were down 3% in March.", "down"),
    ],
)
def test_direction_of_a_change(sentence: str, direction: str) -> None:
    q = only(sentence)
    assert (q.predicate, q.direction) == ("change", direction)


@pytest.mark.parametrize(
    "sentence",
    [
        "Unemployment was not more than 10% last year.",
        "The army did not kill 50 civilians, the ministry said.",
    ],
)
def test_negated_quantities_are_marked(sentence: str) -> None:
    assert only(sentence).negated


@pytest.mark.parametrize(
    "sentence",
    [
        "In 2015 the talks failed.",
        "Putin told Shoigu on March 14 that the forces had fulfilled their objectives.",
        "Published on 14/03/2016",
        "Putin met Erdogan later on December 11 in Ankara.",
        "0:00 0:01:03 0:00",
        "Call 555-123-4567 for details.",
        "Fadi Ahmad, spokesman for the First Coastal Division, told Reuters.",
        "Two A-10s nearly collided with a Russian Su-24 over Syria.",
        "The council passed Resolution 2254 unanimously.",
        "He announced he will seek reelection in a Marсh 18 vote.",
        "Nitin ranks 24 th in his class.",
        "The G20 summit opened in Hangzhou.",
        "Turn to page 14 of the report.",
        "He is to run on line 20 of the track.",
    ],
)
def test_not_quantities(sentence: str) -> None:
    texts = [q.text for q in extract_quantities(sentence)]
    for numeral in ("2015", "14", "2016", "11", "18", "24", "20", "10", "2254", "0:", "555"):
        assert not any(numeral in t for t in texts), texts


@pytest.mark.parametrize(
    ("sentence", "value", "noun"),
    [
        ("In how many ways can you seat 7 people on a bench?", 7, "people"),
        ("The new stadium will seat 40,000 fans.", 40000, "fan"),
    ],
)
def test_a_label_word_after_a_modal_or_pronoun_is_a_verb(
    sentence: str, value: float, noun: str
) -> None:
    q = only(sentence)
    assert (q.value, q.noun) == (value, noun)


def test_tolerance_table_names_are_unique_and_used() -> None:
    names = [row.name for row in TOLERANCE_TABLE]
    assert len(names) == len(set(names))
    for _, _, _, rule in INTERVALS:
        assert rule in names


# Property tests -------------------------------------------------------------------------------

_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def words_for(n: int) -> str:
    if n < 10:
        return _UNITS[n]
    if n < 20:
        return _TEENS[n - 10]
    tens, units = divmod(n, 10)
    return _TENS[tens] + (f"-{_UNITS[units]}" if units else "")


@given(st.integers(min_value=1, max_value=10**12))
def test_grouped_digits_parse_back(n: int) -> None:
    q = only(f"The agency counted {n:,} votes.")
    assert q.value == n


@given(st.integers(min_value=11, max_value=999), st.sampled_from(["million", "m", "bn", "billion"]))
def test_scaled_numbers_parse_back(tenths: int, scale: str) -> None:
    mantissa = f"{tenths / 10:g}"
    factor = 1e9 if scale in {"bn", "billion"} else 1e6
    written = f"${mantissa}{scale}" if len(scale) <= 2 else f"${mantissa} {scale}"
    q = only(f"The company raised {written} last year.")
    assert q.kind == "money"
    assert q.value == pytest.approx(float(mantissa) * factor)
    assert q.interval.contains(float(mantissa) * factor)


@given(st.integers(min_value=2, max_value=99))
def test_number_words_parse_back(n: int) -> None:
    q = only(f"Police arrested {words_for(n)} protesters.")
    assert q.value == n


_Values = Callable[[float], list[float]]
_QUALIFIER_CASES: dict[str, tuple[_Values, _Values]] = {
    "more than": (lambda x: [x * 1.01], lambda x: [x, x * 0.99]),
    "over": (lambda x: [x * 1.01], lambda x: [x]),
    "at least": (lambda x: [x, x * 1.5], lambda x: [x * 0.99]),
    "less than": (lambda x: [x * 0.99], lambda x: [x, x * 1.01]),
    "up to": (lambda x: [x, x * 0.5], lambda x: [x * 1.01]),
    "about": (lambda x: [x, x * 1.05, x * 0.95], lambda x: [x * 1.5]),
    "nearly": (lambda x: [x, x * 0.95], lambda x: [x * 1.01]),
}


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(sorted(_QUALIFIER_CASES)))
def test_qualifier_intervals(x: int, qualifier: str) -> None:
    q = only(f"Officials said {qualifier} {x:,} people were evacuated.")
    inside, outside = _QUALIFIER_CASES[qualifier]
    for v in inside(float(x)):
        assert q.interval.contains(v), (qualifier, x, v, q.interval)
    for v in outside(float(x)):
        assert not q.interval.contains(v), (qualifier, x, v, q.interval)


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_arbitrary_text_does_not_crash(text: str) -> None:
    for q in extract_quantities(text):
        assert q.start <= q.end
        assert not math.isnan(q.value)


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x00 12 people \x00",
        "1e400 people",
        "9" * 400 + " people died",
        "a" * 10_000 + " 5 people",
        "1,2,3,4,5,6 and 7.8.9",
        "$$$ £ € 5bnbnbn m m m",
        "between and to - - 5 -",
        "twenty-twenty-twenty hundred thousand million billion",
        "\u0663\u0664 people",
    ],
)
def test_hostile_inputs(text: str) -> None:
    for q in extract_quantities(text):
        assert not math.isnan(q.value)
