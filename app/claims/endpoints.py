"""HTTP routes for claims: check text without storing it, and semantic search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.claims import service
from app.claims.schemas import CheckIn, CheckOut, CompareIn, CompareOut, SearchResults
from app.dependencies import CheckerDep, PageTokensDep, SessionDep
from app.pagination import PageScope, Paging
from app.problems import responses
from app.schemas import IsoDate
from app.search.hybrid import SearchMode
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
    responses={**responses(400, 422, 503), **READ_RESPONSES},
)
def search(
    _caller: ReadAccess,
    session: SessionDep,
    checker: CheckerDep,
    tokens: PageTokensDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="Text to search for.")],
    k: Annotated[int, Query(ge=1, le=100, description="How many claims (a page).")] = 10,
    mode: Annotated[
        SearchMode,
        Query(
            description="hybrid: keywords and embeddings fused (the default); semantic: by "
            "cosine similarity alone; lexical: by keywords alone."
        ),
    ] = "hybrid",
    source: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Only this outlet's claims.")
    ] = None,
    exclude_source: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Leave this outlet's claims out."),
    ] = None,
    since: Annotated[
        IsoDate | None, Query(description="Only claims of articles published on or after this.")
    ] = None,
    until: Annotated[
        IsoDate | None, Query(description="Only claims of articles published on or before this.")
    ] = None,
    page_token: Annotated[
        str | None,
        Query(description="next_page_token of a page, with the same q, mode and filters."),
    ] = None,
) -> SearchResults:
    """Stored claims for `q`, best first, with their articles and the score of each index.

    `hybrid` fuses the claims nearest by embedding with the best by keywords (the database's
    full-text index), so a claim is found both when it is reworded and when it shares rare
    words (names, numbers) with `q`. The filters apply to the best
    `CROSSCHECK_SEARCH_CANDIDATES` claims of each index (deeper for deep pages); page with
    `next_page_token` until it is null.
    """
    scope = PageScope(
        "GET /v1/claims/search",
        mode,
        {
            "q": q,
            "source": source,
            "exclude_source": exclude_source,
            "since": since,
            "until": until,
        },
    )
    filters = service.SearchFilters(source, exclude_source, since, until)
    return service.search_claims(
        session, checker, q, mode, filters, Paging(tokens, scope, k, page_token)
    )


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
