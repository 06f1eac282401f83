"""Every limit: the per-client rate limit (429 with Retry-After), and the size limits on bodies,
texts, claims, pages, headers, queries, notes and webhooks, each a setting."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from app.limits import RateLimiter, SharedRateLimiter
from tests.support.api import TOLL_A, TOLL_B, assert_problem, post
from tests.support.databases import ClientFactory

KEYS = ["limits-key-a-0123456789", "limits-key-b-0123456789"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the rate limit ---------------------------------------------------------------------------


def test_token_bucket_admits_a_burst_then_the_steady_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.acquire("a") == 1  # one token a second
    assert limiter.acquire("b") == 0  # buckets are per client
    clock.now += 1.0
    assert limiter.acquire("a") == 0
    assert limiter.acquire("a") == 1
    clock.now += 3600
    assert [limiter.acquire("a") for _ in range(4)] == [0, 0, 0, 1]  # refills to the burst only


def test_retry_after_is_the_time_until_the_next_token() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=2, burst=1, clock=clock)
    assert limiter.acquire("a") == 0
    assert limiter.acquire("a") == 30
    clock.now += 20
    assert limiter.acquire("a") == 10


def test_a_cost_is_taken_whole_or_not_at_all() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=10, clock=clock)
    assert limiter.acquire("a", 7) == 0
    assert limiter.acquire("a", 5) == 2  # 3 left: two seconds until 5
    assert limiter.acquire("a", 3) == 0  # the refused cost took nothing
    clock.now += 4
    assert limiter.acquire("a", 5) == 1
    with pytest.raises(ValueError, match="never fit"):
        limiter.acquire("a", 11)


def test_limiters_sharing_a_file_share_their_buckets(tmp_path: Path) -> None:
    clock = FakeClock()
    store = tmp_path / "limits.db"
    first, second = (
        SharedRateLimiter(store, "requests", per_minute=60, burst=3, clock=clock) for _ in range(2)
    )
    articles = SharedRateLimiter(store, "articles", per_minute=60, burst=5, clock=clock)
    assert [first.acquire("a"), second.acquire("a"), first.acquire("a")] == [0, 0, 0]
    assert second.acquire("a") == 1  # the burst is spent, whichever process asks
    assert second.acquire("b") == 0  # buckets are per client
    assert articles.acquire("a", 5) == 0  # and per limiter
    assert articles.acquire("a", 2) == 2
    clock.now += 1.0
    assert first.acquire("a") == 0
    assert second.acquire("a") == 1
    clock.now -= 100  # a clock that goes back refills nothing, and breaks nothing
    assert first.acquire("a") == 1
    for limiter in (first, second, articles):
        limiter.close()


def _take_tokens(store: str, attempts: int, admitted: Any) -> None:
    limiter = SharedRateLimiter(Path(store), "requests", per_minute=1, burst=10)
    for _ in range(attempts):
        if limiter.acquire("key:one") == 0:
            with admitted.get_lock():
                admitted.value += 1


def test_worker_processes_admit_the_burst_once_between_them(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    admitted = context.Value("i", 0)
    store = str(tmp_path / "limits.db")
    workers = [context.Process(target=_take_tokens, args=(store, 15, admitted)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert admitted.value == 10  # per-process buckets would have admitted 20


def test_the_server_shares_one_store_among_its_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from app import server

    monkeypatch.delenv("CROSSCHECK_RATE_LIMIT_STORE", raising=False)
    get_settings.cache_clear()
    with server.shared_rate_limits(1) as none:
        assert none is None
    with server.shared_rate_limits(2) as store:
        assert store is not None
        assert os.environ["CROSSCHECK_RATE_LIMIT_STORE"] == str(store)
        assert store.parent.is_dir()
    assert "CROSSCHECK_RATE_LIMIT_STORE" not in os.environ
    assert not store.parent.exists()
    get_settings.cache_clear()


def test_a_zero_rate_turns_the_limit_off() -> None:
    limiter = RateLimiter(per_minute=0, burst=1)
    assert not limiter.enabled
    assert all(limiter.acquire("a") == 0 for _ in range(1000))


def test_idle_buckets_are_forgotten() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=60, burst=2, clock=clock)
    for i in range(50):
        limiter.acquire(f"client-{i}")
    clock.now += 10
    limiter._forget_idle(clock.now)
    assert limiter._buckets == {}


@pytest.fixture
def limited(make_client: ClientFactory) -> TestClient:
    # One token a minute after a burst of three: no refill can happen during the test.
    return make_client(api_keys=KEYS, rate_limit_per_minute=1, rate_limit_burst=3)


def test_the_fourth_request_in_a_burst_is_429_with_retry_after(limited: TestClient) -> None:
    for _ in range(3):
        assert limited.get("/v1/conflicts").status_code == 200
    response = limited.get("/v1/conflicts")
    problem = assert_problem(response, 429, "CROSSCHECK_RATE_LIMIT_PER_MINUTE")
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert problem["title"] == "Too Many Requests"
    assert problem["type"] == "/problems/rate-limited"


def test_limited_responses_carry_the_ietf_ratelimit_fields(limited: TestClient) -> None:
    # Burst 3 at 1 a minute: the bucket takes 180 s to fill, q=3;w=180.
    states = []
    for _ in range(3):
        response = limited.get("/v1/conflicts")
        assert response.status_code == 200
        assert response.headers["ratelimit-policy"] == '"requests";q=3;w=180'
        states.append(response.headers["ratelimit"])
    # r counts down; t is the time until the bucket is full again (60 s a token).
    assert [s.split(";")[1] for s in states] == ["r=2", "r=1", "r=0"]
    assert [int(s.split(";t=")[1]) for s in states] == pytest.approx([60, 120, 180], abs=1)
    refused = limited.get("/v1/conflicts")
    assert_problem(refused, 429)
    assert refused.headers["ratelimit-policy"] == '"requests";q=3;w=180'
    assert refused.headers["ratelimit"].startswith('"requests";r=0;t=')
    # A 404 and a 204-less delete are counted, so they carry the fields too ...
    key = {"X-API-Key": KEYS[0]}
    missing = limited.delete("/v1/articles/9", headers=key)
    assert_problem(missing, 404)
    assert missing.headers["ratelimit"].startswith('"requests";r=2;t=')
    # ... and what is not rate-limited does not.
    assert "ratelimit" not in limited.get("/healthz").headers
    assert "ratelimit-policy" not in limited.get("/metrics").headers


def test_a_batch_tells_both_budgets(make_client: ClientFactory) -> None:
    client = make_client(batch_articles_per_minute=1, batch_articles_burst=5, max_batch_articles=5)
    batch = {"articles": [{"source": "AP", "text": TOLL_A, "published_at": "2016-03-14"}]}
    response = client.post("/v1/articles:batch", json=batch)
    assert response.status_code == 200, response.text
    policies = [p.strip() for p in response.headers["ratelimit-policy"].split(",")]
    assert policies[0].startswith('"requests";q=')
    assert policies[1] == '"articles";q=5;w=300'
    states = [s.strip() for s in response.headers["ratelimit"].split(",")]
    assert states[1] == '"articles";r=4;t=60'
    # Five more do not fit the four left: 429, nothing taken, and the fields say why.
    refused = client.post("/v1/articles:batch", json={"articles": batch["articles"] * 5})
    assert_problem(refused, 429, "CROSSCHECK_BATCH_ARTICLES_PER_MINUTE")
    assert refused.headers["ratelimit"].split(", ")[1].startswith('"articles";r=4;t=')


def test_each_key_has_its_own_budget(limited: TestClient) -> None:
    first, second = ({"X-API-Key": key} for key in KEYS)
    for _ in range(3):
        assert limited.post("/v1/check", json={"text": TOLL_A}, headers=first).status_code == 200
    assert_problem(limited.post("/v1/check", json={"text": TOLL_A}, headers=first), 429)
    assert limited.post("/v1/check", json={"text": TOLL_A}, headers=second).status_code == 200
    # Without a key, the client's address has a budget of its own.
    assert limited.get("/v1/articles").status_code == 200


def test_every_v1_route_is_rate_limited(make_client: ClientFactory) -> None:
    client = make_client(api_keys=KEYS, rate_limit_per_minute=1, rate_limit_burst=1)
    headers = {"X-API-Key": KEYS[0]}
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method in item:
            assert "429" in item[method]["responses"], (method, path)
    client.get("/v1/articles", headers=headers)  # spends the key's only token
    for path, item in spec["paths"].items():
        if path.startswith("/v1/"):
            for method in item:
                concrete = path.replace("{article_id}", "1").replace("{conflict_id}", "1")
                concrete = concrete.replace("{webhook_id}", "1")
                response = client.request(method, concrete, json={}, headers=headers)
                assert_problem(response, 429)


def test_guessing_keys_is_rate_limited_too(limited: TestClient) -> None:
    for _ in range(3):
        assert_problem(limited.post("/v1/check", json={}, headers={"X-API-Key": "guess"}), 401)
    assert_problem(limited.post("/v1/check", json={}, headers={"X-API-Key": "guess"}), 429)


def test_probes_docs_and_metrics_are_not_rate_limited(limited: TestClient) -> None:
    for _ in range(10):
        for path in ("/healthz", "/readyz", "/openapi.json", "/metrics"):
            assert limited.get(path).status_code == 200, path


# --- size limits (CROSSCHECK_MAX_BODY_BYTES and CROSSCHECK_MAX_TEXT_CHARS: test_errors.py) ---


def test_claims_per_article_are_capped(make_client: ClientFactory) -> None:
    client = make_client(max_claims_per_article=2)
    text = " ".join(f"Officials said {n} people were hurt in town {n}." for n in range(3, 9))
    article = post(client, "AFP", text)
    assert article["claim_count"] == 2
    assert [c["position"] for c in article["claims"]] == [0, 1]
    checked = client.post("/v1/check", json={"text": text}).json()
    assert len(checked["claims"]) == 2


def test_conflict_page_size_is_capped(make_client: ClientFactory) -> None:
    client = make_client(max_page_size=1)
    post(client, "AFP", TOLL_A)
    post(client, "RFE/RL", TOLL_A.replace("The UN-hosted negotiations in Geneva are", "Talks are"))
    post(client, "AP", TOLL_B)
    page = client.get("/v1/conflicts", params={"page_size": 100}).json()
    assert len(page["items"]) == 1
    assert page["next_page_token"]


def test_the_default_page_size_applies_without_page_size(make_client: ClientFactory) -> None:
    client = make_client(default_page_size=1)
    post(client, "AFP", "Officials said 3 people were hurt.")
    post(client, "AFP", "Officials said 4 people were hurt.")
    assert len(client.get("/v1/articles").json()["items"]) == 1


@pytest.mark.parametrize(
    ("path", "params", "needle"),
    [
        ("/v1/conflicts", {"q": "x" * 2001}, "q"),
        ("/v1/conflicts", {"q": ""}, "q"),
        ("/v1/conflicts", {"min_gap": -0.1}, "min_gap"),
        ("/v1/conflicts", {"min_gap": 1.5}, "min_gap"),
        ("/v1/conflicts", {"status": "maybe"}, "status"),
        ("/v1/claims/search", {"q": "x" * 2001}, "q"),
        ("/v1/claims/search", {"q": "x", "k": 101}, "k"),
    ],
)
def test_query_limits_are_422(client: TestClient, path: str, params: dict, needle: str) -> None:
    assert_problem(client.get(path, params=params), 422, needle)


@pytest.mark.parametrize(
    "key", ["k" * 201, "has space", "tab\there", "ключ"], ids=["long", "space", "tab", "non-ascii"]
)
def test_idempotency_keys_are_bounded(client: TestClient, key: str) -> None:
    response = client.post(
        "/v1/articles",
        json={"source": "AFP", "text": TOLL_A},
        headers={"Idempotency-Key": key.encode()},
    )
    assert_problem(response, 422, "Idempotency-Key")
    assert client.get("/v1/articles").json()["items"] == []


def test_a_review_note_is_bounded(client: TestClient) -> None:
    post(client, "AFP", TOLL_A)
    post(client, "AP", TOLL_B)
    [conflict] = client.get("/v1/conflicts").json()["items"]
    response = client.patch(
        f"/v1/conflicts/{conflict['id']}", json={"status": "confirmed", "note": "n" * 5001}
    )
    assert_problem(response, 422, "note")


def test_webhooks_are_capped(make_client: ClientFactory) -> None:
    client = make_client(max_webhooks=2)
    for n in range(2):
        created = client.post("/v1/webhooks", json={"url": f"https://93.184.215.14/{n}"})
        assert created.status_code == 201
    problem = assert_problem(
        client.post("/v1/webhooks", json={"url": "https://93.184.215.14/3"}),
        409,
        "CROSSCHECK_MAX_WEBHOOKS",
    )
    assert problem["status"] == 409


def test_webhook_urls_are_bounded(client: TestClient) -> None:
    long_url = "http://127.0.0.1:9/" + "a" * 2100
    assert_problem(client.post("/v1/webhooks", json={"url": long_url}), 422, "url")
    for bad in ("ftp://127.0.0.1/x", "not a url", "javascript:alert(1)"):
        assert_problem(client.post("/v1/webhooks", json={"url": bad}), 422, "url")
