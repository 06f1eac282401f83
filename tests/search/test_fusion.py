"""Fusing the embedding and keyword rankings (``app.search.fusion.fuse``): plain tables."""

from __future__ import annotations

from app.search.fusion import Candidate, FusionPolicy, fuse

# (claim id, cosine, semantic rank, keyword score, keyword rank)
CANDIDATES = [
    Candidate(1, 0.80, 1, None, None),
    Candidate(2, 0.70, 2, 12.0, 1),
    Candidate(3, 0.40, None, 6.0, 2),
]


def ids(policy: FusionPolicy) -> list[int]:
    return [f.candidate.claim_id for f in fuse(CANDIDATES, policy)]


def test_weighted_fusion_mixes_cosine_and_the_normalised_keyword_score() -> None:
    assert ids(FusionPolicy(lexical_weight=0.0)) == [1, 2, 3]
    assert ids(FusionPolicy(lexical_weight=0.2)) == [2, 1, 3]
    assert ids(FusionPolicy(lexical_weight=1.0)) == [2, 3, 1]
    fused = {f.candidate.claim_id: f for f in fuse(CANDIDATES, FusionPolicy(lexical_weight=0.2))}
    assert fused[3].lexical_normalised == 0.5
    assert fused[2].score == 0.8 * 0.70 + 0.2 * 1.0


def test_rrf_sums_reciprocal_ranks_and_breaks_ties_by_cosine() -> None:
    policy = FusionPolicy(method="rrf", rrf_k=1)
    assert ids(policy) == [2, 1, 3]
    tied = [Candidate(5, 0.3, None, 1.0, 1), Candidate(4, 0.9, 1, None, None)]
    assert [f.candidate.claim_id for f in fuse(tied, policy)] == [4, 5]


def test_nothing_to_fuse() -> None:
    assert fuse([], FusionPolicy()) == []
