"""What a conflict looks like on the wire: both claims, both numbers, and why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.conflicts.repository import StoredConflict, StoredReview
from app.core.compare import QuantityConflict, Verdict
from app.schemas import ClaimRef, QuantityOut

ConflictStatus = Literal["new", "confirmed", "dismissed"]


class QuantityPair(BaseModel):
    """Two quantities that measure the same thing and disagree."""

    measure: str = Field(examples=["people killed"])
    rule: str = Field(description="The rule that fired.", examples=["disjoint-intervals"])
    relative_gap: float = Field(description="Distance between the intervals / the larger bound.")
    severity: float = Field(ge=0, le=1)
    a: QuantityOut
    b: QuantityOut

    @classmethod
    def of(cls, conflict: QuantityConflict, swap: bool = False) -> QuantityPair:
        first, second = (conflict.b, conflict.a) if swap else (conflict.a, conflict.b)
        return cls(
            measure=conflict.measure,
            rule=conflict.rule,
            relative_gap=conflict.relative_gap,
            severity=conflict.severity,
            a=QuantityOut.of(first),
            b=QuantityOut.of(second),
        )


class ReviewOut(BaseModel):
    """One review of a conflict: who, when, what, and their note."""

    reviewer: str | None = Field(
        description="The name of the reviewer's API key; null for reviews made before "
        "reviewers were recorded.",
        examples=["alice"],
    )
    status: ConflictStatus
    note: str | None
    created_at: datetime


class ConflictOut(BaseModel):
    """Two claims from different sources that disagree on a number, with the explanation."""

    id: int | None = Field(description="Null when the conflict was found by /v1/check.")
    created_at: datetime | None
    a: ClaimRef
    b: ClaimRef
    measure: str
    rule: str
    reason: str = Field(description="One sentence a fact-checker can read.")
    similarity: float = Field(description="Cosine similarity of the two claims' embeddings.")
    relative_gap: float
    severity: float = Field(ge=0, le=1, description="Orders the feed: larger gaps first.")
    quantities: list[QuantityPair] = Field(description="Every disagreeing pair, worst first.")
    status: ConflictStatus = Field(
        default="new", description="A fact-checker's review: new, confirmed or dismissed."
    )
    note: str | None = Field(default=None, description="The reviewer's note.")
    reviewed_at: datetime | None = Field(default=None, description="When it was last reviewed.")
    reviewer: str | None = Field(
        default=None,
        description="Who made the latest review: the name of their API key (CROSSCHECK_API_KEYS).",
        examples=["alice"],
    )
    history: list[ReviewOut] | None = Field(
        default=None,
        description="Every review, oldest first: in GET /v1/conflicts/{id} and the PATCH's "
        "answer; null in the feed's lists.",
    )

    @classmethod
    def of_stored(
        cls, conflict: StoredConflict, history: Sequence[StoredReview] | None = None
    ) -> ConflictOut:
        """A stored conflict as served, with its review history when given."""
        return cls(
            id=conflict.id,
            created_at=conflict.created_at,
            a=ClaimRef.model_validate(conflict.a, from_attributes=True),
            b=ClaimRef.model_validate(conflict.b, from_attributes=True),
            measure=conflict.measure,
            rule=conflict.rule,
            reason=conflict.reason,
            similarity=conflict.similarity,
            relative_gap=conflict.relative_gap,
            severity=conflict.severity,
            quantities=[QuantityPair.of(pair) for pair in conflict.pairs],
            status=conflict.status,
            note=conflict.note,
            reviewed_at=conflict.reviewed_at,
            reviewer=conflict.reviewed_by,
            history=None
            if history is None
            else [ReviewOut.model_validate(r, from_attributes=True) for r in history],
        )

    @classmethod
    def of_verdict(
        cls,
        a: ClaimRef,
        b: ClaimRef,
        similarity: float,
        verdict: Verdict,
        swap: bool = False,
    ) -> ConflictOut:
        """A conflict not (yet) stored; ``swap`` when the verdict compared b with a."""
        pairs = sorted(
            (QuantityPair.of(c, swap) for c in verdict.conflicts),
            key=lambda p: -p.severity,
        )
        head = pairs[0]
        return cls(
            id=None,
            created_at=None,
            a=a,
            b=b,
            measure=head.measure,
            rule=head.rule,
            reason=verdict.reason,
            similarity=similarity,
            relative_gap=head.relative_gap,
            severity=head.severity,
            quantities=pairs,
        )


class ConflictReview(BaseModel):
    """A fact-checker's verdict on a conflict. Omit ``note`` to keep the current one; send
    ``null`` to clear it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "confirmed", "note": "AP updated its toll."}]},
    )

    status: ConflictStatus = Field(description="confirmed, dismissed, or new to reopen it.")
    note: str | None = Field(default=None, max_length=5000, examples=["AP updated its toll."])


class ConflictPage(BaseModel):
    items: list[ConflictOut]
    next_page_token: str | None = Field(
        description="Pass as page_token for the next page; null on the last page, in every "
        "order: a client paging until it is null stops."
    )
    follow_token: str | None = Field(
        default=None,
        description="order=oldest only (else null), on every page, the last included: the "
        "place after this page's last conflict. Pass it as page_token later (same order and "
        "filters) to get only the conflicts found since; keep the newest one you were given.",
    )
