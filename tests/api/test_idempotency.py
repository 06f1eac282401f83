"""Idempotency-Key on POST /v1/articles: a retry returns the first result and stores nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import TOLL_A, TOLL_B, assert_problem
from tests.support.databases import ClientFactory

BODY = {"source": "AFP", "text": TOLL_A, "published_at": "2016-03-14"}


def test_a_retry_returns_the_first_result(client: TestClient) -> None:
    first = client.post("/v1/articles", json=BODY, headers={"Idempotency-Key": "req-1"})
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    retry = client.post("/v1/articles", json=BODY, headers={"Idempotency-Key": "req-1"})
    assert retry.status_code == 201  # the first status, not the 200 of a plain re-post
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    plain = client.post("/v1/articles", json=BODY)
    assert plain.status_code == 200
    assert len(client.get("/v1/articles").json()["items"]) == 1


def test_the_same_key_with_another_body_is_refused(client: TestClient) -> None:
    client.post("/v1/articles", json=BODY, headers={"Idempotency-Key": "req-2"})
    other = {**BODY, "source": "AP", "text": TOLL_B}
    response = client.post("/v1/articles", json=other, headers={"Idempotency-Key": "req-2"})
    assert_problem(response, 422, "req-2", "another request body")
    # Nothing of the refused request was stored, and no conflict was found with it.
    assert len(client.get("/v1/articles").json()["items"]) == 1
    assert client.get("/v1/conflicts").json()["items"] == []


def test_keys_belong_to_their_caller(make_client: ClientFactory) -> None:
    client = make_client(api_keys=["caller-one-0123456789", "caller-two-0123456789"])
    one = {"X-API-Key": "caller-one-0123456789", "Idempotency-Key": "shared"}
    two = {"X-API-Key": "caller-two-0123456789", "Idempotency-Key": "shared"}
    assert client.post("/v1/articles", json=BODY, headers=one).status_code == 201
    other = {**BODY, "source": "AP", "text": TOLL_B}
    assert client.post("/v1/articles", json=other, headers=two).status_code == 201


def test_a_deleted_article_takes_its_key_with_it(client: TestClient) -> None:
    first = client.post("/v1/articles", json=BODY, headers={"Idempotency-Key": "req-3"}).json()
    assert client.delete(f"/v1/articles/{first['id']}").status_code == 204
    again = client.post("/v1/articles", json=BODY, headers={"Idempotency-Key": "req-3"})
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first["id"]


def test_a_failed_request_does_not_use_up_its_key(client: TestClient) -> None:
    bad = client.post(
        "/v1/articles", json={**BODY, "text": "   "}, headers={"Idempotency-Key": "req-4"}
    )
    assert bad.status_code == 422
    good = client.post("/v1/articles", json=BODY, headers={"Idempotency-Key": "req-4"})
    assert good.status_code == 201
