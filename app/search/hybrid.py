"""One search over both indexes: the nearest claims by embedding, the best by keywords, their
union fused into one ranking (``app.search.fusion``), in the caller's session."""

from __future__ import annotations

from typing import Literal

import numpy as np
from sqlalchemy.orm import Session

from app.search.base import ClaimSearch, Vector
from app.search.fusion import Candidate, Fused, FusionPolicy, fuse
from app.search.lexical import LexicalSearch
from app.search.repository import IndexLogRepository

SearchMode = Literal["hybrid", "semantic", "lexical"]


class HybridSearch:
    """Candidates from the vector search and the keyword search, fused; or either alone."""

    def __init__(self, vectors: ClaimSearch, lexical: LexicalSearch, policy: FusionPolicy):
        self.vectors = vectors
        self.lexical = lexical
        self.policy = policy

    def search(
        self,
        session: Session,
        query: str,
        vector: Vector,
        depth: int,
        exclude_source_id: int | None,
        mode: SearchMode = "hybrid",
    ) -> list[Fused]:
        """The best ``depth`` claims (at least) for a query, best first: read from each index
        used down to ``max(depth, policy.candidates)``. ``semantic`` ranks by cosine,
        ``lexical`` by the keyword score, ``hybrid`` by their fusion."""
        reach = max(depth, self.policy.candidates)
        semantic = []
        if mode != "lexical":
            [semantic] = self.vectors.nearest(session, [vector], reach, exclude_source_id, -1.0)
        lexical = []
        if mode != "semantic":
            lexical = self.lexical.search(session, query, reach, exclude_source_id)
        similarity = {hit.claim_id: hit.similarity for hit in semantic}
        unknown = [hit.claim_id for hit in lexical if hit.claim_id not in similarity]
        if unknown:
            stored = IndexLogRepository(session).stored_vectors(unknown)
            for claim_id, (_, blob) in stored.items():
                similarity[claim_id] = float(np.frombuffer(blob, dtype=np.float32) @ vector)
        semantic_rank = {hit.claim_id: rank for rank, hit in enumerate(semantic, 1)}
        lexical_of = {hit.claim_id: (rank, hit.score) for rank, hit in enumerate(lexical, 1)}
        candidates = [
            Candidate(
                claim_id,
                similarity[claim_id],
                semantic_rank.get(claim_id),
                lexical_of[claim_id][1] if claim_id in lexical_of else None,
                lexical_of[claim_id][0] if claim_id in lexical_of else None,
            )
            for claim_id in dict.fromkeys([*semantic_rank, *lexical_of])
            if claim_id in similarity  # a keyword hit deleted since: gone
        ]
        if mode == "hybrid":
            return fuse(candidates, self.policy)
        fused = fuse(candidates, FusionPolicy(method="weighted", lexical_weight=0.0))
        if mode == "lexical":
            fused = [Fused(f.candidate, f.lexical_normalised, f.lexical_normalised) for f in fused]
            fused.sort(key=lambda f: (-f.score, f.candidate.lexical_rank or 0))
        return fused
