"""Check without storing, and semantic search."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.api import TOLL_A, TOLL_B, post


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


JETS = (
    "Russia has more than 50 jets and helicopters in Syria and a small ground component "
    "protecting them, along with a number of advisers and special forces operating with the "
    "Syrian military."
)
WARPLANES = (
    "Russia sent over 50 warplanes to carry out thousands of strikes across the Syria arguing "
    "that it was targeting “terrorist” groups including Islamic State jihadists."
)
PULLOUT = (
    "Surovikin later said the military will pull out 23 warplanes, two helicopter gunships, "
    "special forces units, military police, and field engineers."
)


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ((TOLL_A, "2016-03-14"), (TOLL_B, "2016-03-14"), "conflict"),
        ((TOLL_B, "2016-03-14"), (TOLL_A, "2016-03-15"), "conflict"),
        ((JETS, "2016-03-15"), (WARPLANES, "2016-03-14"), "agree"),
        ((PULLOUT, "2017-12-11"), (WARPLANES, "2016-03-14"), "unrelated"),
        ((TOLL_A, "2016-03-14"), (TOLL_A.replace("more than 270,000", "400,000"), None), "agree"),
        ((TOLL_A, "2016-03-14"), ("Tokyo's stock index rose 2% on Monday.", None), "unrelated"),
    ],
)
def test_compare_gives_a_pairwise_verdict(
    client: TestClient, a: tuple[str, str | None], b: tuple[str, str | None], relation: str
) -> None:
    response = client.post(
        "/v1/compare",
        json={
            "a": {"text": a[0], "published_at": a[1]},
            "b": {"text": b[0], "published_at": b[1]},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["relation"] == relation, body["reason"]
    assert body["conflict"] is (relation == "conflict")
    assert body["reason"]
    assert (len(body["conflicts"]) > 0) is (relation == "conflict")
    assert body["a"]["text"] == a[0]
    assert -1 <= body["similarity"] <= 1.0001


def test_compare_explains_the_conflict(client: TestClient) -> None:
    body = client.post(
        "/v1/compare",
        json={"a": {"text": TOLL_A, "published_at": "2016-03-14"}, "b": {"text": TOLL_B}},
    ).json()
    [pair] = body["conflicts"]
    assert pair["a"]["text"].startswith("more than 270,000")
    assert pair["a"]["interval"]["notation"].startswith("(270000")
    assert pair["b"]["text"].startswith("250,000")
    assert pair["rule"]
    assert pair["relative_gap"] > 0
    assert body["a"]["event_from"] == "2016-03-14"


def test_compare_rejects_bad_input(client: TestClient) -> None:
    for body in (
        {"a": {"text": TOLL_A}},
        {"a": {"text": TOLL_A}, "b": {"text": ""}},
        {"a": {"text": TOLL_A}, "b": {"text": TOLL_B, "source": "x"}},
        {"a": {"text": TOLL_A}, "b": {"text": TOLL_B}, "c": {}},
    ):
        response = client.post("/v1/compare", json=body)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
    blank = client.post("/v1/compare", json={"a": {"text": " "}, "b": {"text": TOLL_B}})
    assert blank.status_code == 422
    assert "empty" in blank.json()["detail"]
