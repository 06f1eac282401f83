"""Revision 0004 keeps webhooks registered before it working: their receivers verify the old
X-Crosscheck-Signature with the secret they were given and get the old body, for
conflict.created only, while the Standard Webhooks headers verify under the same key in whsec_
form; a rotation moves them to the spec alone; a downgrade gives the old secret back."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient

from app.config import Settings
from app.embeddings import Embedder
from app.main import create_app
from tests.api.test_webhooks import FAST
from tests.db.test_migration_0003 import config_for
from tests.support.api import TOLL_A, TOLL_B, post
from tests.support.databases import Databases
from tests.support.receiver import Receiver, wait_until

OLD_SECRET = "Zq3-old_token_urlsafe_secret_of_43_characters"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def at_0003(databases: Databases, receiver: Receiver) -> Iterator[str]:
    """A database at revision 0003 with one webhook and one delivery made under it."""
    url = databases.create_unmigrated()
    command.upgrade(config_for(url), "0003")
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    webhooks = sa.Table("webhooks", meta, autoload_with=engine)
    deliveries = sa.Table("webhook_deliveries", meta, autoload_with=engine)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            webhooks.insert().values(
                id=1,
                url=receiver.url,
                secret=OLD_SECRET,
                created_by="ops",
                created_at=now,
                after_conflict_id=0,
            )
        )
        connection.execute(
            deliveries.insert().values(
                webhook_id=1,
                conflict_id=7,
                event="conflict.created",
                payload={"id": 7},
                status="delivered",
                attempts=1,
                next_attempt_at=now,
                created_at=now,
            )
        )
    engine.dispose()
    yield url
    databases.drop(url)


def test_a_webhook_from_before_keeps_working_until_rotated(
    at_0003: str, embedder: Embedder, receiver: Receiver
) -> None:
    config = config_for(at_0003)
    command.upgrade(config, "0004")
    engine = sa.create_engine(at_0003)
    with engine.connect() as connection:
        secret, events, legacy = connection.execute(
            sa.text("SELECT secret, events, legacy_signature FROM webhooks")
        ).one()
        event_id = connection.scalar(sa.text("SELECT event_id FROM webhook_deliveries"))
    events = events if isinstance(events, list) else json.loads(events)
    whsec = "whsec_" + base64.b64encode(OLD_SECRET.encode()).decode()
    assert (secret, events, bool(legacy), event_id) == (
        whsec,
        ["conflict.created"],
        True,
        "conflict-created-7",
    )

    command.upgrade(config, "head")  # the service runs on the schema of its own code
    with TestClient(create_app(Settings(database_url=at_0003, **FAST), embedder)) as client:
        [webhook] = client.get("/v1/webhooks").json()["items"]
        assert webhook["events"] == ["conflict.created"]
        post(client, "AFP", TOLL_A)
        post(client, "AP", TOLL_B)
        [conflict] = client.get("/v1/conflicts").json()["items"]
        client.patch(f"/v1/conflicts/{conflict['id']}", json={"status": "confirmed"})
        wait_until(lambda: receiver.received, what="the delivery to the old webhook")
        [message] = receiver.received
        # What the old receiver checked, unchanged: its secret, its header, its body.
        assert message.legacy_signed_by(OLD_SECRET)
        assert message.headers["x-crosscheck-event"] == "conflict.created"
        body = message.json
        assert body["event"] == "conflict.created"
        assert body["conflict"]["id"] == conflict["id"]
        assert str(body["delivery_id"]) == message.headers["x-crosscheck-delivery"]
        # The spec's headers too, under the same key written as whsec_.
        assert message.signed_by(whsec)

        rotated = client.post("/v1/webhooks/1/rotate-secret", json={"overlap_seconds": 60})
        new = rotated.json()["secret"]
        client.patch(f"/v1/conflicts/{conflict['id']}", json={"status": "dismissed"})
        article_id = client.get("/v1/articles").json()["items"][0]["id"]
        client.delete(f"/v1/articles/{article_id}")
        post(client, "AP", TOLL_B)  # a new conflict with the AFP article
        wait_until(lambda: len(receiver.received) == 2, what="the delivery after the rotation")
        after = receiver.received[1]
        assert "x-crosscheck-signature" not in after.headers
        assert after.json["type"] == "conflict.created"  # still its one event
        assert after.signed_by(new)
        assert after.signed_by(whsec)

    command.downgrade(config, "0003")
    with engine.connect() as connection:
        # Rotated: the secret is a new whsec_ one, which the old code cannot use as it was.
        assert connection.scalar(sa.text("SELECT secret FROM webhooks")) == new
        kinds = connection.execute(sa.text("SELECT event FROM webhook_deliveries")).scalars()
        assert set(kinds) == {"conflict.created"}
    engine.dispose()


def test_a_downgrade_gives_an_unrotated_webhook_its_secret_back(at_0003: str) -> None:
    config = config_for(at_0003)
    command.upgrade(config, "0004")
    command.downgrade(config, "0003")
    engine = sa.create_engine(at_0003)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT secret FROM webhooks")) == OLD_SECRET
        uniques = sa.inspect(connection).get_unique_constraints("webhook_deliveries")
    engine.dispose()
    assert [u["column_names"] for u in uniques] == [["webhook_id", "conflict_id"]]
