"""The stored shapes of a claim's analysis and a conflict's pairs read back what was written."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.analysis import ANALYSIS_VERSION, analyse_claim
from app.core.compare import compare_claims
from app.db.codecs import (
    analysis_from_json,
    analysis_to_json,
    details_from_json,
    details_to_json,
    quantity_from_json,
    quantity_to_json,
)

DAY = date(2024, 5, 9)


@pytest.mark.parametrize(
    "text",
    [
        "A car bomb in Mosul killed 17 people on Thursday.",
        "Acme Holdings will pay $2.1 billion, among the largest fines.",
        "Unemployment is 30% among young people.",
        "The company was founded after 1988.",
        "The film holds an average rating of 6.8/10.",
        "Each of the two teams fired 12 shots.",
    ],
)
def test_an_analysis_reads_back_as_written(text: str) -> None:
    facts = analyse_claim(text, DAY)
    stored = analysis_to_json(facts)
    assert stored["v"] == ANALYSIS_VERSION
    assert analysis_from_json(stored, text, DAY) == facts


def test_a_quantity_stored_before_frames_reads_with_an_empty_frame() -> None:
    (q,) = analyse_claim("A car bomb in Mosul killed 17 people.", DAY).quantities
    old = quantity_to_json(q)[:20]  # the 20 fields of analysis version 1
    read = quantity_from_json(old, q.text)
    assert (read.places, read.names, read.scope) == ((), (), None)
    assert (read.value, read.noun, read.predicate) == (q.value, q.noun, q.predicate)


def test_conflict_details_keep_the_basis_of_the_pairing() -> None:
    a = analyse_claim("Acme Holdings will pay $2.1 billion.", DAY)
    b = analyse_claim("Acme will pay up to $2 billion.", DAY)
    verdict = compare_claims(a, b, 0.8)
    assert verdict.relation == "conflict"
    read = details_from_json(details_to_json(verdict.conflicts))
    assert [(c.a.value, c.b.value, c.measure, c.basis) for c in read] == [
        (c.a.value, c.b.value, c.measure, c.basis) for c in verdict.conflicts
    ]
    assert "pay: the same predicate" in read[0].basis
