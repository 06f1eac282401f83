"""HTTP routes for articles. Thin: validation by the schemas, work by the service.

Routes are plain ``def``: FastAPI runs them in its thread pool, so the model and the database
never block the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from app import idempotency
from app.articles import flows, service
from app.articles.schemas import ArticleIn, ArticleOut, ArticlePage
from app.dependencies import CheckerDep, PageTokensDep, SessionDep, SettingsDep
from app.observability import MetricsDep
from app.pagination import PageScope, Paging
from app.problems import responses
from app.schemas import ResourceId
from app.security import READ_RESPONSES, WRITE_RESPONSES, ReadAccess, WriteAccess

router = APIRouter(prefix="/v1/articles", tags=["articles"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ArticleOut,
    responses={
        200: {
            "model": ArticleOut,
            "description": "Already stored: the stored article.",
        },
        **responses(400, 409, 413, 422, 503),
        **WRITE_RESPONSES,
    },
)
def create_article(
    data: ArticleIn,
    response: Response,
    caller: WriteAccess,
    session: SessionDep,
    checker: CheckerDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=idempotency.HEADER,
            pattern=idempotency.KEY_PATTERN,
            description="Makes a retry safe: the same key with the same body returns the "
            "first result (its status, and the header Idempotent-Replayed: true) and stores "
            "nothing. Printable ASCII, at most 200 characters; kept for "
            "CROSSCHECK_IDEMPOTENCY_KEY_HOURS.",
        ),
    ] = None,
) -> ArticleOut:
    """Store an article and cross-check it.

    Splits the text into claims, embeds them, and answers with each claim's matches (claims
    from other sources that say the same thing) and conflicts (claims from other sources that
    disagree on a number). Posting the same article again (same source and url, or same source
    and text) returns the stored one with status 200 and stores nothing.
    """
    if idempotency_key is None:
        article, created = flows.ingest_article(session, checker, data)
        replayed = False
    else:
        article, code, replayed = flows.ingest_article_once(
            session,
            checker,
            data,
            caller.principal,
            idempotency_key,
            settings.limits.idempotency_key_hours,
        )
        created = code == status.HTTP_201_CREATED
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
    if not created:
        response.status_code = status.HTTP_200_OK
    elif not replayed:
        metrics.articles.inc()
        metrics.claims.inc(article.claim_count)
        metrics.conflicts.inc(article.conflict_count)
    return article


@router.get(
    "", response_model=ArticlePage, responses={**responses(400, 422, 503), **READ_RESPONSES}
)
def list_articles(
    _caller: ReadAccess,
    session: SessionDep,
    settings: SettingsDep,
    tokens: PageTokensDep,
    source: Annotated[str | None, Query(description="Only this outlet's articles.")] = None,
    page_size: Annotated[int | None, Query(ge=1, description="Items per page (capped).")] = None,
    page_token: Annotated[
        str | None,
        Query(description="next_page_token of a page, with the same source (else 400)."),
    ] = None,
) -> ArticlePage:
    """Stored articles, newest first, page by page."""
    size = min(page_size or settings.limits.default_page_size, settings.limits.max_page_size)
    scope = PageScope("GET /v1/articles", filters={"source": source})
    return service.list_articles(session, Paging(tokens, scope, size, page_token), source)


@router.get(
    "/{article_id}",
    response_model=ArticleOut,
    responses={**responses(404, 422, 503), **READ_RESPONSES},
)
def get_article(
    article_id: ResourceId,
    _caller: ReadAccess,
    session: SessionDep,
    checker: CheckerDep,
) -> ArticleOut:
    """A stored article with its claims, their current matches and their conflicts."""
    return flows.view_article(session, checker, article_id)


@router.delete(
    "/{article_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**responses(404, 422, 503), **WRITE_RESPONSES},
)
def delete_article(
    article_id: ResourceId, _caller: WriteAccess, session: SessionDep, checker: CheckerDep
) -> Response:
    """Delete an article; its claims, quantities and conflicts go with it."""
    flows.delete_article(session, checker, article_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
