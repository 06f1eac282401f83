"""Stored claims held in memory, for tests of the cross-check without a database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from app.core.analysis import analyse_claim
from app.pipeline import StoredClaim
from app.search import Hit, Vector
from app.search.index import ExactIndex


class MemoryNeighbourhood:
    """A ``Neighbourhood`` of a few claims: exact search over their vectors."""

    def __init__(self, dimension: int):
        self._index = ExactIndex(dimension)
        self._claims: dict[int, StoredClaim] = {}

    def add(
        self, claim_id: int, source_id: int, source: str, text: str, day: date, vector: Vector
    ) -> StoredClaim:
        claim = StoredClaim(
            id=claim_id,
            text=text,
            article_id=claim_id,
            source=source,
            published_at=day,
            url=None,
            title=None,
            facts=analyse_claim(text, day),
        )
        self._claims[claim_id] = claim
        self._index.apply(claim_id, [claim_id], [source_id], np.asarray([vector]), [])
        return claim

    def forget(self, claim_id: int) -> None:
        """The claim is gone from storage but still in the index (a concurrent delete)."""
        self._claims.pop(claim_id, None)

    def nearest(
        self,
        vectors: Sequence[Vector],
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[list[Hit]]:
        return [self._index.search(v, k, exclude_source_id, min_similarity) for v in vectors]

    def claims(self, claim_ids: Sequence[int]) -> dict[int, StoredClaim]:
        return {i: self._claims[i] for i in claim_ids if i in self._claims}
