"""All SQL about claims: the index change log, embeddings, and neighbours' provenance."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.db.models import Article, Claim, IndexChange

_CHUNK = 500  # keeps IN (...) lists under every backend's parameter limit


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    claim_id: int
    added: bool


class ClaimRepository:
    def __init__(self, session: Session):
        self.session = session

    def changes_since(self, seq: int) -> list[Change]:
        rows = self.session.execute(
            select(IndexChange.seq, IndexChange.claim_id, IndexChange.added)
            .where(IndexChange.seq > seq)
            .order_by(IndexChange.seq)
        )
        return [Change(s, c, a) for s, c, a in rows]

    def log_changes(self, claim_ids: Iterable[int], added: bool) -> None:
        self.session.add_all(IndexChange(claim_id=cid, added=added) for cid in claim_ids)
        self.session.flush()

    def embeddings(self, claim_ids: Sequence[int]) -> tuple[list[int], list[int], np.ndarray]:
        """(ids, source ids, vectors) of those claims that still exist."""
        ids: list[int] = []
        sources: list[int] = []
        blobs: list[bytes] = []
        for start in range(0, len(claim_ids), _CHUNK):
            chunk = claim_ids[start : start + _CHUNK]
            rows = self.session.execute(
                select(Claim.id, Claim.source_id, Claim.embedding).where(Claim.id.in_(chunk))
            )
            for claim_id, source_id, blob in rows:
                ids.append(claim_id)
                sources.append(source_id)
                blobs.append(blob)
        if not ids:
            return ids, sources, np.zeros((0, 0), dtype=np.float32)
        vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1)
        return ids, sources, vectors

    def get_many(self, claim_ids: Sequence[int]) -> dict[int, Claim]:
        """Claims with their article and source loaded, by id."""
        found: dict[int, Claim] = {}
        for start in range(0, len(claim_ids), _CHUNK):
            chunk = claim_ids[start : start + _CHUNK]
            statement = (
                select(Claim)
                .where(Claim.id.in_(chunk))
                .options(joinedload(Claim.article).joinedload(Article.source))
            )
            found.update((claim.id, claim) for claim in self.session.scalars(statement))
        return found
