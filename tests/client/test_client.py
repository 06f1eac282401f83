"""crosscheck_client against a live service (uvicorn in its own process), and its retries
against a scripted transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from crosscheck_client import AsyncClient, Client, ProblemError

from harness.bench.corpus import seed_articles
from tests.support.server import API_KEY, Server

AP = "The Associated Press"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("client-service")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_a_service_ingests_follows_the_feed_and_reviews(service: Server) -> None:
    seeds = seed_articles()
    with Client(service.url, API_KEY) as client:
        # Four seeds in one batch, the fifth (AP) on its own, with an idempotency key.
        others = [s for s in seeds if s["source"] != AP]
        [ap] = [s for s in seeds if s["source"] == AP]
        batch = client.batch_create_articles(others)
        assert [item.status for item in batch.items] == [201] * 4
        feed = client.follow_conflicts(interval=0)
        stored = client.create_article(**ap)
        assert stored.created
        assert not stored.replayed
        assert stored.article.conflict_count == 2
        again = client.create_article(**ap)
        assert not again.created
        assert again.article.id == stored.article.id

        page = next(feed)
        assert {c.measure for c in page.items} == {"people killed"}
        assert len(page.items) == 2
        token = page.follow_token  # where to follow on from; next_page_token is null here
        assert token

        conflict = client.review_conflict(page.items[0].id, "confirmed", note="AP updated.")
        assert (conflict.status, conflict.note) == ("confirmed", "AP updated.")
        assert client.get_conflict(conflict.id).status == "confirmed"
        assert [c.id for c in client.iter_conflicts(status="confirmed", page_size=1)] == [
            conflict.id
        ]
        assert len(list(client.iter_conflicts(page_size=1))) == 2  # across two pages
        assert len(list(client.iter_articles(page_size=2))) == 5

        checked = client.check_text(
            "Several ceasefires and peace talks have been attempted since the conflict, which "
            "has killed 200,000 people, broke out five years ago this week.",
            source="Reuters",
            published_at="2016-03-14",
        )
        assert checked.conflict_count >= 1
        assert (
            checked.claims[0].quantities[0].interval.notation == "[190000, 210000]"
        )  # rounded, at most 5%
        with pytest.raises(ProblemError) as refused:
            client.get_article(999_999)
        assert refused.value.status == 404
        assert refused.value.problem.type == "/problems/not-found"
        assert refused.value.problem.title == "Not Found"


@pytest.mark.slow
def test_the_async_client_does_the_same(service: Server) -> None:
    async def scenario() -> None:
        async with AsyncClient(service.url, API_KEY) as client:
            text = "Officials said 12 people were hurt in the blast on Monday."
            stored = await client.create_article("Local", text=text, published_at="2024-05-01")
            assert stored.created
            article = await client.get_article(stored.article.id)
            assert article.text == text
            seen = [c.id async for c in client.iter_conflicts(page_size=1)]
            assert len(seen) >= 2
            page = await anext(client.follow_conflicts(interval=0))
            assert page.items[0].id == min(seen)
            with pytest.raises(ProblemError) as refused:
                await client.create_article("Local", text=" ")
            assert refused.value.problem.type == "/problems/invalid-request"
            await client.delete_article(stored.article.id)

    asyncio.run(scenario())


def scripted(responses: list[httpx.Response], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return responses.pop(0)

    return httpx.MockTransport(handle)


ARTICLE: dict[str, Any] = {
    "id": 7,
    "source": "AP",
    "url": None,
    "title": None,
    "published_at": None,
    "created_at": "2026-01-01T00:00:00",
    "claim_count": 0,
    "text": "x",
    "match_count": 0,
    "conflict_count": 0,
    "claims": [],
}
PROBLEM = {"content-type": "application/problem+json"}


def limited(status: int, retry_after: str) -> httpx.Response:
    body = {"type": "/problems/rate-limited", "title": "T", "status": status, "detail": "d"}
    return httpx.Response(status, json=body, headers={**PROBLEM, "Retry-After": retry_after})


def test_429_and_503_are_retried_after_retry_after_with_the_same_idempotency_key() -> None:
    seen: list[httpx.Request] = []
    sleeps: list[float] = []
    responses = [limited(429, "2"), limited(503, "7"), httpx.Response(201, json=ARTICLE)]
    with Client("http://svc", transport=scripted(responses, seen), sleep=sleeps.append) as client:
        stored = client.create_article("AP", text="x")
    assert stored.created
    assert stored.article.id == 7
    assert sleeps == [2.0, 7.0]
    keys = {request.headers["Idempotency-Key"] for request in seen}
    assert len(seen) == 3
    assert len(keys) == 1
    assert json.loads(seen[0].content) == {"source": "AP", "text": "x"}


def test_retries_stop_at_the_limit_and_the_wait_is_capped() -> None:
    seen: list[httpx.Request] = []
    sleeps: list[float] = []
    responses = [limited(429, "3600")] * 3
    transport = scripted(list(responses), seen)
    with (
        Client(
            "http://svc", transport=transport, sleep=sleeps.append, max_retries=2, max_retry_wait=30
        ) as client,
        pytest.raises(ProblemError) as refused,
    ):
        client.get_article(7)
    assert refused.value.status == 429
    assert sleeps == [30.0, 30.0]
    assert len(seen) == 3


def test_other_errors_are_not_retried_and_each_call_has_its_own_key() -> None:
    seen: list[httpx.Request] = []
    body = {"type": "/problems/conflict", "title": "Conflict", "status": 409, "detail": "url"}
    responses = [
        httpx.Response(409, json=body, headers=PROBLEM),
        httpx.Response(200, json=ARTICLE, headers={"Idempotent-Replayed": "true"}),
    ]
    with Client("http://svc", transport=scripted(responses, seen), sleep=pytest.fail) as client:
        with pytest.raises(ProblemError):
            client.create_article("AP", text="x", url="https://a.example/1")
        replayed = client.create_article("AP", text="x")
    assert replayed.replayed
    assert not replayed.created
    assert seen[0].headers["Idempotency-Key"] != seen[1].headers["Idempotency-Key"]


def test_exactly_one_of_text_and_html() -> None:
    with Client("http://svc", transport=scripted([], [])) as client:
        with pytest.raises(ValueError, match="exactly one"):
            client.create_article("AP")
        with pytest.raises(ValueError, match="exactly one"):
            client.create_article("AP", text="x", html="<p>x</p>")


def test_the_package_names_its_files(tmp_path: Path) -> None:
    import crosscheck_client

    package = Path(crosscheck_client.__file__).parent
    assert (package / "py.typed").exists()
    assert json.loads((package / "openapi.json").read_text())["info"]["title"] == "crosscheck"
