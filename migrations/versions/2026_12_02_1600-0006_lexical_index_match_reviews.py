"""A full-text index of the claims, and fact-checkers' reviews of matches.

- Lexical search, kept in step with ``claims`` by the database itself, so that every worker and
  replica sees a claim's words the moment it is committed:
  - SQLite: ``claims_fts``, an FTS5 table over ``claims.text`` with the claims as its external
    content (nothing is stored twice but the index), Porter stemming, and triggers that index
    a claim on insert and forget it on delete (and on an update of its text);
  - PostgreSQL: ``claims.text_search``, a stored generated ``tsvector`` (English configuration)
    under a GIN index.
  Existing claims are indexed by the upgrade.
- ``match_reviews``: one row per claim pair (ordered ids), ``confirmed`` or ``rejected``, with
  who said so and when; a review goes with either claim.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UP = (
    "CREATE VIRTUAL TABLE claims_fts USING fts5("
    "text, content='claims', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN "
    "INSERT INTO claims_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER claims_fts_update AFTER UPDATE OF text ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO claims_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS claims_fts_update",
    "DROP TRIGGER IF EXISTS claims_fts_delete",
    "DROP TRIGGER IF EXISTS claims_fts_insert",
    "DROP TABLE IF EXISTS claims_fts",
)
_POSTGRESQL_UP = (
    "ALTER TABLE claims ADD COLUMN text_search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED",
    "CREATE INDEX ix_claims_text_search ON claims USING gin (text_search)",
)
_POSTGRESQL_DOWN = (
    "DROP INDEX IF EXISTS ix_claims_text_search",
    "ALTER TABLE claims DROP COLUMN IF EXISTS text_search",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRESQL_UP if dialect == "postgresql" else _SQLITE_UP:
        op.execute(statement)
    op.create_table(
        "match_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_a_id", sa.Integer(), nullable=False),
        sa.Column("claim_b_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("claim_a_id < claim_b_id", name=op.f("ck_match_reviews_ordered_pair")),
        sa.CheckConstraint(
            "status IN ('confirmed', 'rejected')", name=op.f("ck_match_reviews_known_status")
        ),
        sa.ForeignKeyConstraint(
            ["claim_a_id"],
            ["claims.id"],
            name=op.f("fk_match_reviews_claim_a_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["claim_b_id"],
            ["claims.id"],
            name=op.f("fk_match_reviews_claim_b_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_reviews")),
        sa.UniqueConstraint(
            "claim_a_id", "claim_b_id", name=op.f("uq_match_reviews_claim_a_id_claim_b_id")
        ),
    )
    with op.batch_alter_table("match_reviews") as batch:
        batch.create_index(batch.f("ix_match_reviews_claim_a_id"), ["claim_a_id"])
        batch.create_index(batch.f("ix_match_reviews_claim_b_id"), ["claim_b_id"])


def downgrade() -> None:
    with op.batch_alter_table("match_reviews") as batch:
        batch.drop_index(batch.f("ix_match_reviews_claim_b_id"))
        batch.drop_index(batch.f("ix_match_reviews_claim_a_id"))
    op.drop_table("match_reviews")
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRESQL_DOWN if dialect == "postgresql" else _SQLITE_DOWN:
        op.execute(statement)
