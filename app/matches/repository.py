"""All SQL about reviewed matches: one row per claim pair, in id order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db.models import Claim, MatchReview

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class StoredReview:
    claim_a_id: int
    claim_b_id: int
    status: str  # confirmed | rejected
    reviewed_by: str
    note: str | None
    reviewed_at: datetime


def ordered(claim_id: int, other_id: int) -> tuple[int, int]:
    return (claim_id, other_id) if claim_id < other_id else (other_id, claim_id)


class MatchReviewRepository:
    def __init__(self, session: Session):
        self.session = session

    def sources_of(self, claim_ids: Sequence[int]) -> dict[int, int]:
        """The source of each of the claims that exist."""
        rows = self.session.execute(
            select(Claim.id, Claim.source_id).where(Claim.id.in_(claim_ids))
        )
        return {int(claim_id): int(source_id) for claim_id, source_id in rows}

    def save(
        self,
        claim_id: int,
        other_id: int,
        status: str,
        reviewed_by: str,
        note: str | None,
        reviewed_at: datetime,
    ) -> StoredReview:
        """Record the review of a pair, replacing an earlier one (call in a write transaction:
        writers take turns, so two reviews of one pair cannot both insert)."""
        a, b = ordered(claim_id, other_id)
        row = self.session.scalars(
            select(MatchReview).where(MatchReview.claim_a_id == a, MatchReview.claim_b_id == b)
        ).first()
        if row is None:
            row = MatchReview(claim_a_id=a, claim_b_id=b)
            self.session.add(row)
        row.status = status
        row.reviewed_by = reviewed_by
        row.note = note
        row.reviewed_at = reviewed_at
        self.session.flush()
        return StoredReview(a, b, status, reviewed_by, note, reviewed_at)

    def of_claims(self, claim_ids: Sequence[int]) -> list[StoredReview]:
        """Every review of a pair with one of the claims."""
        found: list[StoredReview] = []
        for start in range(0, len(claim_ids), _CHUNK):
            chunk = claim_ids[start : start + _CHUNK]
            rows = self.session.scalars(
                select(MatchReview).where(
                    or_(MatchReview.claim_a_id.in_(chunk), MatchReview.claim_b_id.in_(chunk))
                )
            )
            found.extend(
                StoredReview(
                    r.claim_a_id, r.claim_b_id, r.status, r.reviewed_by, r.note, r.reviewed_at
                )
                for r in rows
            )
        return list({(r.claim_a_id, r.claim_b_id): r for r in found}.values())
