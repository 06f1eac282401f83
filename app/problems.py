"""RFC 9457 problem details: every error leaves the service as ``application/problem+json``."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.exceptions import (
    AlreadyExists,
    BadRequest,
    CrosscheckError,
    InvalidInput,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthorized,
    Unavailable,
)

logger = logging.getLogger("crosscheck")

PROBLEM_JSON = "application/problem+json"

DATABASE_RETRY_AFTER_SECONDS = 5

STATUS_OF: dict[type[CrosscheckError], int] = {
    BadRequest: 400,
    NotFound: 404,
    AlreadyExists: 409,
    InvalidInput: 422,
    TooLarge: 413,
    Unauthorized: 401,
    RateLimited: 429,
    Unavailable: 503,
}


class FieldError(BaseModel):
    location: list[str | int] = Field(description="Where the error is, e.g. ['body', 'text'].")
    message: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(default="about:blank", description="A URI reference for the problem type.")
    title: str = Field(description="Short summary of the problem type.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong and what to fix.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldError] | None = Field(
        default=None, description="Each invalid field, for validation errors."
    )


def problem_response(
    request: Request | None,
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if request is not None:
        body["instance"] = request.url.path
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(
        jsonable_encoder(body),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for a route: each listed error status documented as a Problem."""
    descriptions = {
        400: "Malformed request (the body is not valid JSON, or a parameter cannot be decoded).",
        401: "Missing or wrong API key.",
        404: "No such resource.",
        409: "The request contradicts what is stored.",
        413: "The request body is larger than the service accepts.",
        422: "The request is well-formed but a field is invalid.",
        429: "Too many requests from this API key (or address): retry after Retry-After seconds.",
        503: "A dependency (database or model) is not available.",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


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
        status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 400)
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        if isinstance(exc, Unauthorized):
            # RFC 9110: a 401 names the scheme the client should use.
            headers = {"WWW-Authenticate": 'APIKey header="X-API-Key"'}
        return problem_response(request, status, exc.title, exc.detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, detail, items = _validation_detail(list(exc.errors()))
        title = "Malformed request" if status == 400 else "Invalid request"
        return problem_response(request, status, title, detail, errors=items)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"There is no route {request.url.path}; see /docs for the API."
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # Starlette names only the methods of the first route it matched; RFC 9110 wants
            # every method the resource supports.
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        return problem_response(
            request,
            exc.status_code,
            titles.get(exc.status_code, "Request failed"),
            detail,
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(
            request,
            500,
            "Internal server error",
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
            503,
            "Service unavailable",
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
            422,
            "Invalid input",
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
            response = problem_response(None, 413, "Request too large", str(error.detail))
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
