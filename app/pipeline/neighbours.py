"""Where the cross-check finds the claims to compare with: searched by vector, read by id.

``StoredNeighbourhood`` is the database, through the search backend and the repository, in the
request's session; the tests of the cross-check use one held in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from sqlalchemy.orm import Session

from app.pipeline.repository import StoredClaim, StoredClaimRepository
from app.search.base import ClaimSearch, Hit, Vector
from app.search.lexical import LexicalSearch
from app.search.repository import IndexLogRepository


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
    """The claims in the database, as the session sees them.

    Given the texts of the vectors and a keyword search, each vector's neighbours also take in
    the ``lexical_k`` best claims by keywords (``app.search.lexical``) that are at least
    ``min_similarity`` similar: claims sharing rare words (names, numbers) that the vector
    index ranked beyond ``k`` or missed (it is approximate at scale).
    """

    def __init__(
        self,
        session: Session,
        search: ClaimSearch,
        lexical: LexicalSearch | None = None,
        texts: Sequence[str] = (),
        lexical_k: int = 0,
    ):
        self._session = session
        self._search = search
        self._lexical = lexical
        self._texts = texts
        self._lexical_k = lexical_k

    def nearest(
        self,
        vectors: Sequence[Vector],
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[list[Hit]]:
        hits = self._search.nearest(self._session, vectors, k, exclude_source_id, min_similarity)
        if self._lexical is None or self._lexical_k <= 0 or len(self._texts) != len(vectors):
            return hits
        by_words = [
            self._lexical.search(self._session, text, self._lexical_k, exclude_source_id)
            for text in self._texts
        ]
        extra = sorted(
            {h.claim_id for row in by_words for h in row}
            - {h.claim_id for row in hits for h in row}
        )
        stored = IndexLogRepository(self._session).stored_vectors(extra) if extra else {}
        out = []
        for vector, row, words in zip(vectors, hits, by_words, strict=True):
            known = {h.claim_id for h in row}
            more = []
            for found in words:
                if found.claim_id in known or found.claim_id not in stored:
                    continue
                other = np.frombuffer(stored[found.claim_id][1], dtype=np.float32)
                similarity = float(other @ vector)
                if similarity >= min_similarity:
                    more.append(Hit(found.claim_id, similarity))
                    known.add(found.claim_id)
            out.append(sorted([*row, *more], key=lambda h: -h.similarity))
        return out

    def claims(self, claim_ids: Sequence[int]) -> dict[int, StoredClaim]:
        return StoredClaimRepository(self._session).get_many(claim_ids)
