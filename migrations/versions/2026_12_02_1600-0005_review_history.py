"""Who reviewed a conflict, and every review it had.

- ``conflicts.reviewed_by``: the name of the API key that made the latest review.
- ``conflicts.source_a_id`` and ``source_b_id``: the two claims' outlets, denormalised (a
  claim never changes source) and indexed with the status, so that the desk's sources page
  counts conflicts per pair of outlets from one index instead of joining two claims a row
  (0.7 s at 100,000 conflicts on SQLite). Filled here for the conflicts stored so far.
- ``conflict_reviews``: one row per review (conflict, reviewer, status, note, time), the
  history a fact-checker reads on the desk and ``GET /v1/conflicts/{id}`` returns. Conflicts
  reviewed before this revision get one row from their current review, with no reviewer.

Downgrade drops them all; the current status, note and time stay on the conflicts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table(
        "conflicts", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=64), nullable=True))
        for side in "ab":
            batch_op.add_column(sa.Column(f"source_{side}_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_conflicts_sources_status", ["source_a_id", "source_b_id", "status"], unique=False
        )
    op.execute(
        "UPDATE conflicts SET "
        "source_a_id = (SELECT source_id FROM claims WHERE claims.id = conflicts.claim_a_id), "
        "source_b_id = (SELECT source_id FROM claims WHERE claims.id = conflicts.claim_b_id)"
    )
    op.create_table(
        "conflict_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conflict_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conflict_id"],
            ["conflicts.id"],
            name=op.f("fk_conflict_reviews_conflict_id_conflicts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_reviews")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("conflict_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflict_reviews_conflict_id"), ["conflict_id"], unique=False
        )
    # The reviews made so far, as far as they are known: their latest state, by no one named.
    op.execute(
        "INSERT INTO conflict_reviews (conflict_id, reviewer, status, note, created_at) "
        "SELECT id, NULL, status, note, reviewed_at FROM conflicts "
        "WHERE reviewed_at IS NOT NULL ORDER BY id"
    )


def downgrade() -> None:
    with op.batch_alter_table("conflict_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_reviews_conflict_id"))
    op.drop_table("conflict_reviews")
    with op.batch_alter_table(
        "conflicts", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_index("ix_conflicts_sources_status")
        for side in "ab":
            batch_op.drop_column(f"source_{side}_id")
        batch_op.drop_column("reviewed_by")
