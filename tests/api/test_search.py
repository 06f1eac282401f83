"""GET /v1/claims/search: hybrid, semantic and lexical retrieval, the filters, the page tokens,
and what each hit carries."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.api import assert_problem

ARTICLES = [
    ("AFP", "2016-03-14", "Russia sent over 50 warplanes to Syria to carry out air strikes."),
    ("TASS", "2016-03-15", "Moscow deployed more than fifty combat aircraft to the Syrian war."),
    ("AP", "2016-03-16", "The Hmeimim air base near Latakia hosts the Russian jets."),
    ("Reuters", "2016-03-17", "The central bank raised interest rates by a quarter point."),
    ("BBC", "2016-03-18", "Flooding closed the main road to Latakia on Thursday morning."),
]


@pytest.fixture
def store(client: TestClient) -> TestClient:
    for source, published_at, text in ARTICLES:
        response = client.post(
            "/v1/articles",
            json={
                "source": source,
                "text": text,
                "published_at": published_at,
                "title": f"{source} report",
                "url": f"https://{source.lower()}.example/{published_at}",
            },
        )
        assert response.status_code == 201, response.text
    return client


def search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/claims/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def sources(body: dict[str, Any]) -> list[str]:
    return [item["claim"]["source"] for item in body["items"]]


def test_each_hit_has_its_claim_article_and_score_parts(store: TestClient) -> None:
    body = search(store, q="Russian warplanes in Syria", k=3)
    assert body["mode"] == "hybrid"
    first = body["items"][0]
    assert first["claim"]["source"] == "AFP"
    assert first["article"] == {
        "id": first["claim"]["article_id"],
        "source": "AFP",
        "title": "AFP report",
        "url": "https://afp.example/2016-03-14",
        "published_at": "2016-03-14",
    }
    parts = first["score"]
    assert parts["semantic_rank"] == 1
    assert parts["lexical_rank"] == 1
    assert parts["lexical"] > 0
    assert parts["lexical_normalised"] == 1.0
    assert 0 < first["similarity"] <= 1
    scores = [item["score"]["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_lexical_mode_finds_only_claims_sharing_a_word(store: TestClient) -> None:
    body = search(store, q="Latakia", mode="lexical")
    assert sorted(sources(body)) == ["AP", "BBC"]
    assert all(item["score"]["lexical"] > 0 for item in body["items"])


def test_semantic_mode_ranks_by_cosine_alone(store: TestClient) -> None:
    body = search(store, q="fighter planes sent by the Kremlin", mode="semantic", k=5)
    assert len(body["items"]) == 5
    similarities = [item["similarity"] for item in body["items"]]
    assert similarities == sorted(similarities, reverse=True)
    assert [item["score"]["score"] for item in body["items"]] == similarities


def test_filters_by_source_and_dates(store: TestClient) -> None:
    assert sources(search(store, q="Syria air strikes", source="TASS")) == ["TASS"]
    assert "AFP" not in sources(search(store, q="Syria air strikes", exclude_source="AFP", k=10))
    dated = search(store, q="Syria", since="2016-03-15", until="2016-03-17", k=10)
    assert sorted(sources(dated)) == ["AP", "Reuters", "TASS"]
    assert search(store, q="Syria", source="Nobody")["items"] == []


def test_pages_follow_on_until_the_last(store: TestClient) -> None:
    everything = sources(search(store, q="Russian jets in Syria", k=10))
    assert len(everything) == 5
    seen: list[str] = []
    token = None
    for _ in range(5):
        params: dict[str, Any] = {"q": "Russian jets in Syria", "k": 2}
        if token:
            params["page_token"] = token
        page = search(store, **params)
        seen += sources(page)
        token = page["next_page_token"]
        if token is None:
            break
    assert seen == everything


def test_a_page_token_is_bound_to_its_query_mode_and_filters(store: TestClient) -> None:
    token = search(store, q="Syria", k=1)["next_page_token"]
    assert token
    for other in (
        {"q": "Latakia"},
        {"q": "Syria", "mode": "semantic"},
        {"q": "Syria", "source": "AP"},
    ):
        response = store.get("/v1/claims/search", params={**other, "k": 1, "page_token": token})
        assert_problem(response, 400, "page_token")
    assert_problem(
        store.get("/v1/claims/search", params={"q": "Syria", "page_token": "forged.token"}),
        400,
        "page_token",
    )


def test_a_query_of_only_function_words_still_searches_by_meaning(store: TestClient) -> None:
    assert search(store, q="the of and", mode="lexical")["items"] == []
    assert len(search(store, q="the of and", k=2)["items"]) == 2


def test_a_deleted_article_is_no_longer_found(store: TestClient) -> None:
    [hit] = search(store, q="Latakia flooding", source="BBC")["items"]
    assert store.delete(f"/v1/articles/{hit['article']['id']}").status_code == 204
    assert "BBC" not in sources(search(store, q="Latakia flooding", k=10))
    assert "BBC" not in sources(search(store, q="Latakia flooding", mode="lexical", k=10))


def test_unknown_mode_is_a_422(store: TestClient) -> None:
    assert_problem(store.get("/v1/claims/search", params={"q": "x", "mode": "fuzzy"}), 422)
