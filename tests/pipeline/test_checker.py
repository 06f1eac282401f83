"""The cross-check without HTTP or a database: the real model, claims held in memory."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from app.config import Settings
from app.embeddings import Embedder
from app.exceptions import InvalidInput
from app.pipeline import CheckPolicy, CrossChecker
from tests.support.pipeline import MemoryNeighbourhood

DAY = date(2016, 3, 14)
AFP = "The war has killed more than 270,000 people since it began in 2011."
AP = "Syria's civil war has killed 250,000 people, the agency said."
JETS = "Russia has more than 50 jets and helicopters in Syria."
WARPLANES = "Russia sent over 50 warplanes to Syria, the officials said."
AFP_SOURCE, AP_SOURCE = 1, 2


class NoSearch:
    """The checker's own search is not used by ``relate_in``; any call is a mistake."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the database search was used: {name}")


@pytest.fixture
def checker(embedder: Embedder) -> CrossChecker:
    return CrossChecker(embedder, NoSearch(), CheckPolicy.from_settings(Settings()))  # type: ignore[arg-type]


@pytest.fixture
def stored(checker: CrossChecker) -> MemoryNeighbourhood:
    neighbourhood = MemoryNeighbourhood(checker.embedder.dimension)
    for claim_id, text in enumerate([AFP, JETS], start=1):
        [vector] = checker.embedder.encode([text])
        neighbourhood.add(claim_id, AFP_SOURCE, "AFP", text, DAY, vector)
    return neighbourhood


def test_read_gives_each_claim_its_analysis_and_a_unit_vector(checker: CrossChecker) -> None:
    probes = checker.read(f"{AP}\n\nRead more: nothing.\n\n{WARPLANES}", None, DAY)
    assert [p.claim.text for p in probes] == [AP, WARPLANES]
    assert [q.text for q in probes[0].facts.quantities] == ["250,000 people"]
    assert probes[0].facts.when is not None
    for probe in probes:
        assert probe.vector.shape == (checker.embedder.dimension,)
        assert abs(float(np.linalg.norm(probe.vector)) - 1) < 1e-4


@pytest.mark.parametrize(("text", "needle"), [("   ", "empty"), ("x" * 200_001, "limit")])
def test_read_refuses_what_it_cannot_check(checker: CrossChecker, text: str, needle: str) -> None:
    with pytest.raises(InvalidInput, match=needle):
        checker.read(text, None, DAY)


def test_relate_finds_the_conflict_and_the_match(
    checker: CrossChecker, stored: MemoryNeighbourhood
) -> None:
    probes = checker.read(f"{AP} {WARPLANES}", None, DAY)
    toll, planes = checker.relate_in(stored, probes, AP_SOURCE)
    [conflict] = [r for r in toll if r.verdict.relation == "conflict"]
    assert conflict.other.text == AFP
    assert not conflict.match
    [quantities] = conflict.verdict.conflicts
    assert (quantities.a.text, quantities.b.text) == ("250,000 people", "more than 270,000 people")
    [match] = [r for r in planes if r.match]
    assert match.other.text == JETS
    assert match.verdict.relation == "agree"


def test_relate_leaves_out_the_claims_own_source(
    checker: CrossChecker, stored: MemoryNeighbourhood
) -> None:
    probes = checker.read(AP, None, DAY)
    assert checker.relate_in(stored, probes, AFP_SOURCE) == [[]]


def test_a_neighbour_deleted_since_the_search_is_skipped(
    checker: CrossChecker, stored: MemoryNeighbourhood
) -> None:
    stored.forget(1)
    probes = checker.read(AP, None, DAY)
    [row] = checker.relate_in(stored, probes, AP_SOURCE)
    assert all(r.other.id != 1 for r in row)


def test_the_comparison_uses_what_was_stored_not_a_new_reading(
    checker: CrossChecker, embedder: Embedder
) -> None:
    # A stored claim published on another day is another event: no conflict, whatever the
    # wording, because the stored analysis says when it happened.
    neighbourhood = MemoryNeighbourhood(embedder.dimension)
    [vector] = embedder.encode([AFP])
    neighbourhood.add(1, AFP_SOURCE, "AFP", AFP, date(2016, 6, 1), vector)
    [row] = checker.relate_in(neighbourhood, checker.read(AP, None, DAY), AP_SOURCE)
    assert [r.verdict.relation for r in row] == ["unrelated"]
    assert "different times" in row[0].verdict.reason


def test_compare_judges_two_sentences_as_two_sources(checker: CrossChecker) -> None:
    result = checker.compare(AP, DAY, AFP, DAY)
    assert result.verdict.relation == "conflict"
    assert 0.3 < result.similarity < 1
    assert [q.text for q in result.a.quantities] == ["250,000 people"]
    with pytest.raises(InvalidInput, match="empty"):
        checker.compare(" ", DAY, AFP, DAY)


def test_the_policy_comes_from_the_matching_and_limit_settings() -> None:
    policy = CheckPolicy.from_settings(
        Settings(match_threshold=0.8, conflict_min_similarity=0.5, max_text_chars=99, neighbours=3)
    )
    assert (policy.match_threshold, policy.compare.min_similarity) == (0.8, 0.5)
    assert (policy.max_text_chars, policy.neighbours) == (99, 3)
    assert policy.search_floor == min(0.8, policy.quantity_match_threshold, 0.5)


def test_reading_many_texts_at_once_reads_each_as_alone(checker: CrossChecker) -> None:
    texts = [
        (f"{AFP} {JETS}", "Talks", DAY),
        ("   ", None, DAY),
        (AP, None, date(2016, 3, 15)),
        ("x" * (checker.policy.max_text_chars + 1), None, None),
    ]
    calls: list[int] = []
    encode = checker.embedder.encode

    def counted(batch: list[str]) -> np.ndarray:
        calls.append(len(batch))
        return encode(batch)

    checker.embedder = type("Counted", (), {"encode": staticmethod(counted)})()  # type: ignore[assignment]
    many = checker.read_many(texts)
    assert len(calls) == 1  # one model call for every claim of every text
    assert isinstance(many[1], InvalidInput)
    assert isinstance(many[3], InvalidInput)
    for (text, title, day), read in zip(texts, many, strict=True):
        if isinstance(read, InvalidInput):
            continue
        alone = checker.read(text, title, day)
        assert [p.claim for p in read] == [p.claim for p in alone]
        assert [p.facts for p in read] == [p.facts for p in alone]
        for a, b in zip(read, alone, strict=True):
            assert float(np.dot(a.vector, b.vector)) > 0.999
