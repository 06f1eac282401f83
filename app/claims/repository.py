"""All SQL about claims: the stored claims found near a text, with their provenance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.db.models import Article, Claim, Source

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


# Built once: building a statement costs more than running it against SQLite, and this runs
# for the neighbours of every search.
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
