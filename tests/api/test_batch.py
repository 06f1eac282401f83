"""POST /v1/articles:batch: each article answered on its own, the good ones stored once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.api import BBC, RFE, TOLL_A, TOLL_B, assert_problem, post
from tests.support.databases import ClientFactory

BATCH = "/v1/articles:batch"


def stored_articles(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        params: dict[str, Any] = {"page_size": 200}
        if token:
            params["page_token"] = token
        page = client.get("/v1/articles", params=params).json()
        items.extend(page["items"])
        token = page["next_page_token"]
        if not token:
            return items


def test_each_article_is_answered_on_its_own_and_the_good_ones_are_stored(
    client: TestClient, backend: str
) -> None:
    post(client, "Reuters", TOLL_A, url="https://reuters.example/a")
    articles: list[Any] = [
        {"source": "AP", "text": TOLL_B, "published_at": "2016-03-14"},  # conflicts with Reuters
        {"source": "AP", "published_at": "2016-03-14"},  # no text
        {"source": "RFE/RL", "text": RFE, "published_at": "2016-03-14"},  # conflicts with AP (0)
        {"source": "AFP", "text": "   "},  # blank text
        {"source": "AP", "text": TOLL_B, "published_at": "2016-03-14"},  # item 0 again
        "not an article",
        {"source": "Reuters", "text": BBC, "url": "https://reuters.example/a"},  # url taken
        {"source": "BBC", "text": BBC, "published_at": "14 March"},  # bad date
        {"source": "BBC", "text": BBC, "colour": "red"},  # unknown field
    ]
    response = client.post(BATCH, json={"articles": articles})
    assert response.status_code == 200, response.text
    body = response.json()
    statuses = [item["status"] for item in body["items"]]
    assert statuses == [201, 422, 201, 422, 200, 422, 409, 422, 422]
    assert [item["index"] for item in body["items"]] == list(range(len(articles)))
    assert (body["stored"], body["already_stored"], body["failed"]) == (2, 1, 6)

    items = body["items"]
    for item in items:
        if item["status"] >= 400:
            assert item["article"] is None
            problem = item["problem"]
            assert problem["status"] == item["status"]
            assert client.get(problem["type"]).status_code == 200
        else:
            assert item["problem"] is None
    assert items[1]["problem"]["type"] == "/problems/invalid-request"
    assert items[1]["problem"]["errors"][0]["location"] == ["body", "articles", 1]
    assert "exactly one of text and html" in items[1]["problem"]["detail"]
    assert "text is empty" in items[3]["problem"]["detail"]
    assert items[5]["problem"]["errors"][0]["location"] == ["body", "articles", 5]
    assert items[6]["problem"]["type"] == "/problems/conflict"
    assert "published_at" in items[7]["problem"]["detail"]
    assert "unknown field" in items[8]["problem"]["detail"]

    # Item 4 is item 0, stored once; both later articles were checked against earlier ones.
    assert items[4]["article"]["id"] == items[0]["article"]["id"]
    assert items[0]["article"]["conflict_count"] == 1  # against Reuters, stored before
    assert items[2]["article"]["conflict_count"] == 1  # against item 0 of the same batch
    stored = stored_articles(client)
    assert sorted(a["source"] for a in stored) == ["AP", "RFE/RL", "Reuters"]
    assert len(client.get("/v1/conflicts").json()["items"]) == 2


def test_sending_a_batch_again_stores_nothing_twice(client: TestClient) -> None:
    articles = [
        {"source": "AP", "text": TOLL_B, "published_at": "2016-03-14"},
        {"source": "AFP", "text": ""},
        {"source": "RFE/RL", "text": RFE, "published_at": "2016-03-14"},
    ]
    first = client.post(BATCH, json={"articles": articles}).json()
    again = client.post(BATCH, json={"articles": articles}).json()
    assert [i["status"] for i in first["items"]] == [201, 422, 201]
    assert [i["status"] for i in again["items"]] == [200, 422, 200]
    ids = [i["article"]["id"] for i in first["items"] if i["article"]]
    assert [i["article"]["id"] for i in again["items"] if i["article"]] == ids
    assert len(stored_articles(client)) == 2
    assert len(client.get("/v1/conflicts").json()["items"]) == 1


def test_a_batch_that_cannot_be_taken_whole_stores_nothing(make_client: ClientFactory) -> None:
    client = make_client(max_batch_articles=3)
    article = {"source": "AP", "text": TOLL_B}
    too_many = client.post(BATCH, json={"articles": [article] * 4})
    body = assert_problem(too_many, 422, "at most 3", "CROSSCHECK_MAX_BATCH_ARTICLES")
    assert body["type"] == "/problems/invalid-request"
    keyed = client.post(BATCH, json={"articles": [article]}, headers={"Idempotency-Key": "k"})
    assert_problem(keyed, 422, "Idempotency-Key", "safe")
    assert_problem(client.post(BATCH, json={"articles": []}), 422)
    assert_problem(client.post(BATCH, json=[article]), 422)
    assert stored_articles(client) == []


def test_the_request_counts_once_and_each_article_against_the_article_budget(
    make_client: ClientFactory,
) -> None:
    # Refills of one token a minute: nothing refills while the test runs.
    client = make_client(
        rate_limit_per_minute=1,
        rate_limit_burst=3,
        batch_articles_per_minute=1,
        batch_articles_burst=5,
        max_batch_articles=5,
    )
    texts = [f"Officials said {n} people were hurt in the blast on Monday." for n in range(2, 9)]
    batch = [{"source": f"S{i}", "text": t} for i, t in enumerate(texts)]
    # Five articles in one request, under a request burst of 3: the articles are charged to
    # their own budget only, the request once to the request budget.
    assert client.post(BATCH, json={"articles": batch[:5]}).status_code == 200
    refused = client.post(BATCH, json={"articles": batch[5:7]})
    problem = assert_problem(refused, 429, "CROSSCHECK_BATCH_ARTICLES_PER_MINUTE", "nothing")
    assert problem["type"] == "/problems/rate-limited"
    assert 60 < int(refused.headers["Retry-After"]) <= 120  # two articles at one a minute
    assert len(stored_articles(client)) == 5  # (a read: the third request)
    fourth = client.post("/v1/check", json={"text": texts[0]})
    assert_problem(fourth, 429, "CROSSCHECK_RATE_LIMIT_PER_MINUTE")


@pytest.mark.slow
def test_a_thousand_articles_in_batches_of_100_every_valid_one_stored_once(
    make_client: ClientFactory,
) -> None:
    client = make_client(batch_articles_per_minute=0)
    articles: list[dict[str, Any]] = []
    invalid: set[int] = set()
    for n in range(1000):
        if n % 17 == 0:
            articles.append({"source": f"Outlet {n % 7}", "text": ""})
            invalid.add(n)
        elif n % 23 == 0:
            articles.append({"source": f"Outlet {n % 7}", "text": "x", "published_at": "soon"})
            invalid.add(n)
        else:
            articles.append(
                {
                    "source": f"Outlet {n % 7}",
                    "published_at": "2024-05-01",
                    "text": f"Officials said {n + 2} people were hurt in blast number {n} in "
                    f"district {n % 11} on Monday. Police closed {n % 5 + 2} roads nearby.",
                }
            )

    def send() -> list[dict[str, Any]]:
        answers = []
        for start in range(0, len(articles), 100):
            response = client.post(BATCH, json={"articles": articles[start : start + 100]})
            assert response.status_code == 200, response.text
            answers.extend(response.json()["items"])
        return answers

    answers = send()
    assert [a["status"] == 422 for a in answers] == [n in invalid for n in range(1000)]
    assert all(a["problem"]["type"] == "/problems/invalid-request" for a in answers if a["problem"])
    ids = [a["article"]["id"] for a in answers if a["status"] == 201]
    assert len(ids) == len(set(ids)) == 1000 - len(invalid)
    assert {a["id"] for a in stored_articles(client)} == set(ids)
    conflicts = client.get("/v1/conflicts", params={"page_size": 1}).json()["items"]

    # Sent again: every valid one is already stored, nothing is stored or found twice.
    again = send()
    assert [a["status"] for a in again] == [422 if n in invalid else 200 for n in range(1000)]
    assert [a["article"]["id"] for a in again if a["article"]] == ids
    assert len(stored_articles(client)) == len(ids)
    assert client.get("/v1/conflicts", params={"page_size": 1}).json()["items"] == conflicts


def test_an_article_the_database_refuses_is_refused_alone(client: TestClient, backend: str) -> None:
    articles = [
        {"source": "AP", "text": TOLL_B, "published_at": "2016-03-14"},
        {"source": "New\x00s", "text": "Officials said 12 people were hurt.\x00"},
        {"source": "RFE/RL", "text": RFE, "published_at": "2016-03-14"},
    ]
    items = client.post(BATCH, json={"articles": articles}).json()["items"]
    if backend == "postgresql":  # PostgreSQL text cannot hold NUL; SQLite's can
        assert [i["status"] for i in items] == [201, 422, 201]
        assert "cannot be stored" in items[1]["problem"]["detail"]
        assert sorted(a["source"] for a in stored_articles(client)) == ["AP", "RFE/RL"]
    else:
        assert [i["status"] for i in items] == [201, 201, 201]
    assert items[2]["article"]["conflict_count"] == 1
