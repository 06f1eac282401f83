"""Revision 0005 (review history) keeps the reviews made before it: each reviewed conflict gets
one history row from its current review, by no one named; a downgrade keeps the current
review on the conflicts."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient

from app.config import Settings
from app.embeddings import Embedder
from app.main import create_app
from tests.db.test_migration_0003 import at_0002, config_for

__all__ = ["at_0002"]  # the fixture, shared with revision 0003's test


def test_reviews_made_before_become_history_and_survive_the_downgrade(
    at_0002: str,
    embedder: Embedder,
) -> None:
    config = config_for(at_0002)
    command.upgrade(config, "0003")
    engine = sa.create_engine(at_0002)
    reviewed = datetime(2016, 3, 15, 9, 30, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE conflicts SET status = 'confirmed', note = 'AP lags.', "
                "reviewed_at = :at WHERE id = 1"
            ),
            {"at": reviewed},
        )
    command.upgrade(config, "0005")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT conflict_id, reviewer, status, note FROM conflict_reviews")
        ).all()
    assert [tuple(r) for r in rows] == [(1, None, "confirmed", "AP lags.")]
    with engine.connect() as connection:
        outlets = connection.execute(
            sa.text("SELECT source_a_id, source_b_id FROM conflicts WHERE id = 1")
        ).one()
    assert tuple(outlets) == (1, 2)  # the claims' sources, filled in

    with TestClient(create_app(Settings(database_url=at_0002), embedder)) as client:
        conflict = client.get("/v1/conflicts/1").json()
        assert conflict["reviewer"] is None
        [old] = conflict["history"]
        assert (old["reviewer"], old["status"], old["note"]) == (None, "confirmed", "AP lags.")
        assert datetime.fromisoformat(old["created_at"]) == reviewed
        again = client.patch("/v1/conflicts/1", json={"status": "dismissed"}).json()
        assert [r["status"] for r in again["history"]] == ["confirmed", "dismissed"]
        assert again["reviewer"] == "addr:testclient"

    command.downgrade(config, "0003")
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert "conflict_reviews" not in inspector.get_table_names()
        columns = {c["name"] for c in inspector.get_columns("conflicts")}
        assert not columns & {"reviewed_by", "source_a_id", "source_b_id"}
        status = connection.scalar(sa.text("SELECT status FROM conflicts WHERE id = 1"))
    assert status == "dismissed"
    command.upgrade(config, "head")
    engine.dispose()
