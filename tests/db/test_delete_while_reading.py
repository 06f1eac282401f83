"""Reading the conflict feed while articles are deleted never answers 500.

A conflict is read with both claims, their articles and sources in one statement
(``app.conflicts.repository``): under READ COMMITTED, separate eager-load statements could see
a conflict in the first and miss its claim's article, deleted in between, in the second (2 of
186 reads answered 500 before). Here one thread deletes and re-posts articles as fast as it
can while another reads every order of the feed, a few hundred times.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from tests.support.databases import ClientFactory

TOLLS = [200_000, 250_000, 270_000, 300_000, 320_000, 350_000]
READS = 300


def story(i: int) -> dict[str, str]:
    """Every outlet gives another death toll, so every pair of stories conflicts."""
    return {
        "source": f"Outlet {i}",
        "published_at": "2016-03-14",
        "text": f"The war in Syria has killed {TOLLS[i]:,} people since it began in 2011.",
    }


@pytest.mark.backends("postgresql")
def test_deleting_articles_while_reading_conflicts_never_fails(
    make_client: ClientFactory,
) -> None:
    client = make_client(rate_limit_per_minute=0)
    ids = {}
    for i in range(len(TOLLS)):
        response = client.post("/v1/articles", json=story(i))
        assert response.status_code == 201, response.text
        ids[i] = response.json()["id"]
    assert len(client.get("/v1/conflicts", params={"page_size": 200}).json()["items"]) >= 10

    stop = threading.Event()
    deletions = Counter[int]()
    failures: list[str] = []

    def churn() -> None:
        n = 0
        while not stop.is_set():
            i = n % len(TOLLS)
            n += 1
            deleted = client.delete(f"/v1/articles/{ids[i]}")
            if deleted.status_code != 204:
                failures.append(f"delete: {deleted.status_code} {deleted.text}")
            reposted = client.post("/v1/articles", json=story(i))
            if reposted.status_code != 201:
                failures.append(f"post: {reposted.status_code} {reposted.text}")
                continue
            ids[i] = reposted.json()["id"]
            deletions[i] += 1

    statuses = Counter[int]()
    deleter = threading.Thread(target=churn, daemon=True)
    deleter.start()
    try:
        for n in range(READS):
            order = ("newest", "severity", "oldest")[n % 3]
            response = client.get("/v1/conflicts", params={"order": order, "page_size": 200})
            statuses[response.status_code] += 1
            if response.status_code != 200:
                failures.append(f"read: {response.status_code} {response.text}")
                continue
            for conflict in response.json()["items"]:
                # whole conflicts only: both sides with their article and source
                for side in (conflict["a"], conflict["b"]):
                    assert side["source"].startswith("Outlet "), conflict
                    assert side["article_id"] > 0
            if n % 10 == 0 and n:
                one = client.get(f"/v1/articles/{ids[n % len(TOLLS)]}")
                statuses[one.status_code] += 1  # 404 when deleted in between, never 500
    finally:
        stop.set()
        deleter.join(timeout=60)
    print(f"reads {dict(statuses)}, articles deleted and re-posted {sum(deletions.values())}")
    assert failures == []
    assert statuses[500] == 0
    assert statuses[200] >= READS
    assert sum(deletions.values()) >= 10, "the reads did not overlap the deletions"
