"""HTTP routes for articles. Thin: validation by the schemas, work by the service.

Routes are plain ``def``: FastAPI runs them in its thread pool, so the model and the database
never block the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from pydantic import ValidationError

from app import idempotency
from app.articles import flows, service
from app.articles.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePage,
    BatchIn,
    BatchItemOut,
    BatchOut,
)
from app.dependencies import CheckerDep, PageTokensDep, SessionDep, SettingsDep
from app.exceptions import InvalidInput
from app.observability import Metrics, MetricsDep
from app.openapi import header_ref
from app.pagination import PageScope, Paging
from app.problems import Problem, kind_of, problem_body, responses, validation_problem
from app.schemas import ResourceId
from app.security import READ_RESPONSES, WRITE_RESPONSES, ReadAccess, WriteAccess, admit_batch

router = APIRouter(prefix="/v1/articles", tags=["articles"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ArticleOut,
    responses={
        201: {
            "description": "Stored: the article with its claims, matches and conflicts.",
            "headers": {"Idempotent-Replayed": header_ref("Idempotent-Replayed")},
        },
        200: {
            "model": ArticleOut,
            "description": "Already stored: the stored article.",
            "headers": {"Idempotent-Replayed": header_ref("Idempotent-Replayed")},
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
    else:
        response.headers["Location"] = f"{router.prefix}/{article.id}"
    if created and not replayed:
        _count(metrics, article)
    return article


def _count(metrics: Metrics, article: ArticleOut) -> None:
    metrics.articles.inc()
    metrics.claims.inc(article.claim_count)
    metrics.conflicts.inc(article.conflict_count)


@router.post(
    ":batch",
    response_model=BatchOut,
    responses={**responses(400, 413, 422, 503), **WRITE_RESPONSES},
)
def batch_create_articles(
    data: BatchIn,
    request: Request,
    caller: WriteAccess,
    session: SessionDep,
    checker: CheckerDep,
    settings: SettingsDep,
    metrics: MetricsDep,
) -> BatchOut:
    """Store many articles in one request, each answered on its own, in order.

    Each item of `items` is what `POST /v1/articles` would have answered for that article:
    `status` 201 and the stored `article`, 200 and the article already stored, or the status
    of its `problem` (422 an invalid article, 409 a url already stored with another text).
    The articles that can be stored are stored even when others are refused; later articles
    are checked against earlier ones of the same batch. The batch itself answers 200 unless
    it cannot be taken as a whole: more than CROSSCHECK_MAX_BATCH_ARTICLES articles or an
    Idempotency-Key (422), a body over CROSSCHECK_MAX_BODY_BYTES (413), the database
    unavailable (503, nothing stored).

    Rate limits: the request counts once against CROSSCHECK_RATE_LIMIT_PER_MINUTE like any
    other, and its articles, all of them, against CROSSCHECK_BATCH_ARTICLES_PER_MINUTE (429
    with Retry-After, nothing stored, when the budget cannot take them all).

    Retrying is safe without an Idempotency-Key: an article already stored (same source and
    url, or same source and text) is answered 200 and stored no second time, so a batch sent
    again answers 200 for what the first attempt stored and stores the rest.
    """
    limit = settings.limits.max_batch_articles
    if len(data.articles) > limit:
        raise InvalidInput(
            f"The batch has {len(data.articles)} articles; at most {limit} may be sent at "
            "once (setting CROSSCHECK_MAX_BATCH_ARTICLES): split it."
        )
    if request.headers.get(idempotency.HEADER) is not None:
        raise InvalidInput(
            f"A batch takes no {idempotency.HEADER}: retrying it is safe as it is (articles "
            "already stored are answered 200 and not stored again). Remove the header."
        )
    admit_batch(request, caller, len(data.articles))

    valid: list[ArticleIn] = []
    refused: dict[int, dict[str, object]] = {}
    for index, raw in enumerate(data.articles):
        try:
            valid.append(ArticleIn.model_validate(raw))
        except ValidationError as error:
            located = [{**e, "loc": ("body", "articles", index, *e["loc"])} for e in error.errors()]
            refused[index] = validation_problem(located, request.url.path)
    outcomes = iter(flows.ingest_batch(session, checker, valid))
    items = []
    for index in range(len(data.articles)):
        if index in refused:
            problem = Problem.model_validate(refused[index])
            items.append(
                BatchItemOut(index=index, status=problem.status, article=None, problem=problem)
            )
            continue
        outcome = next(outcomes)
        if outcome.error is not None:
            body = problem_body(kind_of(outcome.error), outcome.error.detail, request.url.path)
            problem = Problem.model_validate(body)
            items.append(
                BatchItemOut(index=index, status=problem.status, article=None, problem=problem)
            )
            continue
        assert outcome.article is not None
        if outcome.created:
            _count(metrics, outcome.article)
        code = status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK
        items.append(BatchItemOut(index=index, status=code, article=outcome.article, problem=None))
    return BatchOut(
        stored=sum(item.status == 201 for item in items),
        already_stored=sum(item.status == 200 for item in items),
        failed=sum(item.problem is not None for item in items),
        items=items,
    )


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
