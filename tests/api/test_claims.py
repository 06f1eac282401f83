"""Check without storing, and semantic search."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_articles import TOLL_A, TOLL_B, post


def test_check_finds_the_conflict_and_stores_nothing(client: TestClient) -> None:
    post(client, "AFP", TOLL_A)
    response = client.post(
        "/v1/check", json={"text": TOLL_B, "source": "AP", "published_at": "2016-03-14"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conflict_count"] == 1
    [claim] = body["claims"]
    assert claim["id"] is None
    [conflict] = claim["conflicts"]
    assert conflict["id"] is None
    assert conflict["a"]["text"] == TOLL_B
    assert conflict["b"]["source"] == "AFP"
    assert len(client.get("/v1/articles").json()["items"]) == 1
    assert client.get("/v1/conflicts").json()["items"] == []


def test_check_leaves_out_its_own_source(client: TestClient) -> None:
    post(client, "AFP", TOLL_A)
    body = client.post(
        "/v1/check", json={"text": TOLL_B, "source": "AFP", "published_at": "2016-03-14"}
    ).json()
    assert body["conflict_count"] == 0
    assert body["match_count"] == 0


def test_check_of_text_without_claims_is_empty(client: TestClient) -> None:
    body = client.post("/v1/check", json={"text": "Breaking News"}).json()
    assert body == {"claims": [], "match_count": 0, "conflict_count": 0}


def test_search_ranks_by_similarity(client: TestClient) -> None:
    post(client, "AFP", TOLL_A)
    post(client, "Reuters", "The central bank raised interest rates by a quarter point on Tuesday.")
    response = client.get(
        "/v1/claims/search", params={"q": "how many people died in the war", "k": 2}
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["claim"]["source"] for i in items] == ["AFP", "Reuters"]
    assert items[0]["similarity"] > items[1]["similarity"]
    assert items[0]["claim"]["text"] == TOLL_A


def test_search_k_limits_results(client: TestClient) -> None:
    for i in range(3):
        post(client, f"S{i}", f"Officials said {i + 2} people were hurt in the blast.")
    items = client.get("/v1/claims/search", params={"q": "blast", "k": 2}).json()["items"]
    assert len(items) == 2
