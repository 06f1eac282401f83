"""RFC 9457 problem details: every error leaves the service as ``application/problem+json``."""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.exceptions import (
    AlreadyExists,
    BadRequest,
    CrosscheckError,
    InvalidInput,
    NotFound,
    Overloaded,
    RateLimited,
    TooLarge,
    Unauthorized,
    Unavailable,
)

logger = logging.getLogger("crosscheck")

PROBLEM_JSON = "application/problem+json"

DATABASE_RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """One kind of problem: its ``type`` URI, its status, and what it means to a caller.

    ``title`` is the status phrase of RFC 9110, as RFC 9457 asks of a title that goes with a
    status; what went wrong this time is in the problem's ``detail``.
    """

    slug: str
    status: int
    meaning: str
    remedy: str

    @property
    def type(self) -> str:
        return f"{PROBLEMS_PATH}/{self.slug}"

    @property
    def title(self) -> str:
        return STATUS_PHRASES.get(self.status) or HTTPStatus(self.status).phrase


PROBLEMS_PATH = "/problems"

# RFC 9110 renamed these two; Python's http module still has the RFC 7231 phrases.
STATUS_PHRASES = {413: "Content Too Large", 422: "Unprocessable Content"}

MALFORMED = ProblemKind(
    "malformed-request",
    400,
    "The request could not be read: its body is not valid JSON, or a parameter (a page "
    "token) is not one the service issued.",
    "Fix the JSON syntax, or pass a next_page_token exactly as a page returned it.",
)
UNAUTHORIZED = ProblemKind(
    "unauthorized",
    401,
    "The operation needs an API key, or the X-API-Key header holds a key the service does "
    "not know.",
    "Send one of the keys in CROSSCHECK_API_KEYS in the X-API-Key header.",
)
NOT_FOUND = ProblemKind(
    "not-found",
    404,
    "There is no resource with that id (it may have been deleted), or no route at that path.",
    "Check the id, or the path against the API reference at /docs.",
)
METHOD_NOT_ALLOWED = ProblemKind(
    "method-not-allowed",
    405,
    "The resource exists but does not serve this HTTP method.",
    "Use one of the methods the Allow header names.",
)
CONFLICT = ProblemKind(
    "conflict",
    409,
    "The request contradicts what is stored: a url already stored with another text, or the "
    "limit of registered webhooks reached.",
    "Read the detail: DELETE the stored article to replace it, or remove a webhook.",
)
TOO_LARGE = ProblemKind(
    "request-too-large",
    413,
    "The request body is larger than the service accepts (CROSSCHECK_MAX_BODY_BYTES).",
    "Send a smaller body: fewer articles in a batch, or a shorter article.",
)
INVALID = ProblemKind(
    "invalid-request",
    422,
    "The request is well-formed but a field is invalid: missing, unknown, empty, too long, a "
    "bad date, or an Idempotency-Key reused with another body. ``errors`` lists each field.",
    "Fix the fields that ``errors`` and ``detail`` name; the schema is in /docs.",
)
RATE_LIMITED = ProblemKind(
    "rate-limited",
    429,
    "Too many requests (or batched articles) from this API key, or from this address without "
    "one (CROSSCHECK_RATE_LIMIT_PER_MINUTE, CROSSCHECK_BATCH_ARTICLES_PER_MINUTE).",
    "Wait the Retry-After header's seconds, then retry.",
)
INTERNAL = ProblemKind(
    "internal-error",
    500,
    "The service failed unexpectedly; nothing was stored. The error is logged with the request id.",
    "Retry later; report the X-Request-ID if it persists.",
)
UNAVAILABLE = ProblemKind(
    "unavailable",
    503,
    "The database is unavailable (down, restarting, or a lock held past the timeout); nothing "
    "was changed.",
    "Retry after the Retry-After header's seconds.",
)
OVERLOADED = ProblemKind(
    "overloaded",
    503,
    "The embedding model has more work queued than it accepts (CROSSCHECK_EMBEDDING_MAX_QUEUE).",
    "Retry after the Retry-After header's seconds, or send less at once.",
)
NOT_READY = ProblemKind(
    "not-ready",
    503,
    "The service is starting or has lost its database or model: /readyz says which.",
    "Send traffic elsewhere until /readyz answers 200.",
)

PROBLEM_KINDS: dict[str, ProblemKind] = {
    kind.slug: kind
    for kind in (
        MALFORMED,
        UNAUTHORIZED,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        CONFLICT,
        TOO_LARGE,
        INVALID,
        RATE_LIMITED,
        INTERNAL,
        UNAVAILABLE,
        OVERLOADED,
        NOT_READY,
    )
}

# Most specific first: an Overloaded is an Unavailable.
KIND_OF: tuple[tuple[type[CrosscheckError], ProblemKind], ...] = (
    (BadRequest, MALFORMED),
    (NotFound, NOT_FOUND),
    (AlreadyExists, CONFLICT),
    (InvalidInput, INVALID),
    (TooLarge, TOO_LARGE),
    (Unauthorized, UNAUTHORIZED),
    (RateLimited, RATE_LIMITED),
    (Overloaded, OVERLOADED),
    (Unavailable, UNAVAILABLE),
)


def kind_of(error: CrosscheckError) -> ProblemKind:
    """The problem kind a domain error is reported as."""
    return next((kind for cls, kind in KIND_OF if isinstance(error, cls)), MALFORMED)


class FieldError(BaseModel):
    location: list[str | int] = Field(description="Where the error is, e.g. ['body', 'text'].")
    message: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(
        description="The problem type, a URI reference resolved against the service's address "
        f"(e.g. {RATE_LIMITED.type}); GET it for a short page on what it means. One of: "
        + ", ".join(kind.type for kind in PROBLEM_KINDS.values())
        + ".",
        examples=[RATE_LIMITED.type],
    )
    title: str = Field(description="The HTTP status phrase.", examples=[RATE_LIMITED.title])
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong and what to fix.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldError] | None = Field(
        default=None, description="Each invalid field, for validation errors."
    )


def problem_body(
    kind: ProblemKind,
    detail: str,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A problem document as a JSON object (also one item of a batch's answer)."""
    body: dict[str, Any] = {"type": kind.type, "title": kind.title, "status": kind.status}
    body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    request: Request | None,
    kind: ProblemKind,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    status: int | None = None,
) -> JSONResponse:
    """A problem+json response of ``kind`` (with ``status`` only for an unlisted HTTP error)."""
    body = problem_body(kind, detail, request.url.path if request is not None else None, errors)
    if status is not None and status != kind.status:
        body["status"] = status
        body["title"] = STATUS_PHRASES.get(status) or HTTPStatus(status).phrase
    return JSONResponse(
        jsonable_encoder(body),
        status_code=body["status"],
        media_type=PROBLEM_JSON,
        headers=headers,
    )


KINDS_OF_STATUS: dict[int, tuple[ProblemKind, ...]] = {}
for _kind in PROBLEM_KINDS.values():
    KINDS_OF_STATUS[_kind.status] = (*KINDS_OF_STATUS.get(_kind.status, ()), _kind)

RESPONSE_DESCRIPTIONS = {
    400: "Malformed request (the body is not valid JSON, or a parameter cannot be decoded).",
    401: "Missing or wrong API key.",
    404: "No such resource.",
    409: "The request contradicts what is stored.",
    413: "The request body is larger than the service accepts.",
    422: "The request is well-formed but a field is invalid.",
    429: "Too many requests from this API key (or address): retry after Retry-After seconds.",
    503: "A dependency (database or model) is not available: retry after Retry-After seconds.",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for a route: each listed error status documented as a Problem,
    with an example of each problem kind it can be."""
    return {
        status: {
            "model": Problem,
            "description": RESPONSE_DESCRIPTIONS[status],
            "content": {
                PROBLEM_JSON: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "examples": {
                        kind.slug: {"summary": kind.meaning, "value": _example(kind)}
                        for kind in KINDS_OF_STATUS[status]
                    },
                }
            },
        }
        for status in statuses
    }


def _example(kind: ProblemKind) -> dict[str, Any]:
    return problem_body(kind, kind.remedy)


def _validation_detail(
    errors: list[dict[str, Any]],
) -> tuple[int, str, list[dict[str, Any]]]:
    items = []
    for error in errors:
        location = [part for part in error.get("loc", ()) if part != "__root__"]
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "extra_forbidden":
            message = "unknown field: remove it (see the schema in /docs)"
        items.append({"location": location, "message": message, "type": error.get("type", "")})
    if any(error.get("type") == "json_invalid" for error in errors):
        return 400, "The request body is not valid JSON: fix its syntax.", items
    parts = [f"{'.'.join(str(p) for p in item['location'])}: {item['message']}" for item in items]
    return 422, "Invalid request: " + "; ".join(parts), items


def validation_problem(errors: list[dict[str, Any]], instance: str | None = None) -> dict[str, Any]:
    """The problem body of pydantic ``errors`` (an item of a batch that is not an article)."""
    _, detail, items = _validation_detail(errors)
    return problem_body(INVALID, detail, instance, items)


HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (asked of the router itself)."""
    return [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot serve now (down, unreachable, restarting,
    overloaded, or a lock held past the timeout), as opposed to a bug in a statement."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeoutError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


DISK_FULL_SQLSTATE = "53100"  # PostgreSQL's disk_full


def is_disk_full(exc: BaseException) -> bool:
    """Whether the database refused a write for want of disk space."""
    original = getattr(exc, "orig", None)
    if getattr(original, "sqlstate", None) == DISK_FULL_SQLSTATE:
        return True
    message = str(original or exc).lower()
    return "database or disk is full" in message or "no space left on device" in message


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error, expected or not, as a problem details body."""

    @app.exception_handler(CrosscheckError)
    async def _domain(request: Request, exc: CrosscheckError) -> JSONResponse:
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        if isinstance(exc, Unauthorized):
            # RFC 9110: a 401 names the scheme the client should use.
            headers = {"WWW-Authenticate": 'APIKey header="X-API-Key"'}
        return problem_response(request, kind_of(exc), exc.detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, detail, items = _validation_detail(list(exc.errors()))
        kind = MALFORMED if status == 400 else INVALID
        return problem_response(request, kind, detail, errors=items)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kinds = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED, 413: TOO_LARGE, 400: MALFORMED}
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"There is no route {request.url.path}; see /docs for the API."
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # Starlette names only the methods of the first route it matched; RFC 9110 wants
            # every method the resource supports.
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        kind = kinds.get(exc.status_code, INTERNAL if exc.status_code >= 500 else MALFORMED)
        return problem_response(request, kind, detail, headers=headers, status=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(
            request,
            INTERNAL,
            "The service failed unexpectedly; nothing was stored. The error has been logged.",
        )

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        if not is_database_unavailable(exc):
            return await _unexpected(request, exc)
        # The engine checks connections before use: once the database is back, the next
        # request succeeds without a restart.
        logger.warning(
            "database unavailable on %s %s: %s",
            request.method,
            request.url.path,
            describe_database_error(exc),
        )
        detail = "The database is unavailable; retry later (nothing was changed)."
        if is_disk_full(exc):
            detail = (
                "The database's disk is full: nothing was changed; retry once an operator "
                "has freed space (GET /readyz says when)."
            )
        return problem_response(
            request,
            UNAVAILABLE,
            detail,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )

    async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
        # The database refused a value the request carried (PostgreSQL: a NUL character in
        # text, a number out of a column's range): the client's input, not the service, and
        # nothing was stored.
        logger.warning(
            "unstorable value on %s %s: %s",
            request.method,
            request.url.path,
            describe_database_error(exc),
        )
        return problem_response(
            request,
            INVALID,
            "A value in the request cannot be stored (for example a NUL character in text): "
            "remove it and retry.",
        )

    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(DataError, _unstorable)
    app.add_exception_handler(PoolTimeoutError, _database)


def describe_database_error(exc: Exception) -> str:
    """What went wrong, for the log: the driver's error class and first line, never the
    statement's parameters nor PostgreSQL's DETAIL lines (which quote the values)."""
    original = getattr(exc, "orig", None) or exc
    first_line = (str(original).strip().splitlines() or [""])[0][:300]
    return f"{type(original).__name__}: {first_line}"


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413, before the app reads them whole.

    Checks the declared Content-Length first, then counts streamed bytes, so a chunked upload
    cannot slip past the limit either.
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> StarletteHTTPException:
        return StarletteHTTPException(
            413,
            f"The request body is larger than {self.max_bytes} bytes; send a smaller article "
            "(the limit is the setting CROSSCHECK_MAX_BODY_BYTES).",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            error = self._too_large()
            response = problem_response(None, TOO_LARGE, str(error.detail))
            await response(scope, receive, send)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # An HTTPException raised while the body is read reaches the handlers as is.
                    raise self._too_large()
            return message

        await self.app(scope, limited_receive, send)


# --- The problem types' pages ------------------------------------------------------------------

router = APIRouter(prefix=PROBLEMS_PATH, tags=["problems"])

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}: {slug} - crosscheck</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em}}
code{{background:#f3f3f3;padding:0 .2em}}</style></head>
<body><h1>{status} {title}</h1><p>Problem type <code>{type}</code></p>
<p>{meaning}</p><p><strong>What to do:</strong> {remedy}</p>
<p>Every error crosscheck answers is an RFC 9457 <code>application/problem+json</code>
document whose <code>detail</code> says what went wrong this time.
The API reference is at <a href="/docs">/docs</a>.</p></body></html>
"""


def problem_page(kind: ProblemKind) -> str:
    """A short page, with nothing loaded from elsewhere, on what a problem type means."""
    fields = {
        "slug": kind.slug,
        "status": kind.status,
        "title": kind.title,
        "type": kind.type,
        "meaning": kind.meaning,
        "remedy": kind.remedy,
    }
    return _PAGE.format(**{k: html.escape(str(v)) for k, v in fields.items()})


@router.get(
    "/{slug}",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {}}, "description": "What the problem type means."},
        **responses(404, 422),
    },
)
async def get_problem_type(slug: str) -> HTMLResponse:
    """The page of a problem type: each problem's `type` resolves here."""
    kind = PROBLEM_KINDS.get(slug)
    if kind is None:
        raise NotFound(
            f"There is no problem type {slug!r}; the types are: {', '.join(PROBLEM_KINDS)}."
        )
    return HTMLResponse(problem_page(kind))
