"""HTTP routes for the conflict feed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.conflicts import service
from app.conflicts.schemas import ConflictOut, ConflictPage, ConflictReview, ConflictStatus
from app.dependencies import CheckerDep, PageTokensDep, SessionDep, SettingsDep
from app.pagination import PageScope, Paging
from app.problems import responses
from app.schemas import IsoDateTime, ResourceId
from app.security import READ_RESPONSES, WRITE_RESPONSES, ReadAccess, WriteAccess

router = APIRouter(prefix="/v1/conflicts", tags=["conflicts"])


@router.get(
    "", response_model=ConflictPage, responses={**responses(400, 422, 503), **READ_RESPONSES}
)
def list_conflicts(
    _caller: ReadAccess,
    session: SessionDep,
    checker: CheckerDep,
    settings: SettingsDep,
    tokens: PageTokensDep,
    source: Annotated[
        str | None, Query(description="Only conflicts with a claim from this outlet.")
    ] = None,
    other_source: Annotated[
        str | None,
        Query(
            description="With source: only conflicts between source and this outlet; "
            "alone: conflicts with a claim from it."
        ),
    ] = None,
    since: Annotated[
        IsoDateTime | None,
        Query(description="Only conflicts found at or after this time (ISO)."),
    ] = None,
    min_gap: Annotated[
        float | None,
        Query(ge=0, le=1, description="Only conflicts whose relative gap is at least this."),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=2000,
            description="Semantic query: only conflicts with a claim among the stored claims "
            "nearest to this text (CROSSCHECK_FEED_QUERY_NEIGHBOURS, at least "
            "CROSSCHECK_FEED_QUERY_MIN_SIMILARITY similar).",
        ),
    ] = None,
    status: Annotated[
        ConflictStatus | None, Query(description="Only conflicts with this review status.")
    ] = None,
    order: Annotated[
        Literal["newest", "severity", "oldest"],
        Query(
            description="newest first, most severe first, or oldest first: the order to "
            "follow the feed in (its pages carry a follow_token)."
        ),
    ] = "newest",
    page_size: Annotated[int | None, Query(ge=1, description="Items per page (capped).")] = None,
    page_token: Annotated[
        str | None,
        Query(
            description="next_page_token or follow_token of a page, with the same order and "
            "filters (else 400)."
        ),
    ] = None,
) -> ConflictPage:
    """Claims from different sources that disagree on a number, page by page.

    Page tokens are signed keyset positions, so paging stays exact while new conflicts
    arrive; a token is bound to the order and filters it was issued for (another set is a
    400 that says so). `next_page_token` is null on the last page: page until it is null.
    To follow the feed, list with `order=oldest` and keep the last page's `follow_token`:
    asking with it as `page_token` later returns only the conflicts found since, and a new
    `follow_token` (subscribe to webhooks to be told when to ask).
    """
    size = min(page_size or settings.limits.default_page_size, settings.limits.max_page_size)
    scope = PageScope(
        "GET /v1/conflicts",
        order,
        {
            "source": source,
            "other_source": other_source,
            "since": since,
            "min_gap": min_gap,
            "q": q,
            "status": status,
        },
    )
    claim_ids = service.feed_claim_ids(session, checker, q, settings.feed)
    return service.list_conflicts(
        session,
        Paging(tokens, scope, size, page_token),
        order,
        source,
        since,
        other_source=other_source,
        min_gap=min_gap,
        status=status,
        claim_ids=claim_ids,
    )


@router.get(
    "/{conflict_id}",
    response_model=ConflictOut,
    responses={**responses(404, 422, 503), **READ_RESPONSES},
)
def get_conflict(conflict_id: ResourceId, _caller: ReadAccess, session: SessionDep) -> ConflictOut:
    """One conflict with its full explanation: both claims, both numbers, the rule, the gap,
    and its reviews (status, reviewer, note, history)."""
    return service.get_conflict(session, conflict_id)


@router.patch(
    "/{conflict_id}",
    response_model=ConflictOut,
    responses={**responses(400, 404, 413, 422, 503), **WRITE_RESPONSES},
)
def review_conflict(
    conflict_id: ResourceId, review: ConflictReview, caller: WriteAccess, session: SessionDep
) -> ConflictOut:
    """Mark a conflict `confirmed` or `dismissed` (or `new` again), with an optional note.

    Sets `reviewed_at` and `reviewer` (the API key's name) and adds the review to the
    conflict's `history`. The feed's `status` filter then finds it.
    """
    return service.review_conflict(session, conflict_id, review, caller.principal)
