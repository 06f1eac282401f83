"""Faults: the service killed with SIGKILL in the middle of ingestion, then restarted.

Clients post articles (each with an Idempotency-Key) without pause; once some are stored the
server gets SIGKILL with requests in flight. After a restart on the same database every client
retries what it did not see answered, with the same key. Then: every article is stored exactly
once, each with all its claims and their index entries; every topic whose two sides are stored
has exactly its one conflict (an article stored without its conflicts would leave one missing,
since a re-post of a stored article finds nothing new); the database is intact; and a retry of a
request answered before the kill returns the first result. Bounded: 40 topics, 4 clients.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.receiver import wait_until
from tests.support.server import API_KEY, Server
from tests.support.workload import article, database_counts

TOPICS = 40
CLIENTS = 4
KILL_AFTER = 12  # answered requests before the kill; the others are in flight or unsent


def key_of(body: dict[str, Any]) -> str:
    return f"{body['title']}|{body['source']}".replace(" ", "-")


@pytest.mark.slow
def test_sigkill_mid_ingestion_leaves_whole_articles_and_safe_retries(
    server_factory: type[Server], tmp_path: Path
) -> None:
    server = server_factory(tmp_path, settings={"rate_limit_per_minute": 0}).start()
    bodies = [article(topic, side) for side in (0, 1) for topic in range(TOPICS)]
    work: queue.Queue[dict[str, Any]] = queue.Queue()
    for body in bodies:
        work.put(body)
    answered: dict[str, tuple[int, int]] = {}  # key -> (status, article id)
    lost: list[dict[str, Any]] = []  # sent, but the answer never came
    unexpected: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            while True:
                try:
                    body = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    response = http.post(
                        "/v1/articles",
                        json=body,
                        headers={"X-API-Key": API_KEY, "Idempotency-Key": key_of(body)},
                    )
                except httpx.HTTPError:
                    with lock:
                        lost.append(body)
                    return  # the server is gone
                with lock:
                    if response.status_code != 201:
                        unexpected.append(response.text)
                        return
                    answered[key_of(body)] = (response.status_code, response.json()["id"])

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    wait_until(
        lambda: len(answered) >= KILL_AFTER or unexpected, timeout=120, what="the first answers"
    )
    assert unexpected == []
    server.kill()
    for thread in threads:
        thread.join(timeout=120)
    assert unexpected == []
    assert lost, "no request was in flight at the kill"
    assert len(answered) < len(bodies)

    before_restart = database_counts(server.database)
    assert before_restart["integrity"] == "ok"

    server.start()
    unsent = []
    while not work.empty():
        unsent.append(work.get_nowait())
    with httpx.Client(base_url=server.url, timeout=60) as http:

        def post(body: dict[str, Any]) -> httpx.Response:
            return http.post(
                "/v1/articles",
                json=body,
                headers={"X-API-Key": API_KEY, "Idempotency-Key": key_of(body)},
            )

        # What was in flight: stored or not, the retry is safe, and answers as a first post.
        for body in lost + unsent:
            response = post(body)
            assert response.status_code == 201, response.text
            answered[key_of(body)] = (201, response.json()["id"])
        # What was answered before the kill: the retry returns the first result.
        for body in bodies[:KILL_AFTER]:
            if key_of(body) in answered:
                response = post(body)
                assert response.status_code == answered[key_of(body)][0]
                assert response.json()["id"] == answered[key_of(body)][1]
                assert response.headers["idempotent-replayed"] == "true"
    server.stop()

    stored = database_counts(server.database)
    assert stored["integrity"] == "ok"
    assert stored["foreign_keys"] == []
    assert len(stored["articles"]) == len(bodies)  # each stored once
    assert {row[0] for row in stored["articles"]} == {i for _, i in answered.values()}
    assert all(count == 2 for count in stored["claims"].values())  # with all its claims
    assert len(stored["claims"]) == len(bodies)
    assert stored["claim_gaps"] == []
    assert stored["unindexed_claims"] == 0
    # Exactly one conflict per topic: none lost to the kill, none doubled by the retries.
    assert sorted(stored["conflicts"]) == sorted((f"Report {t}",) * 2 for t in range(TOPICS))
    # Whatever was stored before the restart was already whole.
    partial = [i for i, count in before_restart["claims"].items() if count != 2]
    assert partial == []
    assert len(before_restart["claims"]) == len(before_restart["articles"])
