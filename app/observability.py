"""What the service tells about itself: request ids, structured logs, Prometheus metrics.

- Every response carries ``X-Request-ID``: the caller's own when it sent a usable one, else a
  new one. The id is in a context variable for the whole request, so every log line written
  while serving it (in the event loop or the thread pool) carries it.
- Logs are one JSON object per line on stderr (``CROSSCHECK_LOG_FORMAT=text`` for people),
  with one access line per request: method, route, status, duration, caller.
- ``/metrics`` serves Prometheus text: requests and latencies by route, articles, claims and
  conflicts stored, embedding calls (texts per call, seconds per call), webhook deliveries.
  Each app has its own registry. With several worker processes (``crosscheck serve --workers
  N``) prometheus_client's multiprocess mode is on (``PROMETHEUS_MULTIPROC_DIR``, which
  ``app.server`` sets): every worker writes its values to files there, and a scrape, whichever
  worker answers it, adds up all of them, so one scrape is the whole instance.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import LoggingSettings
from app.embeddings import Embedder, Vectors
from app.problems import INTERNAL, problem_response
from app.security import MetricsAccess

logger = logging.getLogger("crosscheck")
access_logger = logging.getLogger("crosscheck.access")

REQUEST_ID_HEADER = "X-Request-ID"
_USABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return _request_id.get()


def request_id_from(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The caller's X-Request-ID when it is short and plain enough to log, else a new one."""
    for name, value in headers:
        if name.lower() == b"x-request-id":
            try:
                candidate = value.decode("ascii")
            except UnicodeDecodeError:
                break
            if _USABLE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


# --- Logs ------------------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, extras."""

    EXTRAS = ("http", "webhook", "delivery")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key in self.EXTRAS:
            if key in record.__dict__:
                entry[key] = record.__dict__[key]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", None) or current_request_id() or "-"
        return super().format(record)


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def configure_logging(settings: LoggingSettings) -> None:
    """Send every log record, uvicorn's included, through one handler in the chosen format.

    Idempotent: the handler installed by an earlier call is replaced. Uvicorn's own access log
    is silenced because the request middleware writes a richer one, with the request id.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "crosscheck", False):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.crosscheck = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if settings.format == "json" else TextFormatter())
    root.addHandler(handler)
    logging.getLogger("crosscheck").setLevel(settings.level)
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False


# --- Metrics ---------------------------------------------------------------------------------


class Metrics:
    """The service's Prometheus metrics, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "crosscheck_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "crosscheck_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.articles = Counter(
            "crosscheck_articles_ingested",
            "Articles stored (re-posts not counted).",
            registry=registry,
        )
        self.claims = Counter(
            "crosscheck_claims_ingested", "Claims stored with new articles.", registry=registry
        )
        self.conflicts = Counter(
            "crosscheck_conflicts_found", "Conflicts found and stored.", registry=registry
        )
        self.embedding_batch = Histogram(
            "crosscheck_embedding_batch_size",
            "Texts in one call to the embedding model.",
            buckets=BATCH_BUCKETS,
            registry=registry,
        )
        self.embedding_seconds = Histogram(
            "crosscheck_embedding_batch_duration_seconds",
            "Time one embedding call took (waiting for a dynamic batch included).",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.webhook_attempts = Counter(
            "crosscheck_webhook_delivery_attempts",
            "Webhook deliveries attempted, by outcome (delivered, retry, failed).",
            ["outcome"],
            registry=registry,
        )
        self.webhook_seconds = Histogram(
            "crosscheck_webhook_delivery_duration_seconds",
            "Time a webhook receiver took to answer.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

    def watch_model_calls(self, embedder: Embedder) -> None:
        """Export a dynamic batcher's count of real model calls, when there is one."""
        inner = getattr(embedder, "inner", embedder)
        if not (hasattr(inner, "model_calls") or hasattr(embedder, "model_calls")):
            return
        if not multiprocess_mode():
            self.registry.register(_ModelCalls(embedder))
            return
        # A collector reads this process only: across workers, count in a Counter instead.
        calls = Counter(
            "crosscheck_embedding_model_calls",
            "Calls of the model itself, after dynamic batching merged requests' texts.",
            registry=self.registry,
        )
        batcher = embedder if hasattr(embedder, "on_model_call") else inner
        if hasattr(batcher, "on_model_call"):
            batcher.on_model_call = calls.inc

    def render(self) -> bytes:
        """The exposition: this app's registry, or in multiprocess mode every worker's values."""
        if multiprocess_mode():
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


def multiprocess_mode() -> bool:
    """Whether prometheus_client keeps values in PROMETHEUS_MULTIPROC_DIR's files (it decides
    once, when it is imported)."""
    return bool(getattr(values.ValueClass, "_multiprocess", False))


class _ModelCalls(Collector):
    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def collect(self) -> Iterable[Metric]:
        family = CounterMetricFamily(
            "crosscheck_embedding_model_calls",
            "Calls of the model itself, after dynamic batching merged requests' texts.",
        )
        family.add_metric([], float(getattr(self.embedder, "model_calls", 0)))
        yield family


class InstrumentedEmbedder:
    """An ``Embedder`` that times and counts each call of another one."""

    def __init__(self, inner: Embedder, metrics: Metrics):
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.metrics = metrics

    @property
    def model_calls(self) -> int:
        return int(getattr(self.inner, "model_calls", 0))

    def encode(self, texts: Sequence[str]) -> Vectors:
        started = time.perf_counter()
        vectors = self.inner.encode(texts)
        if texts:
            self.metrics.embedding_batch.observe(len(texts))
            self.metrics.embedding_seconds.observe(time.perf_counter() - started)
        return vectors


def _metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[Metrics, Depends(_metrics)]

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}},
            "description": "Prometheus text exposition format.",
        }
    },
)
def metrics(_caller: MetricsAccess, metrics: MetricsDep) -> Response:
    """Prometheus metrics of this instance: with several workers, all of them added up."""
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)


# --- The request middleware ------------------------------------------------------------------


class RequestContext:
    """Outermost middleware: request id, access log, request metrics, and the last-resort 500.

    It sits outside Starlette's own error middleware's reach (which answers 500s outside every
    user middleware), so it renders unhandled errors itself: the 500 problem then carries the
    request id, and the error is logged with it.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope.get("headers", []))
        token = _request_id.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            logger.error("unhandled error on %s %s", scope["method"], scope["path"], exc_info=error)
            if response_started:
                raise
            response = problem_response(
                None,
                INTERNAL,
                "The service failed unexpectedly; nothing was stored. The error has been "
                f"logged with request id {request_id}.",
            )
            await response(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_of(scope)
            method = _method_of(scope)
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            state = scope.get("state", {})
            access_logger.info(
                "%s %s %d %.1f ms",
                method,
                scope["path"],
                status,
                elapsed * 1000,
                extra={
                    "http": {
                        "method": method,
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "client": state.get("principal")
                        or (scope["client"][0] if scope.get("client") else None),
                    }
                },
            )
            _request_id.reset(token)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _route_of(scope: Scope) -> str:
    """The matched route's template, so that label values stay few whatever clients send:
    ``unmatched`` for every path no route matched (a 404, and the redirects Starlette answers
    for a trailing slash: one label for all of them, not one per path)."""
    if scope["path"].startswith("/docs-assets/"):
        return "/docs-assets"
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else "unmatched"


def _method_of(scope: Scope) -> str:
    """The request's method, or ``OTHER`` for any a client made up."""
    method = str(scope["method"])
    return method if method in METHODS else "OTHER"
