"""Who may call: API keys for writes (and, by a setting, reads), and the per-client rate limit.

Keys come from the setting ``CROSSCHECK_API_KEYS`` (a JSON object of names and keys, or a JSON
list of keys named by their fingerprints) and are sent in ``X-API-Key``; the caller is the key's
name. Every key is compared in constant time, and all of them are compared on every request, so
the answer's timing tells nothing about which key came close. With no keys configured the service
is open for writes, for a newcomer on 127.0.0.1; start-up says so in the log, and
``CROSSCHECK_REQUIRE_API_KEYS`` (set in the Docker image) refuses to start that way at all.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from app.config import AccessSettings, Settings, key_name
from app.exceptions import RateLimited, Unauthorized
from app.limits import Limiter, remember
from app.problems import responses

logger = logging.getLogger("crosscheck.security")

API_KEY_HEADER = "X-API-Key"
SCHEME_NAME = "APIKey"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

api_key_header = APIKeyHeader(
    name=API_KEY_HEADER,
    scheme_name=SCHEME_NAME,
    description="One of the keys in the setting CROSSCHECK_API_KEYS.",
    auto_error=False,
)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who made a request: an API key's name, or the client's address without one."""

    principal: str
    authenticated: bool


def key_fingerprint(key: str) -> str:
    """A stable, non-secret name for a key: the name of a key configured without one."""
    return key_name(key)


def key_owner(presented: str, keys: Mapping[str, str]) -> str | None:
    """The name of the key ``presented`` is, or ``None``; compared in constant time against
    every key, whichever matches."""
    candidate = presented.encode("utf-8", "surrogatepass")
    owner = None
    for name, key in keys.items():
        if hmac.compare_digest(candidate, key.encode("utf-8", "surrogatepass")):
            owner = name
    return owner


def key_is_known(presented: str, keys: Iterable[str]) -> bool:
    """Whether ``presented`` is one of ``keys``, compared in constant time against each."""
    return key_owner(presented, {str(n): key for n, key in enumerate(keys)}) is not None


def check_start_up(settings: AccessSettings) -> None:
    """Refuse to start without keys when told to; otherwise warn that writes are open."""
    if any(not key.strip() for key in settings.api_keys.values()):
        raise RuntimeError("CROSSCHECK_API_KEYS holds an empty key: remove it.")
    if settings.api_keys:
        logger.info("API keys configured: %d", len(settings.api_keys))
        return
    if settings.require_api_keys:
        raise RuntimeError(
            "No API keys: set CROSSCHECK_API_KEYS to a JSON object of names and keys, e.g. "
            '\'{"alice": "a-long-random-string"}\' (CROSSCHECK_REQUIRE_API_KEYS is set).'
        )
    logger.warning(
        "No API keys configured (CROSSCHECK_API_KEYS): anyone who can reach this service can "
        "write to it. Fine on 127.0.0.1 for trying it out; set keys before exposing it."
    )


def _client_address(request: Request) -> str:
    return "addr:" + (request.client.host if request.client else "unknown")


def _admit(
    request: Request, presented: str | None, key_required: bool, limited: bool = True
) -> Caller:
    settings: Settings = request.app.state.settings
    limiter: Limiter = request.app.state.rate_limiter
    keys = settings.access.api_keys
    caller = Caller(_client_address(request), authenticated=False)
    problem: Unauthorized | None = None
    if presented is not None and keys:
        owner = key_owner(presented, keys)
        if owner is not None:
            caller = Caller(owner, authenticated=True)
        else:
            problem = Unauthorized(
                f"The {API_KEY_HEADER} header holds a key this service does not know; "
                "send one of the keys in CROSSCHECK_API_KEYS."
            )
    elif key_required and keys:
        problem = Unauthorized(
            f"This operation needs an API key: send it in the {API_KEY_HEADER} header."
        )
    # Failed attempts count against the address, so guessing keys is rate-limited as well.
    admitted = limiter.admit(caller.principal) if limited else None
    remember(request.state, admitted)
    wait = admitted.wait if admitted is not None else 0
    if wait:
        raise RateLimited(
            f"Too many requests from {caller.principal}: the limit is "
            f"{settings.limits.rate_limit_per_minute} a minute (setting "
            f"CROSSCHECK_RATE_LIMIT_PER_MINUTE); retry in {wait} s.",
            retry_after=wait,
        )
    if problem is not None:
        raise problem
    request.state.principal = caller.principal
    return caller


def admit_batch(request: Request, caller: Caller, articles: int) -> None:
    """Charge a batch's articles to the caller's article budget (the request itself was
    charged to the request budget by ``write_access``): all of them, or 429 and none."""
    settings: Settings = request.app.state.settings
    limiter: Limiter = request.app.state.batch_limiter
    admitted = limiter.admit(caller.principal, articles)
    remember(request.state, admitted)
    wait = admitted.wait if admitted is not None else 0
    if wait:
        raise RateLimited(
            f"Too many batched articles from {caller.principal}: the budget is "
            f"{settings.limits.batch_articles_per_minute} articles a minute, "
            f"{settings.limits.batch_articles_burst} at once (settings "
            "CROSSCHECK_BATCH_ARTICLES_PER_MINUTE and CROSSCHECK_BATCH_ARTICLES_BURST); nothing "
            f"of this batch was stored: retry it in {wait} s, or send a smaller one.",
            retry_after=wait,
        )


# The access dependencies are ``async`` because nothing in them blocks: a plain ``def`` would
# cost every request a hop to the thread pool and back.


async def write_access(
    request: Request, key: Annotated[str | None, Security(api_key_header)]
) -> Caller:
    """Writes need a key (when keys are configured); every call is rate-limited."""
    return _admit(request, key, key_required=True)


async def read_access(request: Request) -> Caller:
    """Reads need a key only with CROSSCHECK_REQUIRE_KEY_FOR_READS; rate-limited too.

    The header is read here rather than declared, so that the OpenAPI document shows reads as
    open; ``document_access`` adds the key to them when the setting closes them.
    """
    settings: Settings = request.app.state.settings
    return _admit(
        request, request.headers.get(API_KEY_HEADER), settings.access.require_key_for_reads
    )


async def metrics_access(request: Request) -> Caller:
    """/metrics: closed with the reads, but never rate-limited (scrapers poll on a schedule)."""
    settings: Settings = request.app.state.settings
    return _admit(
        request,
        request.headers.get(API_KEY_HEADER),
        settings.access.require_key_for_reads,
        limited=False,
    )


WriteAccess = Annotated[Caller, Depends(write_access)]
ReadAccess = Annotated[Caller, Depends(read_access)]
MetricsAccess = Annotated[Caller, Depends(metrics_access)]

WRITE_RESPONSES = responses(401, 429)
READ_RESPONSES = responses(429)


def document_access(schema: dict[str, Any], settings: AccessSettings) -> None:
    """With reads closed, say so in the OpenAPI document: every read under /v1 (and /metrics)
    requires the key and may answer 401."""
    if not (settings.require_key_for_reads and settings.api_keys):
        return
    unauthorized = responses(401)[401]
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for path, operations in schema.get("paths", {}).items():
        if not (path.startswith("/v1/") or path == "/metrics"):
            continue
        for method, operation in operations.items():
            if method.upper() in WRITE_METHODS:
                continue
            operation["security"] = [{SCHEME_NAME: []}]
            operation.setdefault("responses", {})["401"] = {
                "description": unauthorized["description"],
                "content": {"application/problem+json": problem},
            }
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes.setdefault(SCHEME_NAME, {"type": "apiKey", "in": "header", "name": API_KEY_HEADER})
