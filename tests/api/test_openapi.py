"""The OpenAPI document a client generator reads: walked live, as a generator would.

Operation ids are stable camel case and unique, tags are described, every response documents
the headers it carries, every 201 documents and returns Location, every request body has an
example that the service accepts, and every problem type resolves to a page.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.openapi import CAMEL_CASE, OPERATION_IDS
from app.problems import PROBLEM_KINDS
from tests.support.api import PROBLEM, TOLL_A, TOLL_B, assert_problem, post

pytestmark = pytest.mark.backends("sqlite")  # the document does not depend on the database

PHRASES = {413: "Content Too Large", 422: "Unprocessable Content"}


def phrase(status: int) -> str:
    return PHRASES.get(status) or HTTPStatus(status).phrase


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_operation_ids_are_camel_case_unique_and_pinned(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids)), sorted(ids)
    assert all(CAMEL_CASE.match(i) for i in ids), [i for i in ids if not CAMEL_CASE.match(i)]
    by_route = {(method, path): op["operationId"] for method, path, op in operations(document)}
    # The ids clients are generated with; changing one is a breaking change.
    assert by_route[("post", "/v1/articles")] == "createArticle"
    assert by_route[("post", "/v1/articles:batch")] == "batchCreateArticles"
    assert by_route[("get", "/v1/articles/{article_id}")] == "getArticle"
    assert by_route[("get", "/v1/conflicts")] == "listConflicts"
    assert by_route[("patch", "/v1/conflicts/{conflict_id}")] == "reviewConflict"
    assert by_route[("post", "/v1/check")] == "checkText"
    assert by_route[("post", "/v1/webhooks")] == "createWebhook"
    assert set(OPERATION_IDS.values()) <= set(ids)


def test_every_tag_is_described(document: dict[str, Any]) -> None:
    described = {tag["name"]: tag.get("description") for tag in document["tags"]}
    assert all(described.values()), described
    used = {tag for _, _, operation in operations(document) for tag in operation["tags"]}
    assert used <= set(described), used - set(described)


def test_every_response_documents_its_headers(document: dict[str, Any]) -> None:
    headers = document["components"]["headers"]
    assert set(headers) >= {
        "X-Request-ID",
        "Retry-After",
        "Location",
        "Idempotent-Replayed",
        "WWW-Authenticate",
        "RateLimit-Policy",
        "RateLimit",
    }
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            documented = set(response.get("headers", {}))
            where = f"{method} {path} {status}"
            assert "X-Request-ID" in documented, where
            if status in ("429", "503"):
                assert "Retry-After" in documented, where
            if status == "401":
                assert "WWW-Authenticate" in documented, where
            if status == "201":
                assert "Location" in documented, where
            limited = "429" in operation["responses"]
            assert ({"RateLimit-Policy", "RateLimit"} <= documented) == limited, where
    create = document["paths"]["/v1/articles"]["post"]["responses"]
    assert "Idempotent-Replayed" in create["201"]["headers"]
    assert "Idempotent-Replayed" in create["200"]["headers"]


def test_errors_are_problems_with_an_example_per_kind(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = response["content"]
            assert list(content) == [PROBLEM], f"{method} {path} {status}"
            for example in content[PROBLEM]["examples"].values():
                value = example["value"]
                assert value["status"] == int(status)
                assert value["title"] == phrase(int(status))
                assert value["type"].startswith("/problems/")


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        body = operation.get("requestBody")
        if body is None:
            continue
        for media, content in body["content"].items():
            assert "example" in content or "examples" in content, f"{method} {path} {media}"


def _example(document: dict[str, Any], path: str, method: str) -> Any:
    return document["paths"][path][method]["requestBody"]["content"]["application/json"]["example"]


def test_the_examples_are_accepted(client: TestClient, document: dict[str, Any]) -> None:
    post(client, "Reuters", TOLL_A)
    assert client.post("/v1/check", json=_example(document, "/v1/check", "post")).is_success
    assert client.post("/v1/compare", json=_example(document, "/v1/compare", "post")).is_success
    article = _example(document, "/v1/articles", "post")
    assert client.post("/v1/articles", json=article).status_code == 201
    batch = client.post("/v1/articles:batch", json=_example(document, "/v1/articles:batch", "post"))
    assert [item["status"] for item in batch.json()["items"]] == [201, 422]
    conflict = client.get("/v1/conflicts").json()["items"][0]
    review = client.patch(
        f"/v1/conflicts/{conflict['id']}",
        json=_example(document, "/v1/conflicts/{conflict_id}", "patch"),
    )
    assert review.status_code == 200, review.text


def created_routes(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method, path)
        for method, path, operation in operations(document)
        if "201" in operation["responses"]
    ]


def test_every_201_route_is_known_to_this_test(document: dict[str, Any]) -> None:
    assert set(created_routes(document)) == {("post", "/v1/articles"), ("post", "/v1/webhooks")}


def test_a_created_article_answers_with_its_location(client: TestClient) -> None:
    response = client.post(
        "/v1/articles", json={"source": "AP", "text": TOLL_B, "published_at": "2016-03-14"}
    )
    assert response.status_code == 201
    location = response.headers["Location"]
    assert location == f"/v1/articles/{response.json()['id']}"
    assert client.get(location).json()["id"] == response.json()["id"]
    # A replay of the 201 names the same place; a 200 (already stored) creates nothing.
    key = {"Idempotency-Key": "k-1"}
    body = {"source": "AFP", "text": TOLL_A}
    first = client.post("/v1/articles", json=body, headers=key)
    replay = client.post("/v1/articles", json=body, headers=key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers["Location"] == first.headers["Location"]
    again = client.post("/v1/articles", json=body)
    assert again.status_code == 200
    assert "Location" not in again.headers


def test_a_created_webhook_answers_with_its_location(
    make_client: Any, document: dict[str, Any]
) -> None:
    # The example's host does not resolve here: a receiver on loopback, allowed by setting.
    client = make_client(webhook_private_networks=["127.0.0.0/8"])
    body = {**_example(document, "/v1/webhooks", "post"), "url": "http://127.0.0.1:9/hook"}
    response = client.post("/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    assert client.get(response.headers["Location"]).status_code == 200


def test_every_problem_type_resolves_to_its_page(
    client: TestClient, document: dict[str, Any]
) -> None:
    types = {
        example["value"]["type"]
        for _, _, operation in operations(document)
        for status, response in operation["responses"].items()
        if int(status) >= 400
        for example in response["content"][PROBLEM]["examples"].values()
    }
    assert types == {kind.type for kind in PROBLEM_KINDS.values()} - {
        "/problems/internal-error",
        "/problems/method-not-allowed",
    }
    for kind in PROBLEM_KINDS.values():
        page = client.get(kind.type)
        assert page.status_code == 200, kind.type
        assert page.headers["content-type"].startswith("text/html")
        assert f"{kind.status} {kind.title}" in page.text
        assert "<script" not in page.text
        assert "http" not in page.text.replace(PROBLEM, "")  # nothing loaded from elsewhere
    assert_problem(client.get("/problems/no-such-kind"), 404, "no-such-kind")


def test_live_problems_carry_their_type_and_the_status_phrase(client: TestClient) -> None:
    cases = [
        (client.get("/v1/articles/999"), 404, "/problems/not-found"),
        (client.get("/v1/nowhere"), 404, "/problems/not-found"),
        (client.post("/v1/articles", json={"source": "AP"}), 422, "/problems/invalid-request"),
        (
            client.post("/v1/articles", content=b"{", headers={"content-type": "application/json"}),
            400,
            "/problems/malformed-request",
        ),
        (client.put("/v1/articles"), 405, "/problems/method-not-allowed"),
        (client.get("/v1/articles?page_token=bogus"), 400, "/problems/malformed-request"),
    ]
    for response, status, problem_type in cases:
        body = assert_problem(response, status)
        assert body["type"] == problem_type, body
        assert body["title"] == phrase(status), body
        assert client.get(body["type"]).status_code == 200
