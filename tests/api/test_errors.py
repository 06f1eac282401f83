"""Bad input: RFC 9457 problem details with the right status, and nothing stored harmed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.api import PROBLEM, TOLL_A, assert_problem, post
from tests.support.databases import ClientFactory


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"source": "AFP", "text": ""}, "text"),
        ({"source": "AFP", "text": "   \n "}, "text is empty"),
        ({"source": "", "text": TOLL_A}, "source"),
        ({"source": "   ", "text": TOLL_A}, "source is blank"),
        ({"text": TOLL_A}, "source"),
        ({"source": "AFP"}, "text"),
        ({"source": "AFP", "text": TOLL_A, "author": "x"}, "unknown field"),
        ({"source": "AFP", "text": TOLL_A, "id": 7}, "unknown field"),
        ({"source": "AFP", "text": TOLL_A, "published_at": "14/03/2016"}, "published_at"),
        ({"source": "AFP", "text": TOLL_A, "published_at": "2016-02-30"}, "published_at"),
        ({"source": "AFP", "text": TOLL_A, "url": "not a url"}, "url"),
        ({"source": "AFP", "text": 42}, "text"),
    ],
)
def test_invalid_article_is_422(client: TestClient, body: dict, needle: str) -> None:
    problem = assert_problem(client.post("/v1/articles", json=body), 422, needle)
    assert problem["instance"] == "/v1/articles"


def test_validation_problem_lists_each_field(client: TestClient) -> None:
    body = {"source": "AFP", "text": TOLL_A, "author": "x", "published_at": "yesterday"}
    problem = assert_problem(client.post("/v1/articles", json=body), 422)
    locations = {tuple(error["location"]) for error in problem["errors"]}
    assert locations == {("body", "author"), ("body", "published_at")}


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/articles",
        content=b'{"source": "AFP", "text": ',
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 400, "not valid JSON")


def test_text_over_the_limit_is_422_and_says_the_limit(make_client: ClientFactory) -> None:
    client = make_client(max_text_chars=100)
    assert_problem(
        client.post("/v1/articles", json={"source": "AFP", "text": "a" * 101}),
        422,
        "limit is 100",
        "CROSSCHECK_MAX_TEXT_CHARS",
    )
    assert_problem(client.post("/v1/check", json={"text": "a" * 101}), 422, "limit is 100")


def test_body_over_the_limit_is_413(make_client: ClientFactory) -> None:
    client = make_client(max_body_bytes=2048)
    response = client.post("/v1/articles", json={"source": "AFP", "text": "word " * 1000})
    assert_problem(response, 413, "2048 bytes")


def test_chunked_body_over_the_limit_is_413(make_client: ClientFactory) -> None:
    client = make_client(max_body_bytes=2048)

    def chunks():  # no Content-Length: the limit must count the streamed bytes
        yield b'{"source": "AFP", "text": "'
        for _ in range(100):
            yield b"word " * 10
        yield b'"}'

    response = client.post(
        "/v1/articles", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "2048 bytes")


@pytest.mark.parametrize("path", ["/v1/articles/12345", "/v1/conflicts/12345"])
def test_unknown_ids_are_404(client: TestClient, path: str) -> None:
    assert_problem(client.get(path), 404, "12345")


def test_delete_unknown_article_is_404(client: TestClient) -> None:
    assert_problem(client.delete("/v1/articles/12345"), 404, "12345")


def test_non_numeric_id_is_422(client: TestClient) -> None:
    assert_problem(client.get("/v1/articles/abc"), 422, "article_id")


def test_unknown_route_is_a_problem_too(client: TestClient) -> None:
    assert_problem(client.get("/v2/nothing"), 404, "/docs")


@pytest.mark.parametrize("path", ["/v1/articles", "/v1/conflicts"])
def test_forged_page_token_is_400(client: TestClient, path: str) -> None:
    assert_problem(client.get(path, params={"page_token": "bm9wZQ"}), 400, "page_token")
    assert_problem(client.get(path, params={"page_token": "%%%"}), 400, "page_token")


@pytest.mark.parametrize(
    ("params", "needle"),
    [({"page_size": 0}, "page_size"), ({"since": "last week"}, "since"), ({"order": "x"}, "order")],
)
def test_bad_feed_parameters_are_422(client: TestClient, params: dict, needle: str) -> None:
    assert_problem(client.get("/v1/conflicts", params=params), 422, needle)


def test_search_needs_a_query(client: TestClient) -> None:
    assert_problem(client.get("/v1/claims/search"), 422, "q")
    assert_problem(client.get("/v1/claims/search", params={"q": "x", "k": 0}), 422, "k")
    assert_problem(client.get("/v1/claims/search", params={"q": "   "}), 422, "q is empty")


def test_check_rejects_unknown_fields_and_empty_text(client: TestClient) -> None:
    assert_problem(client.post("/v1/check", json={"text": TOLL_A, "x": 1}), 422, "unknown field")
    assert_problem(client.post("/v1/check", json={"text": ""}), 422, "text")


def test_failed_requests_leave_the_store_intact(make_client: ClientFactory) -> None:
    client = make_client(max_body_bytes=4096)
    first = post(client, "AFP", TOLL_A, url="https://example.org/a")
    before = client.get(f"/v1/articles/{first['id']}").json()
    client.post("/v1/articles", json={"source": "AFP", "text": "x" * 5000})
    client.post(
        "/v1/articles",
        json={"source": "AFP", "text": "Other text here.", "url": "https://example.org/a"},
    )
    client.post("/v1/articles", json={"source": "AFP", "text": TOLL_A, "bogus": True})
    client.delete("/v1/articles/999")
    assert client.get(f"/v1/articles/{first['id']}").json() == before
    assert len(client.get("/v1/articles").json()["items"]) == 1


def test_every_route_documents_its_error_statuses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    expected = {
        ("/v1/articles", "post"): {"200", "201", "400", "409", "413", "422"},
        ("/v1/articles", "get"): {"200", "400", "422"},
        ("/v1/articles/{article_id}", "get"): {"200", "404", "422"},
        ("/v1/articles/{article_id}", "delete"): {"204", "404", "422"},
        ("/v1/check", "post"): {"200", "400", "413", "422"},
        ("/v1/claims/search", "get"): {"200", "422"},
        ("/v1/conflicts", "get"): {"200", "400", "422"},
        ("/v1/conflicts/{conflict_id}", "get"): {"200", "404", "422"},
        ("/readyz", "get"): {"200", "503"},
        ("/v1/conflicts/{conflict_id}", "patch"): {"200", "401", "404", "422", "429"},
        ("/v1/webhooks", "post"): {"201", "401", "409", "422", "429"},
        ("/v1/webhooks", "get"): {"200", "401", "429"},
        ("/v1/webhooks/{webhook_id}", "get"): {"200", "401", "404", "422", "429"},
        ("/v1/webhooks/{webhook_id}", "delete"): {"204", "401", "404", "422", "429"},
        ("/v1/webhooks/{webhook_id}/deliveries", "get"): {"200", "400", "401", "404", "422"},
        ("/v1/webhooks/{webhook_id}/redeliver", "post"): {"200", "401", "404", "422", "429"},
    }
    for (path, method), statuses in expected.items():
        documented = set(spec["paths"][path][method]["responses"])
        assert statuses <= documented, (path, method, documented)
        for status in documented - {"200", "201", "204"}:
            content = spec["paths"][path][method]["responses"][status]["content"]
            assert list(content) == [PROBLEM], (path, method, status)
