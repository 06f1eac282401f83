"""ORM rows. The core's frozen dataclasses are converted to and from these by repositories."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, UTCDateTime, utcnow


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
    embedding: Mapped[bytes] = mapped_column(LargeBinary)  # float32, L2-normalised

    article: Mapped[Article] = relationship(back_populates="claims")
    quantities: Mapped[list[Quantity]] = relationship(
        order_by="Quantity.position", cascade="all, delete-orphan", passive_deletes=True
    )


class Quantity(Base):
    __tablename__ = "quantities"
    __table_args__ = (UniqueConstraint("claim_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    # Interval bounds; NULL stands for an infinite bound.
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    low_open: Mapped[bool] = mapped_column(Boolean)
    high_open: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(40))
    noun: Mapped[str | None] = mapped_column(String(200))
    predicate: Mapped[str | None] = mapped_column(String(200))
    qualifier: Mapped[str | None] = mapped_column(String(40))


class Conflict(Base):
    """Two claims from different sources that disagree on a number; one row per claim pair."""

    __tablename__ = "conflicts"
    __table_args__ = (
        UniqueConstraint("claim_a_id", "claim_b_id"),
        CheckConstraint("claim_a_id < claim_b_id", name="ordered_pair"),
        Index("ix_conflicts_severity_id", "severity", "id"),
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
    # The quantities as stated and as intervals, in the order (claim a, claim b), plus
    # every further disagreeing quantity pair: the full explanation, as served.
    details: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    claim_a: Mapped[Claim] = relationship(foreign_keys=[claim_a_id])
    claim_b: Mapped[Claim] = relationship(foreign_keys=[claim_b_id])


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
