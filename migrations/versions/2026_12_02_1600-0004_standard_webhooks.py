"""Webhooks by the Standard Webhooks spec: chosen events, secrets in whsec_ form, rotation.

- ``webhooks``: ``events`` (the types sent, a JSON list), ``previous_secret`` and
  ``previous_secret_expires_at`` (a rotation's overlap), ``legacy_signature``,
  ``after_event_id`` (the cursor over ``webhook_events``). The secrets are rewritten into the
  spec's form, ``"whsec_" + base64(key)``, with the same key bytes: a receiver's stored secret
  still verifies. Webhooks registered before this revision keep getting what they got:
  ``conflict.created`` only, the old body and the X-Crosscheck-Signature header
  (``legacy_signature``), beside the new headers.
- ``webhook_events``: reviews and deletions, written in the transaction that made them, until
  the dispatcher has queued them for every webhook.
- ``webhook_deliveries``: ``event_id`` (the webhook-id header; for a conflict.created event,
  ``conflict-created-{id}``), unique per webhook instead of the conflict id, which becomes
  nullable (article.deleted is about no one conflict), and ``occurred_at``.

Downgrade drops the deliveries of the new events, and gives the webhooks registered before
this revision their secrets back as they were; a webhook registered since keeps its whsec_
string, which the old code would use as its key: such receivers must register again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX = "whsec_"

# The tables as this revision sees them (not imported from app.db: a revision never changes).
webhooks = sa.table(
    "webhooks",
    sa.column("id", sa.Integer),
    sa.column("secret", sa.String),
    sa.column("events", sa.JSON),
    sa.column("legacy_signature", sa.Boolean),
)
deliveries = sa.table(
    "webhook_deliveries",
    sa.column("id", sa.Integer),
    sa.column("conflict_id", sa.Integer),
    sa.column("event", sa.String),
    sa.column("event_id", sa.String),
)


def _as_added() -> tuple[sa.Table, sa.Table]:
    """The two tables after the columns are added, for offline (``--sql``) batch mode on
    SQLite, which cannot reflect them; online, batch mode reflects the real tables."""
    meta = sa.MetaData()
    stamp = sa.DateTime(timezone=True)
    hooks = sa.Table(
        "webhooks",
        meta,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("after_conflict_id", sa.Integer(), nullable=False),
        sa.Column("previous_secret", sa.String(length=100), nullable=True),
        sa.Column("previous_secret_expires_at", stamp, nullable=True),
        sa.Column("events", sa.JSON(), nullable=True),
        sa.Column("legacy_signature", sa.Boolean(), nullable=True),
        sa.Column("after_event_id", sa.Integer(), nullable=False, server_default="0"),
        sqlite_autoincrement=True,
    )
    sent = sa.Table(
        "webhook_deliveries",
        meta,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "webhook_id",
            sa.Integer(),
            sa.ForeignKey(
                "webhooks.id", name="fk_webhook_deliveries_webhook_id_webhooks", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("conflict_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=50), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", stamp, nullable=False),
        sa.Column("lease_until", stamp, nullable=True),
        sa.Column("last_attempt_at", stamp, nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", stamp, nullable=True),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", stamp, nullable=True),
        sa.UniqueConstraint(
            "webhook_id", "conflict_id", name="uq_webhook_deliveries_webhook_id_conflict_id"
        ),
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_webhook_id", "webhook_id"),
        sqlite_autoincrement=True,
    )
    return hooks, sent


def upgrade() -> None:
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_secret", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("events", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("legacy_signature", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("after_event_id", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True))

    offline = op.get_context().as_sql
    if not offline:
        connection = op.get_bind()
        for webhook_id, secret in connection.execute(sa.select(webhooks.c.id, webhooks.c.secret)):
            connection.execute(
                webhooks.update()
                .where(webhooks.c.id == webhook_id)
                .values(
                    secret=PREFIX + base64.b64encode(secret.encode()).decode(),
                    events=["conflict.created"],
                    legacy_signature=True,
                )
            )
        connection.execute(
            deliveries.update().values(
                event_id=sa.literal("conflict-created-")
                + sa.cast(deliveries.c.conflict_id, sa.String)
            )
        )

    hooks, sent = _as_added() if offline else (None, None)
    with op.batch_alter_table("webhooks", schema=None, copy_from=hooks) as batch_op:
        batch_op.alter_column("events", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("legacy_signature", existing_type=sa.Boolean(), nullable=False)
        batch_op.alter_column("after_event_id", existing_type=sa.Integer(), server_default=None)
    with op.batch_alter_table("webhook_deliveries", schema=None, copy_from=sent) as batch_op:
        batch_op.alter_column("event_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("conflict_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint("uq_webhook_deliveries_webhook_id_conflict_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_webhook_deliveries_webhook_id_event_id"), ["webhook_id", "event_id"]
        )


def downgrade() -> None:
    if not op.get_context().as_sql:
        connection = op.get_bind()
        connection.execute(deliveries.delete().where(deliveries.c.event != "conflict.created"))
        rows = connection.execute(
            sa.select(webhooks.c.id, webhooks.c.secret).where(webhooks.c.legacy_signature)
        )
        for webhook_id, secret in rows:
            if secret.startswith(PREFIX):
                key = base64.b64decode(secret[len(PREFIX) :])
                connection.execute(
                    webhooks.update()
                    .where(webhooks.c.id == webhook_id)
                    .values(secret=key.decode(errors="replace"))
                )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_webhook_deliveries_webhook_id_event_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_webhook_deliveries_webhook_id_conflict_id"),
            ["webhook_id", "conflict_id"],
        )
        batch_op.alter_column("conflict_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("occurred_at")
        batch_op.drop_column("event_id")
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.drop_column("after_event_id")
        batch_op.drop_column("legacy_signature")
        batch_op.drop_column("events")
        batch_op.drop_column("previous_secret_expires_at")
        batch_op.drop_column("previous_secret")
    op.drop_table("webhook_events")
