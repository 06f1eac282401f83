"""HTTP routes for claims: check text without storing it, and semantic search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.claims import service
from app.claims.schemas import CheckIn, CheckOut, CompareIn, CompareOut, SearchResults
from app.dependencies import CheckerDep, SessionDep
from app.problems import responses
from app.security import READ_RESPONSES, WRITE_RESPONSES, ReadAccess, WriteAccess

router = APIRouter(prefix="/v1", tags=["claims"])


@router.post(
    "/check",
    response_model=CheckOut,
    responses={**responses(400, 413, 422, 503), **WRITE_RESPONSES},
)
def check(
    data: CheckIn,
    _caller: WriteAccess,
    session: SessionDep,
    checker: CheckerDep,
) -> CheckOut:
    """Analyse text against the store without storing anything.

    The same analysis as `POST /v1/articles`: claims, quantities, matches and conflicts. With
    `source`, that outlet's own stored claims are left out of the comparison.
    """
    return service.check_text(
        session,
        checker,
        data.text,
        data.source,
        data.published_at,
        data.title,
    )


@router.get(
    "/claims/search",
    response_model=SearchResults,
    responses={**responses(422, 503), **READ_RESPONSES},
)
def search(
    _caller: ReadAccess,
    session: SessionDep,
    checker: CheckerDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="Text to search for.")],
    k: Annotated[int, Query(ge=1, le=100, description="How many claims.")] = 10,
) -> SearchResults:
    """Stored claims nearest to `q` by cosine similarity, from every source."""
    return service.search_claims(session, checker, q, k)


@router.post(
    "/compare",
    response_model=CompareOut,
    responses={**responses(400, 413, 422, 503), **WRITE_RESPONSES},
)
def compare(data: CompareIn, _caller: WriteAccess, checker: CheckerDep) -> CompareOut:
    """Pairwise verdict on two claims taken as coming from two sources.

    `relation` is `conflict` when they measure the same thing in the same event and the
    numbers cannot both be true, `agree` when they say the same thing, `unrelated` otherwise;
    `conflicts` explains each disagreeing pair (spans, intervals, measure, gap, rule).
    """
    return service.compare_texts(checker, data)
