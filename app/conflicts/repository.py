"""All SQL about conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from app.db.models import Article, Claim, Conflict, Source
from app.db.upsert import insert_unless_exists


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

    def add_unless_stored(self, values: dict[str, Any]) -> bool:
        """Store a conflict; ``False``, storing nothing, when its claim pair already has one."""
        inserted = self.session.execute(
            insert_unless_exists(self.session, Conflict, ["claim_a_id", "claim_b_id"])
            .values(**values)
            .returning(Conflict.id)
        ).scalar_one_or_none()
        return inserted is not None

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
        *,
        other_source: str | None = None,
        min_gap: float | None = None,
        status: str | None = None,
        claim_ids: Sequence[int] | None = None,
    ) -> list[Conflict]:
        """One page of the feed (newest, most severe or oldest first), keyset-paginated.

        ``source`` and ``other_source`` together: one claim from each; either alone: a claim
        from it. ``claim_ids``: one of the two claims among them.
        """
        statement = select(Conflict)
        if source is not None and other_source is not None:
            ours, theirs = _claims_of(source), _claims_of(other_source)
            statement = statement.where(
                or_(
                    Conflict.claim_a_id.in_(ours) & Conflict.claim_b_id.in_(theirs),
                    Conflict.claim_a_id.in_(theirs) & Conflict.claim_b_id.in_(ours),
                )
            )
        elif source is not None or other_source is not None:
            either = _claims_of(source if source is not None else str(other_source))
            statement = statement.where(
                or_(Conflict.claim_a_id.in_(either), Conflict.claim_b_id.in_(either))
            )
        if since is not None:
            statement = statement.where(Conflict.created_at >= since)
        if min_gap is not None:
            statement = statement.where(Conflict.relative_gap >= min_gap)
        if status is not None:
            statement = statement.where(Conflict.status == status)
        if claim_ids is not None:
            statement = statement.where(
                or_(Conflict.claim_a_id.in_(claim_ids), Conflict.claim_b_id.in_(claim_ids))
            )
        if order == "oldest":
            if after is not None:
                statement = statement.where(Conflict.id > after["id"])
            statement = statement.order_by(Conflict.id.asc())
        elif order == "severity":
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

    def review(
        self, conflict: Conflict, status: str, note: str | None, reviewed_at: datetime
    ) -> None:
        conflict.status = status
        conflict.note = note
        conflict.reviewed_at = reviewed_at
        self.session.flush()


def _claims_of(source: str) -> Select[int]:
    source_id = select(Source.id).where(Source.name == source).scalar_subquery()
    return select(Claim.id).where(Claim.source_id == source_id)
