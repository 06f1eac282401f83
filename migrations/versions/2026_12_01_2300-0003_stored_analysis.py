"""Claims keep their whole analysis; conflict details get a storage shape of their own.

- ``claims.analysis`` (JSON): the quantities and event time the reader found, in full, as
  ``app/db/codecs.py`` writes them. Comparisons read it instead of analysing stored claims
  again. Existing claims keep NULL until ``crosscheck reanalyse`` fills it; until then they
  are analysed from their text when read, as before.
- ``quantities`` is dropped: it held a part of the same analysis (without negation, role or
  tolerance), written at ingest and read by nothing but the article view.
- ``conflicts.details``: from the API's list of quantity pairs to ``{"v": 1, "pairs": [...]}``
  with each quantity stored in full. Fields the old rows never held (a quantity's tolerance
  row, negation, role, modifiers, subject) get the values the reader gives a bare number.

Downgrade rebuilds ``quantities`` from the stored analyses and the old details shape.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000

# The tables as this revision sees them (not imported from app.db: a revision never changes).
claims = sa.table(
    "claims",
    sa.column("id", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("analysis", sa.JSON),
)
conflicts = sa.table(
    "conflicts",
    sa.column("id", sa.Integer),
    sa.column("claim_a_id", sa.Integer),
    sa.column("claim_b_id", sa.Integer),
    sa.column("details", sa.JSON),
)
quantities = sa.table(
    "quantities",
    *(
        sa.column(name)
        for name in (
            "claim_id",
            "position",
            "text",
            "start",
            "end",
            "value",
            "low",
            "high",
            "low_open",
            "high_open",
            "kind",
            "unit",
            "noun",
            "predicate",
            "qualifier",
        )
    ),
)


def _batches(
    statement: sa.Select[Any], key: sa.ColumnElement[int]
) -> Iterator[Sequence[sa.Row[Any]]]:
    """The rows of ``statement`` (ordered by ``key``, its first column) a batch at a time."""
    connection = op.get_bind()
    last = 0
    while True:
        batch = connection.execute(statement.where(key > last).limit(BATCH)).fetchall()
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("analysis", sa.JSON(), nullable=True))
    op.drop_table("quantities")
    if op.get_context().as_sql:
        return  # offline (--sql): the details are rewritten row by row, which needs the rows

    connection = op.get_bind()
    claim_a = sa.alias(claims, "claim_a")
    claim_b = sa.alias(claims, "claim_b")
    statement = (
        sa.select(conflicts.c.id, conflicts.c.details, claim_a.c.text, claim_b.c.text)
        .join(claim_a, claim_a.c.id == conflicts.c.claim_a_id)
        .join(claim_b, claim_b.c.id == conflicts.c.claim_b_id)
        .order_by(conflicts.c.id)
    )
    for batch in _batches(statement, conflicts.c.id):
        for conflict_id, details, text_a, text_b in batch:
            if isinstance(details, dict):
                continue  # already in the new shape
            pairs = [_pair_from_api(pair, text_a, text_b) for pair in details]
            connection.execute(
                conflicts.update()
                .where(conflicts.c.id == conflict_id)
                .values(details={"v": 1, "pairs": pairs})
            )


def downgrade() -> None:
    op.create_table(
        "quantities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("low_open", sa.Boolean(), nullable=False),
        sa.Column("high_open", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.Column("noun", sa.String(length=200), nullable=True),
        sa.Column("predicate", sa.String(length=200), nullable=True),
        sa.Column("qualifier", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_quantities_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quantities")),
        sa.UniqueConstraint("claim_id", "position", name=op.f("uq_quantities_claim_id_position")),
    )
    if not op.get_context().as_sql:  # offline (--sql) there are no rows to rewrite
        _restore_old_rows()
    with op.batch_alter_table(
        "claims", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("analysis")


def _restore_old_rows() -> None:
    connection = op.get_bind()
    statement = sa.select(claims.c.id, claims.c.text, claims.c.analysis).order_by(claims.c.id)
    for batch in _batches(statement, claims.c.id):
        rows = [
            _quantity_row(claim_id, position, text, stored)
            for claim_id, text, analysis in batch
            if analysis is not None
            for position, stored in enumerate(analysis["quantities"])
        ]
        if rows:
            connection.execute(quantities.insert(), rows)

    statement = sa.select(conflicts.c.id, conflicts.c.details).order_by(conflicts.c.id)
    for batch in _batches(statement, conflicts.c.id):
        for conflict_id, details in batch:
            if not isinstance(details, dict):
                continue
            old = [_pair_to_api(pair) for pair in details["pairs"]]
            connection.execute(
                conflicts.update().where(conflicts.c.id == conflict_id).values(details=old)
            )


# --- the two shapes of a quantity -----------------------------------------------------------
# Stored (revision 0003): [start, end, value, low, high, low_open, high_open, kind, unit, noun,
# predicate, qualifier, tolerance, negated, direction, role, modifiers, subject, context, slot]
# API (before): {text, value, interval: {low, high, low_open, high_open, notation}, kind, unit,
# noun, predicate, qualifier}


def _pair_from_api(pair: dict[str, Any], text_a: str, text_b: str) -> dict[str, Any]:
    return {
        "measure": pair["measure"],
        "rule": pair["rule"],
        "relative_gap": pair["relative_gap"],
        "severity": pair["severity"],
        "a": _side_from_api(pair["a"], text_a),
        "b": _side_from_api(pair["b"], text_b),
    }


def _side_from_api(quantity: dict[str, Any], sentence: str) -> dict[str, Any]:
    span = quantity["text"]
    start = max(sentence.find(span), 0)
    interval = quantity["interval"]
    return {
        "text": span,
        "quantity": [
            start,
            start + len(span),
            quantity["value"],
            interval["low"],
            interval["high"],
            interval["low_open"],
            interval["high_open"],
            quantity["kind"],
            quantity["unit"],
            quantity["noun"],
            quantity["predicate"],
            quantity["qualifier"],
            "exact-small",
            False,
            None,
            None,
            [],
            None,
            None,
            None,
        ],
    }


def _pair_to_api(pair: dict[str, Any]) -> dict[str, Any]:
    return {
        "measure": pair["measure"],
        "rule": pair["rule"],
        "relative_gap": pair["relative_gap"],
        "severity": pair["severity"],
        "a": _side_to_api(pair["a"]),
        "b": _side_to_api(pair["b"]),
    }


def _side_to_api(side: dict[str, Any]) -> dict[str, Any]:
    q = side["quantity"]
    low, high, low_open, high_open = q[3], q[4], q[5], q[6]
    return {
        "text": side["text"],
        "value": q[2],
        "interval": {
            "low": low,
            "high": high,
            "low_open": low_open,
            "high_open": high_open,
            "notation": _notation(low, high, low_open, high_open),
        },
        "kind": q[7],
        "unit": q[8],
        "noun": q[9],
        "predicate": q[10],
        "qualifier": q[11],
    }


def _quantity_row(claim_id: int, position: int, text: str, q: list[Any]) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "position": position,
        "text": text[q[0] : q[1]],
        "start": q[0],
        "end": q[1],
        "value": q[2],
        "low": q[3],
        "high": q[4],
        "low_open": q[5],
        "high_open": q[6],
        "kind": q[7],
        "unit": q[8],
        "noun": q[9],
        "predicate": q[10],
        "qualifier": q[11],
    }


def _notation(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    return f"{left}{_bound(low, -math.inf)}, {_bound(high, math.inf)}{right}"


def _bound(value: float | None, infinite: float) -> str:
    if value is None:
        return "+inf" if infinite > 0 else "-inf"
    return f"{value:g}" if abs(value) < 1e15 and value != int(value) else str(int(value))
