"""Reviewed matches on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.matches.repository import StoredReview

MatchStatus = Literal["confirmed", "rejected"]


class MatchReviewIn(BaseModel):
    """A person's verdict on two claims as a match."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "rejected", "note": "Different raids."}]},
    )

    status: MatchStatus = Field(
        description="confirmed: always shown as a match; rejected: never shown again."
    )
    note: str | None = Field(default=None, max_length=5000)


class MatchReviewOut(BaseModel):
    claim_id: int
    other_claim_id: int
    status: MatchStatus
    note: str | None
    reviewed_by: str = Field(description="The API key (its name) that recorded the review.")
    reviewed_at: datetime

    @classmethod
    def of(cls, review: StoredReview, claim_id: int) -> MatchReviewOut:
        other = review.claim_b_id if review.claim_a_id == claim_id else review.claim_a_id
        return cls(
            claim_id=claim_id,
            other_claim_id=other,
            status=review.status,
            note=review.note,
            reviewed_by=review.reviewed_by,
            reviewed_at=review.reviewed_at,
        )
