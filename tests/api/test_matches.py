"""Match scores in the responses, and people's reviews of matches (PUT /v1/matches/...)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.api import assert_problem, post
from tests.support.databases import ClientFactory

KEY = "a-reviewers-long-random-key"
HEADERS = {"X-API-Key": KEY}
WARPLANES = "Russia sent over 50 warplanes to Syria to carry out air strikes on Monday."
AIRCRAFT = "Russia deployed more than 50 warplanes to Syria for air strikes on Monday."
BANK = "The central bank raised interest rates by a quarter point on Monday."


def test_compare_says_whether_two_claims_match_and_how_likely(client: TestClient) -> None:
    same = client.post("/v1/compare", json={"a": {"text": WARPLANES}, "b": {"text": AIRCRAFT}})
    other = client.post("/v1/compare", json={"a": {"text": WARPLANES}, "b": {"text": BANK}})
    assert same.status_code == other.status_code == 200
    assert same.json()["match"] is True
    assert other.json()["match"] is False
    assert 0.5 <= same.json()["match_score"] <= 1
    assert 0 <= other.json()["match_score"] < 0.2


def test_every_match_carries_its_score(client: TestClient) -> None:
    post(client, "AFP", WARPLANES)
    checked = client.post("/v1/check", json={"text": AIRCRAFT, "source": "TASS"}).json()
    [match] = checked["claims"][0]["matches"]
    assert 0 < match["match_score"] <= 1
    assert match["review"] is None
    stored = post(client, "TASS", AIRCRAFT)
    [match] = stored["claims"][0]["matches"]
    assert match["claim"]["source"] == "AFP"
    assert 0 < match["match_score"] <= 1


@pytest.fixture
def keyed(make_client: ClientFactory) -> TestClient:
    client = make_client(api_keys=[KEY])
    for source, text in (("AFP", WARPLANES), ("TASS", AIRCRAFT), ("Reuters", BANK)):
        response = client.post(
            "/v1/articles",
            json={"source": source, "text": text, "published_at": "2016-03-14"},
            headers=HEADERS,
        )
        assert response.status_code == 201, response.text
    return client


def claim_of(client: TestClient, article_id: int) -> dict[str, Any]:
    [claim] = client.get(f"/v1/articles/{article_id}").json()["claims"]
    return claim  # type: ignore[no-any-return]


def review(client: TestClient, a: int, b: int, status: str, **extra: Any) -> Any:
    return client.put(f"/v1/matches/{a}/{b}", json={"status": status, **extra}, headers=HEADERS)


def test_a_rejected_match_is_never_shown_again(keyed: TestClient) -> None:
    afp, tass = claim_of(keyed, 1), claim_of(keyed, 2)
    assert [m["claim"]["id"] for m in afp["matches"]] == [tass["id"]]
    response = review(keyed, tass["id"], afp["id"], "rejected", note="Different raids.")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["claim_id"], body["other_claim_id"], body["status"]) == (
        tass["id"],
        afp["id"],
        "rejected",
    )
    assert body["reviewed_by"].startswith("key:")
    assert body["note"] == "Different raids."
    assert claim_of(keyed, 1)["matches"] == []
    assert claim_of(keyed, 2)["matches"] == []


def test_a_confirmed_match_is_always_shown(keyed: TestClient) -> None:
    afp, bank = claim_of(keyed, 1), claim_of(keyed, 3)
    assert bank["matches"] == []
    assert review(keyed, afp["id"], bank["id"], "confirmed").status_code == 200
    [shown] = claim_of(keyed, 3)["matches"]
    assert (shown["claim"]["id"], shown["review"]) == (afp["id"], "confirmed")
    assert shown["match_score"] < 0.5
    assert {m["claim"]["id"] for m in claim_of(keyed, 1)["matches"]} == {2, bank["id"]}


def test_a_second_review_replaces_the_first(keyed: TestClient) -> None:
    afp, tass = claim_of(keyed, 1), claim_of(keyed, 2)
    assert review(keyed, afp["id"], tass["id"], "rejected").status_code == 200
    assert claim_of(keyed, 1)["matches"] == []
    assert review(keyed, tass["id"], afp["id"], "confirmed").json()["status"] == "confirmed"
    [shown] = claim_of(keyed, 1)["matches"]
    assert shown["review"] == "confirmed"


def test_reviews_need_a_key_and_two_claims_of_two_sources(keyed: TestClient) -> None:
    afp, tass = claim_of(keyed, 1), claim_of(keyed, 2)
    assert_problem(
        keyed.put(f"/v1/matches/{afp['id']}/{tass['id']}", json={"status": "rejected"}), 401
    )
    assert_problem(review(keyed, afp["id"], 999, "confirmed"), 404, "999")
    assert_problem(review(keyed, afp["id"], afp["id"], "confirmed"), 422, "itself")
    assert_problem(review(keyed, afp["id"], tass["id"], "maybe"), 422)
    second = keyed.post(
        "/v1/articles",
        json={"source": "AFP", "text": AIRCRAFT, "published_at": "2016-03-15"},
        headers=HEADERS,
    ).json()
    [own] = second["claims"]
    assert_problem(review(keyed, afp["id"], own["id"], "confirmed"), 422, "one source")


def test_a_review_goes_with_its_claims(keyed: TestClient) -> None:
    afp, tass = claim_of(keyed, 1), claim_of(keyed, 2)
    assert review(keyed, afp["id"], tass["id"], "rejected").status_code == 200
    assert keyed.delete("/v1/articles/2", headers=HEADERS).status_code == 204
    again = keyed.post(
        "/v1/articles",
        json={"source": "TASS", "text": AIRCRAFT, "published_at": "2016-03-14"},
        headers=HEADERS,
    ).json()
    assert [m["claim"]["id"] for m in again["claims"][0]["matches"]] == [afp["id"]]


@pytest.mark.parametrize(("lexical_neighbours", "matches"), [(0, 1), (5, 2)])
def test_keyword_neighbours_widen_the_claims_compared(
    make_client: ClientFactory, lexical_neighbours: int, matches: int
) -> None:
    client = make_client(neighbours=1, lexical_neighbours=lexical_neighbours)
    post(client, "AFP", WARPLANES)
    post(client, "TASS", AIRCRAFT)
    post(client, "Reuters", BANK)
    body = client.post("/v1/check", json={"text": WARPLANES, "source": "AP"}).json()
    assert body["match_count"] == matches
