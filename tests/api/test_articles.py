"""Articles through HTTP: create, idempotent re-post, read, list, paginate, delete."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import TOLL_A, TOLL_B, post
from tests.support.databases import ClientFactory


def test_create_returns_claims_quantities_and_conflicts(client: TestClient) -> None:
    first = post(client, "AFP", TOLL_A, url="https://example.org/a", title="Talks")
    assert first["source"] == "AFP"
    assert first["url"] == "https://example.org/a"
    assert first["title"] == "Talks"
    assert first["published_at"] == "2016-03-14"
    assert first["claim_count"] == 1
    [claim] = first["claims"]
    assert claim["text"] == TOLL_A
    assert TOLL_A[claim["start"] : claim["end"]] == TOLL_A
    assert any("270,000" in q["text"] for q in claim["quantities"])
    assert claim["conflicts"] == []

    second = post(client, "AP", TOLL_B)
    [claim_b] = second["claims"]
    [conflict] = claim_b["conflicts"]
    assert {conflict["a"]["source"], conflict["b"]["source"]} == {"AFP", "AP"}
    assert conflict["id"] is not None
    assert second["conflict_count"] == 1

    # The earlier article now shows the conflict found when the later one arrived.
    again = client.get(f"/v1/articles/{first['id']}").json()
    assert [c["id"] for c in again["claims"][0]["conflicts"]] == [conflict["id"]]


def test_same_article_twice_is_stored_once(client: TestClient) -> None:
    first = post(client, "AFP", TOLL_A, url="https://example.org/a")
    body = {"source": "AFP", "text": TOLL_A, "url": "https://example.org/a"}
    again = client.post("/v1/articles", json={**body, "published_at": "2016-03-14"})
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    # Same text without the url, and with other whitespace, is still the same article.
    spaced = client.post("/v1/articles", json={"source": "AFP", "text": "  " + TOLL_A + "\n"})
    assert spaced.status_code == 200
    assert spaced.json()["id"] == first["id"]
    assert len(client.get("/v1/articles").json()["items"]) == 1


def test_same_text_from_another_source_is_another_article(client: TestClient) -> None:
    first = post(client, "AFP", TOLL_A)
    second = post(client, "Reuters", TOLL_A)
    assert second["id"] != first["id"]
    [claim] = second["claims"]
    assert [m["claim"]["source"] for m in claim["matches"]] == ["AFP"]
    assert claim["matches"][0]["similarity"] > 0.99


def test_same_url_with_other_text_is_a_409(client: TestClient) -> None:
    post(client, "AFP", TOLL_A, url="https://example.org/a")
    response = client.post(
        "/v1/articles",
        json={"source": "AFP", "text": TOLL_B, "url": "https://example.org/a"},
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "DELETE it first" in response.json()["detail"]


def test_get_unknown_article_is_404(client: TestClient) -> None:
    response = client.get("/v1/articles/999")
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no article 999."


def test_list_filters_by_source_and_paginates(client: TestClient) -> None:
    ids = [
        post(client, f"S{i % 2}", f"Officials said {i + 2} people were hurt.")["id"]
        for i in range(5)
    ]
    page = client.get("/v1/articles", params={"page_size": 2}).json()
    assert [a["id"] for a in page["items"]] == ids[::-1][:2]
    seen = [a["id"] for a in page["items"]]
    while page["next_page_token"]:
        page = client.get(
            "/v1/articles", params={"page_size": 2, "page_token": page["next_page_token"]}
        ).json()
        seen += [a["id"] for a in page["items"]]
    assert seen == ids[::-1]
    only = client.get("/v1/articles", params={"source": "S1"}).json()["items"]
    assert [a["id"] for a in only] == [ids[3], ids[1]]
    assert all(a["claim_count"] == 1 for a in only)


def test_page_size_is_capped(make_client: ClientFactory) -> None:
    client = make_client(max_page_size=2)
    for i in range(3):
        post(client, "S", f"Officials said {i + 2} people were hurt.")
    assert len(client.get("/v1/articles", params={"page_size": 50}).json()["items"]) == 2


def test_delete_removes_claims_and_conflicts(client: TestClient) -> None:
    first = post(client, "AFP", TOLL_A)
    second = post(client, "AP", TOLL_B)
    assert len(client.get("/v1/conflicts").json()["items"]) == 1
    assert client.delete(f"/v1/articles/{first['id']}").status_code == 204
    assert client.get(f"/v1/articles/{first['id']}").status_code == 404
    assert client.get("/v1/conflicts").json()["items"] == []
    assert client.get(f"/v1/articles/{second['id']}").json()["claims"][0]["conflicts"] == []
    # The deleted claims are gone from search too.
    hits = client.get("/v1/claims/search", params={"q": TOLL_A}).json()["items"]
    assert [h["claim"]["source"] for h in hits] == ["AP"]
    assert client.delete(f"/v1/articles/{first['id']}").status_code == 404


def test_deleted_article_can_be_posted_again(client: TestClient) -> None:
    first = post(client, "AFP", TOLL_A)
    client.delete(f"/v1/articles/{first['id']}")
    second = post(client, "AFP", TOLL_A)
    assert second["id"] != first["id"]
