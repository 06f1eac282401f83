"""HTTP routes for reviewed matches."""

from __future__ import annotations

from fastapi import APIRouter

from app.dependencies import SessionDep
from app.matches import service
from app.matches.schemas import MatchReviewIn, MatchReviewOut
from app.problems import responses
from app.schemas import ResourceId
from app.security import WRITE_RESPONSES, WriteAccess

router = APIRouter(prefix="/v1/matches", tags=["matches"])


@router.put(
    "/{claim_id}/{other_claim_id}",
    response_model=MatchReviewOut,
    responses={**responses(400, 404, 413, 422, 503), **WRITE_RESPONSES},
)
def review_match(
    claim_id: ResourceId,
    other_claim_id: ResourceId,
    review: MatchReviewIn,
    caller: WriteAccess,
    session: SessionDep,
) -> MatchReviewOut:
    """Confirm or reject two stored claims of different sources as a match.

    A `confirmed` match is shown with each claim (articles' `matches`, with `review`) whatever
    its score; a `rejected` one is never shown again. A second review of the pair replaces the
    first. Recorded with the API key that sent it.
    """
    return service.review_match(session, claim_id, other_claim_id, review, caller.principal)
