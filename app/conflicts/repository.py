"""All SQL about conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Article, Claim, Conflict, Source


def _with_claims(statement: Select[Conflict]) -> Select[Conflict]:
    return statement.options(
        selectinload(Conflict.claim_a).selectinload(Claim.article).joinedload(Article.source),
        selectinload(Conflict.claim_b).selectinload(Claim.article).joinedload(Article.source),
    )


class ConflictRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, conflict_id: int) -> Conflict | None:
        return self.session.scalars(
            _with_claims(select(Conflict).where(Conflict.id == conflict_id))
        ).first()

    def find_pair(self, claim_a_id: int, claim_b_id: int) -> Conflict | None:
        return self.session.scalars(
            select(Conflict).where(
                Conflict.claim_a_id == claim_a_id, Conflict.claim_b_id == claim_b_id
            )
        ).first()

    def add(self, conflict: Conflict) -> Conflict:
        self.session.add(conflict)
        self.session.flush()
        return conflict

    def for_claims(self, claim_ids: Sequence[int]) -> list[Conflict]:
        if not claim_ids:
            return []
        statement = select(Conflict).where(
            or_(Conflict.claim_a_id.in_(claim_ids), Conflict.claim_b_id.in_(claim_ids))
        )
        return list(self.session.scalars(_with_claims(statement.order_by(Conflict.id))))

    def page(
        self,
        limit: int,
        order: str,
        after: dict[str, Any] | None,
        source: str | None,
        since: datetime | None,
    ) -> list[Conflict]:
        """One page of the feed, newest or most severe first, keyset-paginated."""
        statement = select(Conflict)
        if source is not None:
            source_id = select(Source.id).where(Source.name == source).scalar_subquery()
            claim_ids = select(Claim.id).where(Claim.source_id == source_id)
            statement = statement.where(
                or_(
                    Conflict.claim_a_id.in_(claim_ids),
                    Conflict.claim_b_id.in_(claim_ids),
                )
            )
        if since is not None:
            statement = statement.where(Conflict.created_at >= since)
        if order == "severity":
            if after is not None:
                statement = statement.where(
                    or_(
                        Conflict.severity < after["severity"],
                        (Conflict.severity == after["severity"]) & (Conflict.id < after["id"]),
                    )
                )
            statement = statement.order_by(Conflict.severity.desc(), Conflict.id.desc())
        else:
            if after is not None:
                statement = statement.where(Conflict.id < after["id"])
            statement = statement.order_by(Conflict.id.desc())
        return list(self.session.scalars(_with_claims(statement.limit(limit))))
