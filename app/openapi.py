"""The OpenAPI document as a client generator reads it.

- **Operation ids** are part of the API: ``OPERATION_IDS`` names every route's, in camel case
  (``createArticle``, ``listConflicts``), so that a generated client's methods and modules keep
  their names when a Python function is renamed. A route missing from the table gets its
  function's name in camel case; ``tests/api/test_openapi.py`` pins the table.
- **Tags** carry descriptions (``TAGS``).
- **Response headers** are documented on every response they can come with: ``X-Request-ID``
  on all of them, ``Retry-After`` on 429 and 503, ``WWW-Authenticate`` on 401, ``Location`` on
  every 201 (each 201 route sets it), ``Idempotent-Replayed`` where a route declares it, and
  the IETF ``RateLimit-Policy`` and ``RateLimit`` fields on every response of a rate-limited
  operation (one that can answer 429).
- **Errors** are documented as ``application/problem+json`` only (FastAPI adds JSON too), with
  an example per problem kind (``app.problems``).
- **Every request body has an example**: the first of its schema's ``examples``.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.config import AccessSettings
from app.problems import PROBLEM_JSON
from app.security import document_access

OPERATION_IDS = {
    # articles
    "create_article": "createArticle",
    "batch_create_articles": "batchCreateArticles",
    "list_articles": "listArticles",
    "get_article": "getArticle",
    "delete_article": "deleteArticle",
    # claims
    "check": "checkText",
    "compare": "compareTexts",
    "search": "searchClaims",
    # conflicts
    "list_conflicts": "listConflicts",
    "get_conflict": "getConflict",
    "review_conflict": "reviewConflict",
    # matches
    "review_match": "reviewMatch",
    # webhooks
    "register_webhook": "createWebhook",
    "list_webhooks": "listWebhooks",
    "get_webhook": "getWebhook",
    "delete_webhook": "deleteWebhook",
    "list_deliveries": "listWebhookDeliveries",
    "redeliver": "redeliverWebhook",
    "rotate_secret": "rotateWebhookSecret",
    # health, metrics, problem types
    "healthz": "getHealth",
    "readyz": "getReadiness",
    "metrics": "getMetrics",
    "get_problem_type": "getProblemType",
}
"""Route function -> operation id. Changing an id breaks every generated client: add, never
rename."""


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def operation_id(route: APIRoute) -> str:
    """The operation id of ``route`` (FastAPI's ``generate_unique_id_function``)."""
    return OPERATION_IDS.get(route.name) or camel_case(route.name)


CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")

TAGS: list[dict[str, Any]] = [
    {
        "name": "articles",
        "description": "Store articles (as text or HTML, one at a time or in batches) and "
        "read them back with each claim's matches and conflicts.",
    },
    {
        "name": "claims",
        "description": "Check text against the store without storing it, compare two texts, "
        "and search the stored claims by meaning.",
    },
    {
        "name": "conflicts",
        "description": "The feed of claims from different sources that disagree on a number, "
        "with a fact-checker's review of each.",
    },
    {
        "name": "matches",
        "description": "A person's review of two claims as a match: confirmed (always shown) "
        "or rejected (never shown again).",
    },
    {
        "name": "webhooks",
        "description": "Subscriptions to new conflicts, reviews and deletions, sent by the "
        "Standard Webhooks spec (webhook-id, webhook-timestamp, webhook-signature), the state "
        "of their deliveries, and secret rotation.",
    },
    {
        "name": "health",
        "description": "Liveness, readiness and Prometheus metrics, for orchestrators and "
        "scrapers.",
    },
    {
        "name": "problems",
        "description": "A short page for each problem `type` an error can carry.",
    },
]

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id: the caller's X-Request-ID when it is usable (at most "
        "128 of A-Z a-z 0-9 . _ : @ / + = -), else a new one. Every log line of the request "
        "carries it.",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 1},
    },
    "Location": {
        "description": "The path of the resource created.",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key (nothing was stored this time).",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "RateLimit-Policy": {
        "description": "The rate limits this request was counted against, by "
        "draft-ietf-httpapi-ratelimit-headers (a structured-field list): "
        '`"requests";q=<burst>;w=<seconds>`, the token bucket\'s size and the seconds it '
        "takes to fill (so q/w is the sustained rate: CROSSCHECK_RATE_LIMIT_PER_MINUTE / 60), "
        'and on POST /v1/articles:batch also `"articles";q=..;w=..`, the article budget '
        "(each article counts one).",
        "schema": {"type": "string"},
        "example": '"requests";q=100;w=10',
    },
    "RateLimit": {
        "description": "The caller's state in each policy of RateLimit-Policy: "
        '`"requests";r=<requests left now>;t=<seconds until the bucket is full again>`. '
        "r=0: the next request waits (on a 429, Retry-After says how long).",
        "schema": {"type": "string"},
        "example": '"requests";r=99;t=1',
    },
    "WWW-Authenticate": {
        "description": 'The scheme to authenticate with: `APIKey header="X-API-Key"`.',
        "schema": {"type": "string"},
    },
}


def header_ref(name: str) -> dict[str, str]:
    """A response's ``headers`` entry pointing at the shared definition of ``name``."""
    return {"$ref": f"#/components/headers/{name}"}


REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    # Request bodies whose schema (outside the slices this module's authors own) has no example.
    "WebhookIn": {"url": "https://newsroom.example/hooks/crosscheck"},
}


def install_openapi(app: FastAPI, access: AccessSettings) -> None:
    """Make ``app.openapi()`` return the document described above (built once)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            document_access(schema, access)
            _shape(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _shape(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {})
    components.setdefault("headers", {}).update(HEADERS)
    schemas = components.get("schemas", {})
    for name, example in REQUEST_EXAMPLES.items():
        if name in schemas and not schemas[name].get("examples"):
            schemas[name]["examples"] = [example]
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            _request_example(operation, schemas)
            limited = "429" in operation.get("responses", {})
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if PROBLEM_JSON in content:
                    response["content"] = {PROBLEM_JSON: content[PROBLEM_JSON]}
                headers = response.setdefault("headers", {})
                headers["X-Request-ID"] = header_ref("X-Request-ID")
                if status in ("429", "503"):
                    headers["Retry-After"] = header_ref("Retry-After")
                if status == "401":
                    headers["WWW-Authenticate"] = header_ref("WWW-Authenticate")
                if status == "201":
                    headers["Location"] = header_ref("Location")
                if limited:
                    headers["RateLimit-Policy"] = header_ref("RateLimit-Policy")
                    headers["RateLimit"] = header_ref("RateLimit")


def _request_example(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    for media in operation.get("requestBody", {}).get("content", {}).values():
        if "example" in media or "examples" in media:
            continue
        schema = media.get("schema", {})
        # An optional body is anyOf [its schema, null].
        refs = [schema.get("$ref", "")] + [s.get("$ref", "") for s in schema.get("anyOf", [])]
        ref = next((r for r in refs if r), "")
        examples = schemas.get(ref.rsplit("/", 1)[-1], {}).get("examples")
        if examples:
            media["example"] = examples[0]
