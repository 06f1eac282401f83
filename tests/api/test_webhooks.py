"""Webhooks: each new conflict reaches every subscriber once, signed; a receiver that is down,
failing or slow is retried and never holds up ingestion; the outbox survives a restart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.webhooks.service import backoff
from tests.support.api import BBC, RFE, TOLL_A, TOLL_B, assert_problem, post
from tests.support.databases import ClientFactory, Databases
from tests.support.receiver import LOOPBACK_RECEIVERS, Receiver, free_port, wait_until

FAST = {
    "webhook_poll_seconds": 0.05,
    "webhook_backoff_seconds": 0.05,
    "webhook_backoff_max_seconds": 0.2,
    "webhook_timeout_seconds": 5,
    **LOOPBACK_RECEIVERS,
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    if running.gate is not None:
        running.gate.set()
    running.stop()


@pytest.fixture
def hooks(make_client: ClientFactory) -> TestClient:
    return make_client(**FAST)


def register(client: TestClient, url: str) -> dict:
    response = client.post("/v1/webhooks", json={"url": url, "description": "test"})
    assert response.status_code == 201, response.text
    created: dict = response.json()
    return created


def deliveries(client: TestClient, webhook_id: int, **params: Any) -> list[dict]:
    response = client.get(f"/v1/webhooks/{webhook_id}/deliveries", params=params)
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


def test_each_new_conflict_is_delivered_once_and_signed(
    hooks: TestClient, receiver: Receiver
) -> None:
    post(hooks, "AFP", TOLL_A)
    post(hooks, "AP", TOLL_B)  # a conflict before the webhook exists: not sent
    webhook = register(hooks, receiver.url)
    assert len(webhook["secret"]) >= 40
    assert webhook["deliveries"] == {"pending": 0, "delivered": 0, "failed": 0}
    post(hooks, "RFE/RL", RFE)
    post(hooks, "BBC", BBC)
    conflicts = {c["id"]: c for c in hooks.get("/v1/conflicts").json()["items"]}
    assert len(conflicts) == 3

    wait_until(lambda: len(receiver.received) >= 2, what="two deliveries")
    wait_until(
        lambda: hooks.get(f"/v1/webhooks/{webhook['id']}").json()["deliveries"]["delivered"] == 2
    )
    assert len(receiver.received) == 2
    got = {}
    for message in receiver.received:
        assert webhook["secret"].startswith("whsec_")
        assert message.signed_by(webhook["secret"])
        assert not message.signed_by("whsec_" + "A" * 43)
        assert "x-crosscheck-signature" not in message.headers  # only for webhooks before 0004
        assert message.headers["content-type"] == "application/json"
        body = message.json
        assert body["type"] == "conflict.created"
        assert message.headers["webhook-id"] == f"conflict-created-{body['data']['id']}"
        got[body["data"]["id"]] = body["data"]
    first_id = min(conflicts)
    assert set(got) == set(conflicts) - {first_id}
    for conflict_id, sent in got.items():
        assert sent == conflicts[conflict_id]

    states = deliveries(hooks, webhook["id"])
    assert [d["status"] for d in states] == ["delivered", "delivered"]
    assert all(d["attempts"] == 1 and d["last_status_code"] == 200 for d in states)
    assert all(d["delivered_at"] and d["next_attempt_at"] is None for d in states)
    listed = hooks.get("/v1/webhooks").json()["items"]
    assert [w["id"] for w in listed] == [webhook["id"]]
    assert "secret" not in listed[0]


def test_a_receiver_that_is_down_gets_what_it_missed_when_it_returns(
    hooks: TestClient,
) -> None:
    port = free_port()
    webhook = register(hooks, f"http://127.0.0.1:{port}/hook")
    post(hooks, "AFP", TOLL_A)
    post(hooks, "AP", TOLL_B)
    failing = wait_until(
        lambda: [d for d in deliveries(hooks, webhook["id"]) if d["attempts"] >= 2],
        what="retries",
    )
    assert failing[0]["status"] == "pending"
    assert failing[0]["last_error"] == "connection_failed"  # not the socket's message
    assert failing[0]["last_status_code"] is None
    assert failing[0]["next_attempt_at"]

    returned = Receiver(port=port).start()
    try:
        wait_until(lambda: returned.received, what="the delivery after the receiver returned")
        wait_until(lambda: deliveries(hooks, webhook["id"], status="delivered"))
        assert returned.received[0].json["data"]["a"]["source"] in {"AFP", "AP"}
        assert returned.received[0].signed_by(webhook["secret"])
    finally:
        returned.stop()


def test_an_error_answer_is_retried_until_it_succeeds(
    hooks: TestClient, receiver: Receiver
) -> None:
    receiver.status = 500
    webhook = register(hooks, receiver.url)
    post(hooks, "AFP", TOLL_A)
    post(hooks, "AP", TOLL_B)
    wait_until(lambda: len(receiver.received) >= 2, what="two failed attempts")
    [state] = deliveries(hooks, webhook["id"])
    assert state["last_status_code"] == 500
    assert state["last_error"] == "http_status"
    receiver.status = 204
    [done] = wait_until(lambda: deliveries(hooks, webhook["id"], status="delivered"))
    assert done["attempts"] >= 3
    assert done["last_status_code"] == 204
    assert done["last_error"] is None


def test_out_of_attempts_is_failed_until_redelivered(
    make_client: ClientFactory, receiver: Receiver
) -> None:
    client = make_client(**{**FAST, "webhook_max_attempts": 2})
    receiver.status = 503
    webhook = register(client, receiver.url)
    post(client, "AFP", TOLL_A)
    post(client, "AP", TOLL_B)
    [failed] = wait_until(lambda: deliveries(client, webhook["id"], status="failed"))
    assert failed["attempts"] == 2
    assert len(receiver.received) == 2
    assert client.get(f"/v1/webhooks/{webhook['id']}").json()["deliveries"]["failed"] == 1

    receiver.status = 200
    redelivered = client.post(f"/v1/webhooks/{webhook['id']}/redeliver")
    assert redelivered.json() == {"requeued": 1}
    [done] = wait_until(lambda: deliveries(client, webhook["id"], status="delivered"))
    assert done["attempts"] == 1
    assert client.post(f"/v1/webhooks/{webhook['id']}/redeliver").json() == {"requeued": 0}


def test_a_slow_receiver_never_holds_up_ingestion(hooks: TestClient, receiver: Receiver) -> None:
    receiver.gate = threading.Event()  # the receiver answers nothing until the gate opens
    webhook = register(hooks, receiver.url)
    post(hooks, "AFP", TOLL_A)
    post(hooks, "AP", TOLL_B)
    assert receiver.arrived.wait(timeout=60)  # the worker is now stuck on the receiver
    # Ingestion goes on, conflicts included, while the delivery is still hanging.
    post(hooks, "RFE/RL", RFE)
    post(hooks, "BBC", BBC)
    assert len(hooks.get("/v1/conflicts").json()["items"]) == 3
    assert receiver.received == []
    receiver.gate.set()
    wait_until(lambda: len(deliveries(hooks, webhook["id"], status="delivered")) == 3)
    assert sorted(m.json["data"]["id"] for m in receiver.received) == sorted(
        c["id"] for c in hooks.get("/v1/conflicts").json()["items"]
    )


def test_the_outbox_survives_a_restart(
    databases: Databases, embedder: Any, receiver: Receiver
) -> None:
    url = databases.create()
    port = free_port()
    try:
        settings = Settings(database_url=url, **FAST)
        with TestClient(create_app(settings, embedder)) as first:
            webhook = register(first, f"http://127.0.0.1:{port}/hook")
            post(first, "AFP", TOLL_A)
            post(first, "AP", TOLL_B)
            wait_until(lambda: deliveries(first, webhook["id"]), what="the queued delivery")
        returned = Receiver(port=port).start()
        try:
            with TestClient(create_app(settings, embedder)) as second:
                [done] = wait_until(
                    lambda: deliveries(second, webhook["id"], status="delivered"),
                    what="the delivery after a restart",
                )
                assert len(returned.received) == 1
                assert done["conflict_id"] == returned.received[0].json["data"]["id"]
        finally:
            returned.stop()
    finally:
        databases.drop(url)


def test_every_subscriber_gets_each_conflict(hooks: TestClient, receiver: Receiver) -> None:
    other = Receiver().start()
    try:
        first = register(hooks, receiver.url)
        second = register(hooks, other.url)
        post(hooks, "AFP", TOLL_A)
        post(hooks, "AP", TOLL_B)
        wait_until(lambda: receiver.received and other.received)
        assert receiver.received[0].signed_by(first["secret"])
        assert other.received[0].signed_by(second["secret"])
        assert first["secret"] != second["secret"]
    finally:
        other.stop()


def test_deleting_a_webhook_stops_its_deliveries(hooks: TestClient) -> None:
    webhook = register(hooks, f"http://127.0.0.1:{free_port()}/hook")
    post(hooks, "AFP", TOLL_A)
    post(hooks, "AP", TOLL_B)
    wait_until(lambda: deliveries(hooks, webhook["id"]))
    assert hooks.delete(f"/v1/webhooks/{webhook['id']}").status_code == 204
    assert_problem(hooks.get(f"/v1/webhooks/{webhook['id']}"), 404)
    assert_problem(hooks.get(f"/v1/webhooks/{webhook['id']}/deliveries"), 404)
    assert_problem(hooks.delete(f"/v1/webhooks/{webhook['id']}"), 404)
    assert hooks.get("/v1/webhooks").json() == {"items": []}


def test_webhook_hosts_can_be_restricted(make_client: ClientFactory) -> None:
    client = make_client(webhook_allowed_hosts=["127.0.0.1"], **LOOPBACK_RECEIVERS)
    assert client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}).status_code == 201
    for url in ("http://10.0.0.1/x", "http://localhost:9/x", "https://example.org/x"):
        assert_problem(
            client.post("/v1/webhooks", json={"url": url}),
            422,
            "CROSSCHECK_WEBHOOK_ALLOWED_HOSTS",
        )


def test_deliveries_page(hooks: TestClient) -> None:
    webhook = register(hooks, f"http://127.0.0.1:{free_port()}/hook")
    post(hooks, "AFP", TOLL_A)
    post(hooks, "RFE/RL", RFE)
    post(hooks, "AP", TOLL_B)
    wait_until(lambda: len(deliveries(hooks, webhook["id"])) == 2)
    url = f"/v1/webhooks/{webhook['id']}/deliveries"
    first = hooks.get(url, params={"page_size": 1}).json()
    second = hooks.get(url, params={"page_size": 1, "page_token": first["next_page_token"]}).json()
    assert first["items"][0]["id"] > second["items"][0]["id"]
    assert second["next_page_token"] is None
    assert_problem(hooks.get(url, params={"page_token": "bm9wZQ"}), 400, "page_token")
    assert_problem(hooks.get(url, params={"status": "lost"}), 422, "status")


def test_backoff_doubles_up_to_the_cap() -> None:
    settings = Settings(webhook_backoff_seconds=2, webhook_backoff_max_seconds=60).webhooks
    for attempts, expected in [(1, 2), (2, 4), (3, 8), (5, 32), (6, 60), (1000, 60)]:
        assert expected * 0.9 <= backoff(settings, attempts) <= expected * 1.1
