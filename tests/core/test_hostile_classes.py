"""Every class of hostile input the bench measures, other than dates and times (bounded in
test_dates.py), read by the analysers in linear time: the whole path of a request's text,
claims found and each one analysed, at 100,000 characters in one claim, where a quadratic step
would cost tens of CPU seconds. Timed in CPU time (other processes on the machine do not count)
with a wide bound: the slowest class takes about 1.7 s on the 2-core development machine."""

from __future__ import annotations

import time
from datetime import date

import pytest

from app.core.analysis import analyse_claim
from app.core.claims import extract_claims
from harness.hostile_inputs import INPUT_CLASSES, InputClass

SIZE = 100_000
BOUND_CPU_S = 6.0
NOT_DATES = [c for c in INPUT_CLASSES if not c.dates]


def test_every_class_is_measured_here_or_with_the_dates() -> None:
    assert {c.name for c in NOT_DATES} >= {
        "many claims",
        "number flood",
        "separators",
        "unicode digits",
        "qualifiers",
        "quotes",
        "nested brackets",
        "long word",
        "long number",
    }
    assert {c.name for c in INPUT_CLASSES if c.dates} == {"times", "dates", "years"}


@pytest.mark.parametrize("hostile", NOT_DATES, ids=lambda c: c.name)
def test_a_hostile_class_is_read_in_linear_time(hostile: InputClass) -> None:
    text = hostile.text(SIZE)
    assert len(text) == SIZE
    started = time.process_time()
    claims = extract_claims(text, max_claims=1000)
    facts = [analyse_claim(claim.text, date(2016, 3, 14)) for claim in claims]
    spent = time.process_time() - started
    # The text reached the reader: one claim of the whole flood, or (many claims) the cap.
    assert claims
    assert len(claims) == 1000 if hostile.numbered else len(claims[0].text) > SIZE * 0.9
    assert spent < BOUND_CPU_S, f"{hostile.name}: {spent:.2f} CPU s"
    assert all(f.text == c.text for f, c in zip(facts, claims, strict=True))
