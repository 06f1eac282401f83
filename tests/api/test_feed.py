"""The conflict feed for other services: filters, a cursor that holds while conflicts arrive,
and a fact-checker's review."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.pagination import PageScope, PageTokens
from tests.support.api import BBC, RFE, TOLL_A, TOLL_B, assert_problem, post


def sources(item: dict) -> set[str]:
    return {item["a"]["source"], item["b"]["source"]}


def feed(client: TestClient, **params: Any) -> list[dict]:
    response = client.get("/v1/conflicts", params=params)
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


@pytest.fixture
def three(client: TestClient) -> TestClient:
    """Three conflicts: RFE/RL-AP and AFP-AP (gap 6%), AP-BBC (gap 33%)."""
    post(client, "AFP", TOLL_A)
    post(client, "RFE/RL", RFE)
    post(client, "AP", TOLL_B)
    post(client, "BBC", BBC)
    assert sorted(sorted(sources(c)) for c in feed(client)) == [
        ["AFP", "AP"],
        ["AP", "BBC"],
        ["AP", "RFE/RL"],
    ]
    return client


def test_source_and_other_source(three: TestClient) -> None:
    assert [sources(c) for c in feed(three, source="AP", other_source="BBC")] == [{"AP", "BBC"}]
    assert [sources(c) for c in feed(three, source="BBC", other_source="AP")] == [{"AP", "BBC"}]
    assert [sources(c) for c in feed(three, source="AFP", other_source="AP")] == [{"AFP", "AP"}]
    assert feed(three, source="AFP", other_source="BBC") == []
    assert feed(three, source="AFP", other_source="RFE/RL") == []
    assert [sources(c) for c in feed(three, other_source="BBC")] == [{"AP", "BBC"}]
    assert len(feed(three, source="AP")) == 3
    assert feed(three, other_source="Nobody") == []


def test_min_gap(three: TestClient) -> None:
    wide = feed(three, min_gap=0.1)
    assert [sources(c) for c in wide] == [{"AP", "BBC"}]
    assert wide[0]["relative_gap"] >= 0.1
    assert len(feed(three, min_gap=0)) == 3
    assert feed(three, min_gap=1) == []


def test_semantic_query(three: TestClient) -> None:
    assert len(feed(three, q="death toll of the conflict")) == 3
    assert feed(three, q="stock market index closed higher") == []
    narrowed = feed(three, q="death toll of the conflict", source="BBC")
    assert [sources(c) for c in narrowed] == [{"AP", "BBC"}]


def test_filters_combine_with_paging(three: TestClient) -> None:
    first = three.get("/v1/conflicts", params={"source": "AP", "page_size": 2}).json()
    rest = three.get(
        "/v1/conflicts",
        params={"source": "AP", "page_size": 2, "page_token": first["next_page_token"]},
    ).json()
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 1
    assert rest["next_page_token"] is None


def test_newest_first_paging_holds_while_conflicts_arrive(client: TestClient) -> None:
    post(client, "AFP", TOLL_A)
    post(client, "RFE/RL", RFE)
    post(client, "AP", TOLL_B)
    first = client.get("/v1/conflicts", params={"page_size": 1}).json()
    post(client, "BBC", BBC)  # a new conflict arrives between two pages
    second = client.get(
        "/v1/conflicts", params={"page_size": 1, "page_token": first["next_page_token"]}
    ).json()
    seen = [c["id"] for c in first["items"] + second["items"]]
    assert len(set(seen)) == 2
    assert seen == sorted(seen, reverse=True)
    assert second["next_page_token"] is None  # the new one is ahead of the cursor, not in it


def test_following_the_feed_oldest_first(client: TestClient) -> None:
    empty = client.get("/v1/conflicts", params={"order": "oldest"}).json()
    assert empty["items"] == []
    assert empty["next_page_token"] is None  # nothing more to page
    assert empty["follow_token"]  # but a place to follow from: the start
    post(client, "AFP", TOLL_A)
    post(client, "RFE/RL", RFE)
    post(client, "AP", TOLL_B)

    # Paging until next_page_token is null stops, in this order too.
    seen: list[int] = []
    token = None
    for _ in range(10):
        params = {"order": "oldest", "page_size": 1, **({"page_token": token} if token else {})}
        page = client.get("/v1/conflicts", params=params).json()
        seen += [c["id"] for c in page["items"]]
        follow = page["follow_token"]
        token = page["next_page_token"]
        if token is None:
            break
    assert token is None
    assert seen == sorted(seen)
    assert len(seen) == 2

    # Following: the last follow_token gives nothing until a conflict arrives, and keeps its
    # place; then exactly the new one.
    caught_up = client.get("/v1/conflicts", params={"order": "oldest", "page_token": follow})
    assert caught_up.json() == {"items": [], "next_page_token": None, "follow_token": follow}
    post(client, "BBC", BBC)
    later = client.get("/v1/conflicts", params={"order": "oldest", "page_token": follow}).json()
    assert [sources(c) for c in later["items"]] == [{"AP", "BBC"}]
    assert later["items"][0]["id"] > seen[-1]
    assert later["follow_token"] != follow
    # The empty feed's follow_token was the start: everything since.
    everything = client.get(
        "/v1/conflicts", params={"order": "oldest", "page_token": empty["follow_token"]}
    ).json()
    assert len(everything["items"]) == 3
    # Other orders page only.
    assert client.get("/v1/conflicts").json()["follow_token"] is None


def signed(client: TestClient, order: str, position: dict) -> str:
    """A token with a valid signature over a forged position (as if the key had leaked)."""
    filters = dict.fromkeys(("source", "other_source", "since", "min_gap", "q", "status"))
    scope = PageScope("GET /v1/conflicts", order, filters)
    tokens: PageTokens = client.app.state.page_tokens  # type: ignore[attr-defined]
    return tokens.issue(scope, position)


@pytest.mark.parametrize(
    ("order", "position"),
    [
        ("newest", {"id": "1; DROP TABLE conflicts"}),
        ("newest", {"id": None}),
        ("newest", {"id": True}),
        ("newest", {"id": 10**30}),
        ("oldest", {"id": [1]}),
        ("severity", {"id": 1, "severity": "high"}),
        ("severity", {"id": 1, "severity": 1e400}),
        ("severity", {"id": 1}),
    ],
)
def test_signed_tokens_with_forged_positions_are_400(
    client: TestClient, order: str, position: dict
) -> None:
    params = {"order": order, "page_token": signed(client, order, position)}
    assert_problem(client.get("/v1/conflicts", params=params), 400, "page_token")


def unsigned(position: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def test_a_tampered_token_is_400_and_says_so(three: TestClient) -> None:
    first = three.get("/v1/conflicts", params={"page_size": 1}).json()
    token = first["next_page_token"]
    body, _, mac = token.partition(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["p"]["id"] += 1  # skip ahead, keeping the signature
    moved = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    flipped = ("A" if mac[0] != "A" else "B") + mac[1:]  # the first character: all 6 bits count
    for bad in (f"{moved}.{mac}", f"{body}.{flipped}"):
        assert_problem(
            three.get("/v1/conflicts", params={"page_size": 1, "page_token": bad}),
            400,
            "altered",
        )
    for bad in (unsigned({"id": 3}), body, "x.y.z", "é.é"):
        assert_problem(
            three.get("/v1/conflicts", params={"page_token": bad}), 400, "not one this service"
        )
    # the token itself still works
    second = three.get("/v1/conflicts", params={"page_size": 1, "page_token": token})
    assert second.status_code == 200


def test_a_token_is_bound_to_its_filters_order_and_endpoint(three: TestClient) -> None:
    first = three.get("/v1/conflicts", params={"source": "AP", "page_size": 1}).json()
    token = first["next_page_token"]
    assert token
    ok = three.get("/v1/conflicts", params={"source": "AP", "page_size": 1, "page_token": token})
    assert ok.status_code == 200
    for other in ({"source": "BBC"}, {}, {"source": "AP", "min_gap": 0.1}, {"other_source": "AP"}):
        assert_problem(
            three.get("/v1/conflicts", params={**other, "page_token": token}),
            400,
            "other filters",
            "same filters as for the first page",
        )
    assert_problem(
        three.get(
            "/v1/conflicts", params={"source": "AP", "order": "severity", "page_token": token}
        ),
        400,
        "order=newest, not order=severity",
    )
    assert_problem(
        three.get("/v1/articles", params={"source": "AP", "page_token": token}),
        400,
        "issued by GET /v1/conflicts, not by GET /v1/articles",
    )
    articles = three.get("/v1/articles", params={"page_size": 1}).json()["next_page_token"]
    assert_problem(
        three.get("/v1/articles", params={"source": "AP", "page_token": articles}),
        400,
        "other filters",
    )
    assert three.get("/v1/articles", params={"page_token": articles}).status_code == 200


def test_review_a_conflict(three: TestClient) -> None:
    conflict = feed(three, source="BBC")[0]
    url = f"/v1/conflicts/{conflict['id']}"
    reviewed = three.patch(url, json={"status": "confirmed", "note": "AP is behind."})
    assert reviewed.status_code == 200, reviewed.text
    body = reviewed.json()
    assert body["status"] == "confirmed"
    assert body["note"] == "AP is behind."
    assert body["reviewed_at"]
    assert three.get(url).json() == body
    # Everything else about the conflict is unchanged.
    fields = ("a", "b", "measure", "rule", "reason", "severity", "relative_gap", "created_at")
    assert {k: body[k] for k in fields} == {k: conflict[k] for k in fields}

    assert [c["id"] for c in feed(three, status="confirmed")] == [conflict["id"]]
    assert len(feed(three, status="new")) == 2
    assert feed(three, status="dismissed") == []

    kept = three.patch(url, json={"status": "dismissed"}).json()
    assert kept["note"] == "AP is behind."  # omitted: kept
    assert kept["status"] == "dismissed"
    cleared = three.patch(url, json={"status": "new", "note": None}).json()
    assert cleared["note"] is None
    assert cleared["status"] == "new"
    assert len(feed(three, status="new")) == 3
    # Every review is kept, oldest first, with who made it (no keys: the client's address).
    history = three.get(url).json()["history"]
    assert [(r["status"], r["note"]) for r in history] == [
        ("confirmed", "AP is behind."),
        ("dismissed", "AP is behind."),
        ("new", None),
    ]
    assert {r["reviewer"] for r in history} == {"addr:testclient"}
    assert cleared["reviewer"] == "addr:testclient"
    assert [c.get("history") for c in feed(three)] == [None, None, None]


def test_review_errors(three: TestClient) -> None:
    conflict_id = feed(three)[0]["id"]
    assert_problem(three.patch("/v1/conflicts/999", json={"status": "confirmed"}), 404, "999")
    assert_problem(three.patch(f"/v1/conflicts/{conflict_id}", json={"status": "true"}), 422)
    assert_problem(three.patch(f"/v1/conflicts/{conflict_id}", json={}), 422, "status")
    assert_problem(three.patch(f"/v1/conflicts/{conflict_id}", json={"note": "x"}), 422)
    assert feed(three, status="new") == feed(three)
