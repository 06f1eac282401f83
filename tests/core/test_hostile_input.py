"""Hostile input to the claim and number parsers: arbitrary Unicode, NUL bytes, lone
surrogates, numbers far past any float, tokens of a hundred thousand characters. No crash,
sane output (finite or infinite floats, never NaN; spans inside the text), and no blow-up in
time (a bounded number of examples, each of bounded size)."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.analysis import analyse_claim
from app.core.claims import extract_claims
from app.core.compare import compare_claims
from app.core.numbers import parse_digits, parse_number_at, tokenize
from app.core.quantities import extract_quantities

HOSTILE = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ANY_CHARACTER = st.characters(codec=None)  # every code point, surrogates and NUL included
NASTY = st.sampled_from(
    [
        "\x00",
        "\ud800",
        "\udfff",
        "\u202e",
        "\u200b",
        "\ufeff",
        "\u0301",
        "\n\n",
        "\r",
        "\t",
        "١٢٣",
        "٫",
        "²",
        "½",
        "Ⅻ",
        "𝟗",
        "€",
        "$",
        "%",
        ",",
        ".",
        "-",
        "–",
        "e",
        "E+308",
        "million",
        "billion",
        "dozens of",
        "more than",
        "between",
        "and",
        " ",
    ]
)
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=400)
HUGE_NUMBER = st.one_of(
    DIGITS,
    st.builds(lambda d: ",".join(d[i : i + 3] for i in range(0, len(d), 3)), DIGITS),
    st.builds(lambda a, b: f"{a}.{b}", DIGITS, DIGITS),
    st.builds(lambda d: f"{d}e{d}", DIGITS),
    st.sampled_from(["1e308", "1e309", "-1e400", "9" * 400 + " billion", "0." + "0" * 400 + "1"]),
)
PIECE = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    NASTY,
    HUGE_NUMBER,
    st.sampled_from(["The war has killed", "people.", "about", "in March 2016", "said"]),
)
HOSTILE_TEXT = st.lists(PIECE, max_size=30).map(" ".join)
LONG_TOKEN = st.builds(
    lambda char, n, number: f"The flood killed {number} {char * n} people.",
    st.sampled_from(["a", "9", ",", "\x00", "-", "é", "\ud800", "."]),
    st.integers(min_value=10_000, max_value=100_000),
    HUGE_NUMBER,
)


def _sane_number(value: float) -> bool:
    return not math.isnan(value)


@HOSTILE
@given(HOSTILE_TEXT, st.one_of(st.none(), HOSTILE_TEXT))
def test_claim_extraction_survives_anything(text: str, title: str | None) -> None:
    claims = extract_claims(text, title=title, max_claims=50)
    assert len(claims) <= 50
    for claim in claims:
        assert 0 <= claim.start <= claim.end <= len(text)
        assert claim.text


@HOSTILE
@given(HOSTILE_TEXT)
def test_quantities_survive_anything(sentence: str) -> None:
    for quantity in extract_quantities(sentence):
        assert _sane_number(quantity.value)
        assert _sane_number(quantity.interval.low)
        assert _sane_number(quantity.interval.high)
        assert quantity.interval.low <= quantity.interval.high
        assert 0 <= quantity.start <= quantity.end <= len(sentence)


@HOSTILE
@given(HUGE_NUMBER)
def test_digits_of_any_size_parse_to_a_float_or_nothing(text: str) -> None:
    parsed = parse_digits(text)
    if parsed is not None:
        assert _sane_number(parsed[0])
    tokens = tokenize(f"The war killed {text} people.")
    for i in range(len(tokens)):
        mention = parse_number_at(tokens, i)
        if mention is not None:
            assert _sane_number(mention.value)


@settings(HOSTILE, max_examples=25)
@given(LONG_TOKEN)
def test_very_long_tokens(text: str) -> None:
    extract_claims(text, max_claims=10)
    extract_quantities(text)
    analyse_claim(text, date(2016, 3, 14))


@HOSTILE
@given(HOSTILE_TEXT, HOSTILE_TEXT, st.floats(min_value=-1, max_value=1))
def test_comparison_survives_anything(a: str, b: str, similarity: float) -> None:
    verdict = compare_claims(
        analyse_claim(a, date(2016, 3, 14)), analyse_claim(b, None), similarity
    )
    assert verdict.relation in {"conflict", "agree", "unrelated"}
    for conflict in verdict.conflicts:
        assert _sane_number(conflict.relative_gap)
        assert 0 <= conflict.severity <= 1
