"""Fusing the two rankings of a search, the embeddings' and the keywords', into one.

Two ways, chosen by settings and tuned on CLEF CheckThat! 2020 train (``crosscheck eval
clef``, figures in docs/matching.md):

- ``weighted``: ``(1 - w) * cosine + w * lexical / best lexical`` over the union of both
  candidate lists. Every candidate's cosine is known (a keyword-only candidate's is computed
  from its stored vector), and the keyword score is divided by the query's best, so that BM25's
  unbounded scale (and ``ts_rank``'s other one) becomes 0..1 whatever the query.
- ``rrf``: reciprocal-rank fusion, ``sum 1 / (k + rank)`` over the lists a candidate is in:
  scale-free, blind to how far apart two candidates are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

FusionMethod = Literal["weighted", "rrf"]


@dataclass(frozen=True, slots=True)
class FusionPolicy:
    """How the two rankings are fused, and how deep each is read."""

    method: FusionMethod = "weighted"
    lexical_weight: float = 0.2  # w of ``weighted``
    rrf_k: int = 60  # k of ``rrf``
    candidates: int = 100  # read from each index per query (at least the page's depth)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A claim found by either index, with what each said of it (``None``: not found by it;
    ranks from 1)."""

    claim_id: int
    similarity: float  # cosine with the query, known for every candidate
    semantic_rank: int | None
    lexical: float | None
    lexical_rank: int | None


@dataclass(frozen=True, slots=True)
class Fused:
    """A candidate and its place in the fused ranking."""

    candidate: Candidate
    score: float
    lexical_normalised: float  # the keyword score over the query's best, 0 when not found


def fuse(candidates: Sequence[Candidate], policy: FusionPolicy) -> list[Fused]:
    """The candidates best first by the policy's fusion; ties (frequent in ``rrf``: rank 3 in
    one list and absent from the other ties with the reverse) by cosine, then claim id."""
    best = max((c.lexical for c in candidates if c.lexical is not None), default=0.0)
    fused = []
    for c in candidates:
        normalised = c.lexical / best if c.lexical is not None and best > 0 else 0.0
        if policy.method == "rrf":
            score = sum(
                1.0 / (policy.rrf_k + rank)
                for rank in (c.semantic_rank, c.lexical_rank)
                if rank is not None
            )
        else:
            w = policy.lexical_weight
            score = (1.0 - w) * c.similarity + w * normalised
        fused.append(Fused(c, score, normalised))
    fused.sort(key=lambda f: (-f.score, -f.candidate.similarity, f.candidate.claim_id))
    return fused
