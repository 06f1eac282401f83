"""All SQL about claims: the index change log, embeddings, and neighbours' provenance."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.db.models import Article, Claim, IndexChange, Source

_CHUNK = 500  # keeps IN (...) lists under every backend's parameter limit


@dataclass(frozen=True, slots=True)
class StoredClaim:
    """A stored claim with where it comes from (the fields of ``ClaimRef``)."""

    id: int
    text: str
    article_id: int
    source: str
    published_at: date | None
    url: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    claim_id: int
    added: bool


# The two queries of every search, built once (building a statement costs more than running
# it against SQLite).
_CHANGES_SINCE = (
    select(IndexChange.seq, IndexChange.claim_id, IndexChange.added)
    .where(IndexChange.seq > bindparam("seq"))
    .order_by(IndexChange.seq)
)
_STORED_CLAIMS = (
    select(
        Claim.id,
        Claim.text,
        Claim.article_id,
        Source.name,
        Article.published_at,
        Article.url,
        Article.title,
    )
    .join(Article, Claim.article_id == Article.id)
    .join(Source, Article.source_id == Source.id)
    .where(Claim.id.in_(bindparam("ids", expanding=True)))
)


class ClaimRepository:
    def __init__(self, session: Session):
        self.session = session

    def changes_since(self, seq: int) -> list[Change]:
        # On the connection, not the ORM session: this runs before every search.
        rows = self.session.connection().execute(_CHANGES_SINCE, {"seq": seq})
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

    def get_many(self, claim_ids: Sequence[int]) -> dict[int, StoredClaim]:
        """Claims with their article's provenance, by id.

        Plain rows rather than ORM objects: this runs for every neighbour of every
        ``/v1/check``, where building ORM objects with their article and source was a sixth
        of the request's time.
        """
        found: dict[int, StoredClaim] = {}
        connection = self.session.connection()
        for start in range(0, len(claim_ids), _CHUNK):
            rows = connection.execute(_STORED_CLAIMS, {"ids": claim_ids[start : start + _CHUNK]})
            found.update((row[0], StoredClaim(*row)) for row in rows)
        return found
