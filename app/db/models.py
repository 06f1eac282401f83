"""ORM rows. The core's frozen dataclasses are converted to and from these by repositories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, Embedding, UTCDateTime, utcnow

EMBEDDING_DIMENSION = 384
"""Width of ``claims.embedding`` (all-MiniLM-L6-v2); fixed by the migrations on PostgreSQL."""

POSTGRESQL_ONLY_INDEXES = frozenset({"ix_claims_embedding"})
"""Indexes that exist on PostgreSQL alone; comparisons with other databases leave them out."""

LEXICAL_INDEX_TABLES = frozenset(
    {
        "claims_fts",
        "claims_fts_config",
        "claims_fts_data",
        "claims_fts_docsize",
        "claims_fts_idx",
        "claims_fts_content",
    }
)
"""SQLite's full-text index of the claims (FTS5 and its shadow tables, made by migration 0006)."""

LEXICAL_INDEX_COLUMNS = frozenset({"text_search"})
"""PostgreSQL's full-text column of the claims (a generated ``tsvector``, migration 0006)."""

LEXICAL_INDEX_INDEXES = frozenset({"ix_claims_text_search"})
"""Its GIN index. The lexical index is the database's own (``app/search/lexical.py`` queries
it by SQL), so the ORM models leave it out and comparisons with them leave it out too."""


def include_in_schema(dialect_name: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` hook for a database of this dialect."""

    def include(obj: object, name: str | None, type_: str, *_: object) -> bool:
        if type_ == "table" and name in LEXICAL_INDEX_TABLES:
            return False
        if type_ == "column" and name in LEXICAL_INDEX_COLUMNS:
            return False
        if type_ == "index" and name in LEXICAL_INDEX_INDEXES:
            return False
        return not (
            type_ == "index" and name in POSTGRESQL_ONLY_INDEXES and dialect_name != "postgresql"
        )

    return include


class Source(Base):
    """A news outlet; claims are only ever compared across different sources."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("source_id", "url"),
        UniqueConstraint("source_id", "content_hash"),
        {"sqlite_autoincrement": True},  # ids are never reused after a delete
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=True
    )
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(String(1000))
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    source: Mapped[Source] = relationship(lazy="joined")
    claims: Mapped[list[Claim]] = relationship(
        back_populates="article",
        order_by="Claim.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("article_id", "position"),
        # Approximate cosine search in the database; SQLite searches in process instead.
        Index(
            "ix_claims_embedding",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ).ddl_if(dialect="postgresql"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    # Denormalised from the article so that search can exclude a source without a join.
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    embedding: Mapped[bytes] = mapped_column(Embedding(EMBEDDING_DIMENSION))  # L2-normalised
    # What the reader found in the claim, as app/db/codecs.py stores it (quantities, event
    # time, the reader's version); NULL for claims stored before analyses were kept.
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    article: Mapped[Article] = relationship(back_populates="claims")


class Conflict(Base):
    """Two claims from different sources that disagree on a number; one row per claim pair."""

    __tablename__ = "conflicts"
    __table_args__ = (
        UniqueConstraint("claim_a_id", "claim_b_id"),
        CheckConstraint("claim_a_id < claim_b_id", name="ordered_pair"),
        Index("ix_conflicts_severity_id", "severity", "id"),
        # The sources page counts conflicts per pair of outlets and status from this alone.
        Index("ix_conflicts_sources_status", "source_a_id", "source_b_id", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_a_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    claim_b_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    similarity: Mapped[float] = mapped_column(Float)
    relative_gap: Mapped[float] = mapped_column(Float)
    severity: Mapped[float] = mapped_column(Float)
    measure: Mapped[str] = mapped_column(String(400))
    rule: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    # Every disagreeing quantity pair, in the order (claim a, claim b), as app/db/codecs.py
    # stores them (versioned; the API renders them).
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    claim_a: Mapped[Claim] = relationship(foreign_keys=[claim_a_id])
    claim_b: Mapped[Claim] = relationship(foreign_keys=[claim_b_id])

    # A fact-checker's review (PATCH /v1/conflicts/{id}): new, confirmed or dismissed.
    status: Mapped[str] = mapped_column(String(20), default="new", server_default="new", index=True)
    note: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))  # the API key's name
    # The claims' outlets, copied (a claim never changes source) so that counting conflicts
    # per pair of outlets reads one index; filled on insert, and by revision 0005. No foreign
    # key of their own: the claims' keep them right (a source is never deleted under a claim).
    source_a_id: Mapped[int | None] = mapped_column(Integer)
    source_b_id: Mapped[int | None] = mapped_column(Integer)


class ConflictReviewRecord(Base):
    """One review of a conflict, as it was made: the history behind its current status."""

    __tablename__ = "conflict_reviews"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    conflict_id: Mapped[int] = mapped_column(
        ForeignKey("conflicts.id", ondelete="CASCADE"), index=True
    )
    # The API key's name; NULL for reviews made before reviewers were recorded.
    reviewer: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MatchReview(Base):
    """A fact-checker's verdict on two claims as a match: confirmed (always shown) or rejected
    (never shown again); one row per claim pair, in id order."""

    __tablename__ = "match_reviews"
    __table_args__ = (
        UniqueConstraint("claim_a_id", "claim_b_id"),
        CheckConstraint("claim_a_id < claim_b_id", name="ordered_pair"),
        CheckConstraint("status IN ('confirmed', 'rejected')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_a_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    claim_b_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    reviewed_by: Mapped[str] = mapped_column(String(64))  # the key's principal
    note: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IndexChange(Base):
    """Append-only log of claims added to and removed from the store.

    Each process's in-memory vector index replays this log from the last sequence number it
    saw before every search, so a worker never misses claims written by another process.
    """

    __tablename__ = "index_changes"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012  (never reuse a seq)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    claim_id: Mapped[int] = mapped_column(Integer)
    added: Mapped[bool] = mapped_column(Boolean)  # False: removed


class Webhook(Base):
    """A subscriber: the events it chose, from its registration on, are POSTed to ``url``,
    signed by the Standard Webhooks spec."""

    __tablename__ = "webhooks"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(String(500))
    # The signing key in the spec's form, "whsec_" + base64 of the key's bytes.
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation, the key before it, still signing (beside the new one) until then.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The event types sent, a JSON list (app.events.EVENT_TYPES).
    events: Mapped[list[str]] = mapped_column(JSON)
    # Registered before Standard Webhooks (revision 0004): also gets the old body and the
    # X-Crosscheck-Signature header, until its secret is rotated.
    legacy_signature: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The dispatch cursors: conflicts, and events of webhook_events, with larger ids are not
    # yet queued for this webhook.
    after_conflict_id: Mapped[int] = mapped_column(Integer, default=0)
    after_event_id: Mapped[int] = mapped_column(Integer, default=0)


class WebhookEvent(Base):
    """An event other than a new conflict (a review, a deletion), written in the transaction
    that made it, until the dispatcher has queued it for every webhook (the outbox's inbox).
    New conflicts need no row here: the conflicts table is their log."""

    __tablename__ = "webhook_events"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012  (ids are the cursor)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(Base):
    """The outbox: one event to send to one webhook, with its delivery state."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    # The webhook-id header: the event's, the same for every webhook and every attempt.
    event_id: Mapped[str] = mapped_column(String(64))
    # No foreign key: the payload is kept as it was found even if the conflict is deleted.
    # Null for events not about one conflict (article.deleted).
    conflict_id: Mapped[int | None] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)  # the body's "data"
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # null: before 0004
    status: Mapped[str] = mapped_column(String(20), default="pending")  # delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker sending the delivery holds it until then; past it, another may take it over.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotencyKey(Base):
    """The first result of a POST /v1/articles sent with an Idempotency-Key, per caller."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    principal: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    # The key goes with its article: once the article is deleted, a retry stores it anew.
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
