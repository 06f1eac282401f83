"""The ASGI application: ``app.main:app``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import health
from app.articles.endpoints import router as articles_router
from app.claims.endpoints import router as claims_router
from app.components import Components
from app.config import Settings, get_settings
from app.conflicts.endpoints import router as conflicts_router
from app.desk import Sessions, install_desk
from app.docs import install_docs
from app.embeddings import Embedder
from app.headers import SecurityHeaders
from app.limits import RateLimitFields, create_limiter
from app.matches.endpoints import router as matches_router
from app.observability import InstrumentedEmbedder, Metrics, RequestContext, configure_logging
from app.observability import router as metrics_router
from app.openapi import TAGS, install_openapi, operation_id
from app.problems import BodySizeLimit, install_problem_handlers
from app.problems import router as problems_router
from app.security import check_start_up
from app.webhooks.endpoints import router as webhooks_router
from app.webhooks.worker import DeliveryWorker

logger = logging.getLogger("crosscheck")

DESCRIPTION = """
crosscheck splits news articles into claims, embeds them, and tells, for each claim, which
claims from **other sources** say the same thing and which **disagree on a number**.

Errors are RFC 9457 `application/problem+json` documents: their `type` (e.g.
`/problems/rate-limited`) names the kind of problem and resolves to a short page on it, their
`title` is the HTTP status phrase and their `detail` says what to fix. Every response carries
`X-Request-ID`.
"""


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    """Build the service. ``embedder`` lets a caller share an already loaded model."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.logging)
        check_start_up(settings.access)
        components = Components.start(
            settings, embedder, instrument=lambda model: InstrumentedEmbedder(model, metrics)
        )
        metrics.watch_model_calls(components.embedder)
        app.state.settings = settings
        app.state.components = components
        app.state.engine = components.engine
        app.state.sessions = components.sessions
        app.state.embedder = components.checker.embedder
        app.state.search = components.search
        app.state.checker = components.checker
        app.state.page_tokens = components.page_tokens
        app.state.desk_sessions = Sessions(components.session_key)
        # Webhook deliveries: a thread of their own, never in a request's path.
        worker = DeliveryWorker(components.sessions, settings.webhooks, metrics)
        worker.start()
        app.state.webhook_worker = worker
        logger.info(
            "crosscheck ready: database %s, model %s",
            components.engine.dialect.name,
            components.embedder.name,
        )
        try:
            yield
        finally:
            worker.stop()
            components.close()
            app.state.rate_limiter.close()
            app.state.batch_limiter.close()

    app = FastAPI(
        title="crosscheck",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=TAGS,
        generate_unique_id_function=operation_id,
    )
    metrics = Metrics()
    app.state.metrics = metrics
    limits = settings.limits
    # Shared by the worker processes through a file when one is set (app.server sets one for
    # --workers > 1), else each process's own.
    store = limits.rate_limit_store
    app.state.rate_limiter = create_limiter(
        store, "requests", limits.rate_limit_per_minute, limits.rate_limit_burst
    )
    app.state.batch_limiter = create_limiter(
        store, "articles", limits.batch_articles_per_minute, limits.batch_articles_burst
    )
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(RateLimitFields)
    app.add_middleware(SecurityHeaders)
    # Added last, so outermost: every response, a 413 or a 500 included, gets a request id.
    app.add_middleware(RequestContext, metrics=metrics)
    install_problem_handlers(app)
    install_docs(app)
    app.include_router(health.router)
    app.include_router(articles_router)
    app.include_router(claims_router)
    app.include_router(conflicts_router)
    app.include_router(matches_router)
    app.include_router(webhooks_router)
    app.include_router(metrics_router)
    app.include_router(problems_router)
    install_desk(app)
    install_openapi(app, settings.access)
    return app


app = create_app()
