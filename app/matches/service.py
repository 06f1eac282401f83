"""Reviewed matches: a person confirms two claims as a match (shown whatever their score) or
rejects it (never shown again)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.db.base import utcnow
from app.db.session import begin_write
from app.exceptions import InvalidInput, NotFound
from app.matches.repository import MatchReviewRepository
from app.matches.schemas import MatchReviewIn, MatchReviewOut


def review_match(
    session: Session, claim_id: int, other_id: int, review: MatchReviewIn, principal: str
) -> MatchReviewOut:
    """Record (or replace) the review of the pair, by ``principal``."""
    if claim_id == other_id:
        raise InvalidInput("A claim is not a match of itself: name two different claims.")
    begin_write(session)
    reviews = MatchReviewRepository(session)
    sources = reviews.sources_of([claim_id, other_id])
    missing = [c for c in (claim_id, other_id) if c not in sources]
    if missing:
        raise NotFound(f"There is no claim {missing[0]}.")
    if sources[claim_id] == sources[other_id]:
        raise InvalidInput(
            "Both claims come from one source: matches are only ever between sources."
        )
    stored = reviews.save(claim_id, other_id, review.status, principal, review.note, utcnow())
    return MatchReviewOut.of(stored, claim_id)


def reviews_of_claims(session: Session, claim_ids: Sequence[int]) -> dict[tuple[int, int], str]:
    """(claim, other) -> status, both ways round, of every review of one of the claims."""
    found: dict[tuple[int, int], str] = {}
    for review in MatchReviewRepository(session).of_claims(claim_ids):
        found[(review.claim_a_id, review.claim_b_id)] = review.status
        found[(review.claim_b_id, review.claim_a_id)] = review.status
    return found
