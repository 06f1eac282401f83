"""Where the cross-check finds the claims to compare with: searched by vector, read by id.

``StoredNeighbourhood`` is the database, through the search backend and the repository, in the
request's session; the tests of the cross-check use one held in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from app.pipeline.repository import StoredClaim, StoredClaimRepository
from app.search.base import ClaimSearch, Hit, Vector


class Neighbourhood(Protocol):
    """The stored claims a text is compared with."""

    def nearest(
        self,
        vectors: Sequence[Vector],
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[list[Hit]]:
        """For each vector the ``k`` most similar claims of other sources, best first."""
        ...

    def claims(self, claim_ids: Sequence[int]) -> dict[int, StoredClaim]:
        """Those of the claims that exist, by id."""
        ...


class StoredNeighbourhood:
    """The claims in the database, as the session sees them."""

    def __init__(self, session: Session, search: ClaimSearch):
        self._session = session
        self._search = search

    def nearest(
        self,
        vectors: Sequence[Vector],
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[list[Hit]]:
        return self._search.nearest(self._session, vectors, k, exclude_source_id, min_similarity)

    def claims(self, claim_ids: Sequence[int]) -> dict[int, StoredClaim]:
        return StoredClaimRepository(self._session).get_many(claim_ids)
