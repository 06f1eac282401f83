"""Receivers that misbehave cannot hurt the service: a huge answer costs a small buffer, a
drip or a hang is cut at one deadline per attempt, a hanging receiver delays no other
subscriber, a redirect is not followed, and a name is checked again before every attempt."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from ipaddress import ip_address
from typing import Any

import psutil
import pytest
from fastapi.testclient import TestClient

from app.webhooks import targets
from tests.support.api import BBC, RFE, TOLL_A, TOLL_B, post
from tests.support.databases import ClientFactory
from tests.support.receiver import LOOPBACK_RECEIVERS, Receiver, RogueReceiver, wait_until

FAST = {
    "webhook_poll_seconds": 0.05,
    "webhook_backoff_seconds": 0.05,
    "webhook_backoff_max_seconds": 0.2,
    "rate_limit_per_minute": 0,  # the tests poll the deliveries often
    **LOOPBACK_RECEIVERS,
}
MB = 1024 * 1024


def register(client: TestClient, url: str) -> dict:
    response = client.post("/v1/webhooks", json={"url": url})
    assert response.status_code == 201, response.text
    created: dict = response.json()
    return created


def deliveries(client: TestClient, webhook_id: int, **params: Any) -> list[dict]:
    response = client.get(f"/v1/webhooks/{webhook_id}/deliveries", params=params)
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


@pytest.fixture
def rogues() -> Iterator[list[RogueReceiver]]:
    started: list[RogueReceiver] = []
    yield started
    for rogue in started:
        rogue.stop()


class PeakRss:
    """The process's resident memory, sampled every 10 ms in a thread: the peak, not the end."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.process.memory_info().rss)


@pytest.mark.backends("sqlite")
def test_a_huge_answer_is_dropped_not_read(
    make_client: ClientFactory, rogues: list[RogueReceiver]
) -> None:
    client = make_client(**FAST)
    huge = RogueReceiver("huge", huge_bytes=256 * MB).start()
    rogues.append(huge)
    webhook = register(client, huge.url)
    post(client, "AFP", TOLL_A)
    with PeakRss() as rss:
        post(client, "AP", TOLL_B)
        [done] = wait_until(lambda: deliveries(client, webhook["id"], status="delivered"))
    # The 200 is the answer; the 256 MB behind it were never read (the old sender read it
    # whole, and the process grew by as much). A wide margin for the rest of the process.
    assert done["last_status_code"] == 200
    print(
        f"huge answer: RSS {rss.start // MB} MB, peak {rss.peak // MB}; {huge.sent // MB} MB sent"
    )
    assert rss.peak - rss.start < 64 * MB, (rss.start // MB, rss.peak // MB)
    assert huge.sent < 64 * MB  # the connection was dropped, not drained


@pytest.mark.backends("sqlite")
def test_a_dripping_receiver_is_cut_at_the_deadline(
    make_client: ClientFactory, rogues: list[RogueReceiver]
) -> None:
    # A byte every 0.1 s never lets a per-read timeout of 1 s fire; the attempt's deadline does.
    client = make_client(**FAST, webhook_timeout_seconds=1)
    drip = RogueReceiver("drip", drip_seconds=0.1).start()
    rogues.append(drip)
    webhook = register(client, drip.url)
    post(client, "AFP", TOLL_A)
    post(client, "AP", TOLL_B)
    [state] = wait_until(
        lambda: [d for d in deliveries(client, webhook["id"]) if d["attempts"] >= 2],
        what="a second attempt after the first was cut",
    )
    assert state["status"] == "pending"
    assert state["last_error"] == "timeout"
    assert state["last_status_code"] is None
    # (attempts count from the lease, so the second may not have reached the receiver yet)
    wait_until(lambda: drip.arrived >= 2, what="the second attempt at the receiver")


@pytest.mark.parametrize("behaviour", ["hang", "drip"])
def test_a_stuck_receiver_delays_no_other_subscriber(
    make_client: ClientFactory, rogues: list[RogueReceiver], behaviour: str
) -> None:
    # A deadline far longer than the test: the stuck receiver holds its attempt all along.
    client = make_client(**FAST, webhook_timeout_seconds=600)
    stuck = RogueReceiver(behaviour, drip_seconds=0.5).start()
    rogues.append(stuck)
    good = Receiver().start()
    try:
        stuck_hook = register(client, stuck.url)
        good_hook = register(client, good.url)
        post(client, "AFP", TOLL_A)
        post(client, "AP", TOLL_B)
        wait_until(lambda: stuck.arrived, what="the stuck receiver's first request")
        post(client, "RFE/RL", RFE)
        post(client, "BBC", BBC)
        # Every conflict reaches the good receiver while the stuck one still holds its first.
        wait_until(
            lambda: len(deliveries(client, good_hook["id"], status="delivered")) == 3,
            what="the good receiver's three deliveries",
        )
        assert len(good.received) == 3
        assert stuck.arrived == 1
        held = deliveries(client, stuck_hook["id"])
        assert len(held) == 3
        assert all(d["status"] == "pending" and d["last_error"] is None for d in held)
        assert sum(d["attempts"] for d in held) == 1  # one attempt under way, nothing recorded
    finally:
        stuck.release.set()
        good.stop()


@pytest.mark.backends("sqlite")
def test_a_redirect_to_a_private_address_is_not_followed(
    make_client: ClientFactory, rogues: list[RogueReceiver]
) -> None:
    # 127.0.0.2 is this machine too, but not opted in (only 127.0.0.1/32 is).
    inside = Receiver(host="127.0.0.2").start() if _has_127_0_0_2() else None
    if inside is None:
        pytest.skip("127.0.0.2 cannot be bound here")
    try:
        redirect = RogueReceiver("redirect", location=inside.url).start()
        rogues.append(redirect)
        client = make_client(**FAST)
        webhook = register(client, redirect.url)
        post(client, "AFP", TOLL_A)
        post(client, "AP", TOLL_B)
        [state] = wait_until(
            lambda: [d for d in deliveries(client, webhook["id"]) if d["attempts"] >= 2],
            what="two attempts answered by a redirect",
        )
        assert state["last_status_code"] == 302
        assert state["last_error"] == "redirect"
        assert inside.received == []
        assert not inside.arrived.is_set()
    finally:
        inside.stop()


@pytest.mark.backends("sqlite")
def test_a_name_is_checked_again_before_every_attempt(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"hooks.example.org": [ip_address("127.0.0.1")]}
    monkeypatch.setattr(targets, "lookup", lambda host, port: answers.get(host, []))
    good = Receiver().start()
    try:
        client = make_client(**FAST)
        webhook = register(client, f"http://hooks.example.org:{good.port}/hook")
        post(client, "AFP", TOLL_A)
        post(client, "AP", TOLL_B)
        wait_until(lambda: deliveries(client, webhook["id"], status="delivered"))
        # The connection went to the address checked, under the webhook's own name.
        assert good.received[0].headers["host"] == f"hooks.example.org:{good.port}"

        # The name now also answers with the metadata address (DNS rebinding): refused.
        answers["hooks.example.org"] = [ip_address("127.0.0.1"), ip_address("169.254.169.254")]
        post(client, "RFE/RL", RFE)
        refused = wait_until(
            lambda: [d for d in deliveries(client, webhook["id"]) if d["attempts"] >= 2],
            what="attempts refused by the second check",
        )
        assert refused[0]["last_error"] == "refused_address"
        assert refused[0]["status"] == "pending"  # retried: the name may be fixed
        assert len(good.received) == 1
    finally:
        good.stop()


def _has_127_0_0_2() -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.2", 0))
        except OSError:
            return False
    return True
