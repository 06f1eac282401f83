"""Standard Webhooks: a receiver verifies every delivery with the ``standardwebhooks``
library's own ``Webhook.verify``, for all three events and across a secret rotation; the
webhook-id names the event (the same on every retry and for every subscriber); a subscription
gets only the events it chose."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from tests.api.test_webhooks import FAST, deliveries
from tests.support.api import TOLL_A, TOLL_B, assert_problem, post
from tests.support.databases import ClientFactory
from tests.support.receiver import Received, Receiver, wait_until


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def hooks(make_client: ClientFactory) -> TestClient:
    return make_client(**FAST)


def register(client: TestClient, url: str, **extra: object) -> dict:
    response = client.post("/v1/webhooks", json={"url": url, **extra})
    assert response.status_code == 201, response.text
    created: dict = response.json()
    return created


def verified(message: Received, secret: str) -> dict:
    """What a receiver does: the library's verify, which returns the parsed body."""
    body: dict = Webhook(secret).verify(message.body, message.headers)
    return body


def one_conflict(client: TestClient) -> int:
    post(client, "AFP", TOLL_A)
    article = post(client, "AP", TOLL_B)
    [conflict] = client.get("/v1/conflicts").json()["items"]
    assert article["conflict_count"] == 1
    return int(conflict["id"])


def test_every_event_verifies_across_a_rotation(hooks: TestClient, receiver: Receiver) -> None:
    webhook = register(hooks, receiver.url)
    assert webhook["events"] == ["conflict.created", "conflict.reviewed", "article.deleted"]
    old = webhook["secret"]
    assert old.startswith("whsec_")

    conflict_id = one_conflict(hooks)
    wait_until(lambda: len(receiver.received) == 1, what="conflict.created")
    created = verified(receiver.received[0], old)
    assert created["type"] == "conflict.created"
    assert created["data"]["id"] == conflict_id
    assert receiver.received[0].headers["webhook-id"] == f"conflict-created-{conflict_id}"
    assert datetime.fromisoformat(created["timestamp"]) <= datetime.now(UTC)

    rotated = hooks.post(f"/v1/webhooks/{webhook['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new.startswith("whsec_")
    assert new != old
    assert rotated.json()["previous_secret_expires_at"] is not None
    listed = hooks.get(f"/v1/webhooks/{webhook['id']}").json()
    assert listed["previous_secret_expires_at"] == rotated.json()["previous_secret_expires_at"]

    # In the overlap: two signatures, each secret verifies on its own.
    review = {"status": "confirmed", "note": "AP corrected its figure"}
    assert hooks.patch(f"/v1/conflicts/{conflict_id}", json=review).status_code == 200
    wait_until(lambda: len(receiver.received) == 2, what="conflict.reviewed")
    message = receiver.received[1]
    assert len(message.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        body = verified(message, secret)
        assert body["type"] == "conflict.reviewed"
        assert (body["data"]["id"], body["data"]["status"]) == (conflict_id, "confirmed")
        assert body["data"]["note"] == "AP corrected its figure"
    assert message.headers["webhook-id"] != receiver.received[0].headers["webhook-id"]

    # The overlap ended at once (overlap 0): only the newest secret signs.
    ended = hooks.post(f"/v1/webhooks/{webhook['id']}/rotate-secret", json={"overlap_seconds": 0})
    assert ended.json()["previous_secret_expires_at"] is None
    newest = ended.json()["secret"]
    [article] = [a for a in hooks.get("/v1/articles").json()["items"] if a["source"] == "AP"]
    assert hooks.delete(f"/v1/articles/{article['id']}").status_code == 204
    wait_until(lambda: len(receiver.received) == 3, what="article.deleted")
    message = receiver.received[2]
    deleted = verified(message, newest)
    assert deleted["type"] == "article.deleted"
    assert deleted["data"]["id"] == article["id"]
    assert deleted["data"]["source"] == "AP"
    assert deleted["data"]["conflict_ids"] == [conflict_id]
    assert message.signed_by(newest)
    assert not message.signed_by(new)
    assert not message.signed_by(old)
    assert hooks.get(f"/v1/webhooks/{webhook['id']}").json()["deliveries"]["delivered"] == 3


def test_the_webhook_id_is_the_events_on_every_retry_and_for_every_subscriber(
    hooks: TestClient, receiver: Receiver
) -> None:
    other = Receiver().start()
    try:
        receiver.status = 500
        first = register(hooks, receiver.url)
        second = register(hooks, other.url)
        conflict_id = one_conflict(hooks)
        wait_until(lambda: len(receiver.received) >= 3, what="retries")
        receiver.status = 200
        wait_until(lambda: deliveries(hooks, first["id"], status="delivered"))
        wait_until(lambda: other.received, what="the other subscriber's delivery")
        ids = {m.headers["webhook-id"] for m in receiver.received + other.received}
        assert ids == {f"conflict-created-{conflict_id}"}
        # Each attempt is signed afresh: a retry verifies, however late.
        for message in receiver.received:
            assert message.signed_by(first["secret"])
        [state] = deliveries(hooks, first["id"])
        assert state["event_id"] == f"conflict-created-{conflict_id}"
        assert state["conflict_id"] == conflict_id
        assert other.received[0].signed_by(second["secret"])
    finally:
        other.stop()


def test_a_subscription_gets_only_the_events_it_chose(
    hooks: TestClient, receiver: Receiver
) -> None:
    deletions = Receiver().start()
    try:
        reviews = register(hooks, receiver.url, events=["conflict.reviewed"])
        register(hooks, deletions.url, events=["article.deleted"])
        conflict_id = one_conflict(hooks)
        hooks.patch(f"/v1/conflicts/{conflict_id}", json={"status": "dismissed"})
        article_id = hooks.get("/v1/articles").json()["items"][0]["id"]
        assert hooks.delete(f"/v1/articles/{article_id}").status_code == 204
        wait_until(lambda: receiver.received and deletions.received, what="both events")
        # Give a wrongly queued delivery the time to arrive: several polls.
        wait_until(lambda: len(deliveries(hooks, reviews["id"], status="delivered")) == 1)
        assert [m.json["type"] for m in receiver.received] == ["conflict.reviewed"]
        assert [m.json["type"] for m in deletions.received] == ["article.deleted"]
        [state] = deliveries(hooks, reviews["id"])
        assert (state["event"], state["conflict_id"]) == ("conflict.reviewed", conflict_id)
    finally:
        deletions.stop()


def test_events_before_a_registration_are_not_sent(hooks: TestClient, receiver: Receiver) -> None:
    early = register(hooks, receiver.url, events=["conflict.reviewed"])
    conflict_id = one_conflict(hooks)
    hooks.patch(f"/v1/conflicts/{conflict_id}", json={"status": "confirmed"})
    wait_until(lambda: receiver.received, what="the review")
    late_receiver = Receiver().start()
    try:
        late = register(hooks, late_receiver.url, events=["conflict.reviewed"])
        hooks.patch(f"/v1/conflicts/{conflict_id}", json={"status": "dismissed"})
        wait_until(lambda: len(receiver.received) == 2, what="the second review")
        wait_until(lambda: late_receiver.received, what="the late webhook's review")
        assert [m.json["data"]["status"] for m in late_receiver.received] == ["dismissed"]
        assert len(deliveries(hooks, early["id"])) == 2
        assert len(deliveries(hooks, late["id"])) == 1
    finally:
        late_receiver.stop()


@pytest.mark.parametrize(
    ("events", "needle"),
    [([], "events"), (["conflict.deleted"], "events"), (["article.deleted"] * 2, "twice")],
)
def test_a_subscription_names_known_events_once(
    hooks: TestClient, events: list[str], needle: str
) -> None:
    response = hooks.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": events})
    assert_problem(response, 422, needle)


def test_rotating_an_unknown_webhook_or_a_long_overlap_is_refused(hooks: TestClient) -> None:
    assert_problem(hooks.post("/v1/webhooks/999/rotate-secret"), 404)
    webhook = register(hooks, "http://127.0.0.1:9/x")
    too_long = {"overlap_seconds": 8 * 86400}
    assert_problem(hooks.post(f"/v1/webhooks/{webhook['id']}/rotate-secret", json=too_long), 422)
