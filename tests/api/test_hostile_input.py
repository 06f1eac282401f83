"""Hostile input through HTTP, on both databases: never a 500, always a problem document."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from tests.support.api import assert_problem

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    "raw",
    [
        b'{"source": "A\\u0000B", "text": "The war has killed 5,000 people."}',
        b'{"source": "AB", "text": "The war has killed 5,000 people.\\u0000"}',
        b'{"source": "AB", "text": "The war has killed 5,000 people.", "title": "\\u0000"}',
    ],
    ids=["source", "text", "title"],
)
def test_nul_characters_are_stored_or_refused(client: TestClient, raw: bytes) -> None:
    response = client.post("/v1/articles", content=raw, headers=JSON)
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert_problem(response, 422, "NUL")
        assert client.get("/v1/articles").json()["items"] == []


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/articles", {"source": "a\x00b"}),
        ("/v1/conflicts", {"source": "a\x00b"}),
        ("/v1/conflicts", {"other_source": "\x00"}),
        ("/v1/claims/search", {"q": "killed\x00"}),
    ],
)
def test_nul_characters_in_queries(client: TestClient, path: str, params: dict) -> None:
    response = client.get(path, params=params)
    assert response.status_code in (200, 422), response.text


@pytest.mark.parametrize("field", ["source", "text", "title"])
def test_lone_surrogates_are_422(client: TestClient, field: str) -> None:
    body = {"source": "AB", "text": "The war has killed 5,000 people.", "title": "T"}
    raw = (
        "{"
        + ", ".join(
            f'"{k}": "{v}\\ud800"' if k == field else f'"{k}": "{v}"' for k, v in body.items()
        )
        + "}"
    )
    assert_problem(client.post("/v1/articles", content=raw.encode(), headers=JSON), 422, field)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/articles/99999999999999999999999999",
        "/v1/articles/2147483648",
        "/v1/articles/0",
        "/v1/articles/-1",
        "/v1/conflicts/99999999999999999999999999",
        "/v1/webhooks/99999999999999999999999999",
    ],
)
def test_ids_out_of_range_are_422(client: TestClient, path: str) -> None:
    assert_problem(client.get(path), 422)


def test_huge_numbers_in_text(client: TestClient) -> None:
    for text in (
        "The war has killed " + "9" * 400 + " people.",
        "The deficit reached $" + "9" * 300 + " billion last year.",
        "Officials counted 1e309 votes.",
    ):
        response = client.post("/v1/articles", json={"source": "AB", "text": text})
        assert response.status_code == 201, response.text
        for claim in response.json()["claims"]:
            for quantity in claim["quantities"]:
                assert quantity["value"] == quantity["value"]  # not NaN


@pytest.mark.parametrize("value", [0, 1.5, True, [], {}, "20160314.5", "14 March"])
def test_dates_are_iso_strings_only(client: TestClient, value: object) -> None:
    body = {"source": "AB", "text": "The war has killed 5,000 people.", "published_at": value}
    assert_problem(client.post("/v1/articles", json=body), 422, "published_at")


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-1"])
def test_since_is_an_iso_time_not_a_number(client: TestClient, value: str) -> None:
    assert_problem(client.get("/v1/conflicts", params={"since": value}), 422, "since")


def test_405_names_every_method_of_the_resource(client: TestClient) -> None:
    response = client.put("/v1/articles")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    response = client.put("/v1/conflicts/1")
    assert set(response.headers["allow"].split(", ")) == {"GET", "PATCH"}


@pytest.mark.parametrize(
    "token",
    [
        base64.urlsafe_b64encode(b"[" * 1500).decode(),  # nests past the recursion limit
        base64.urlsafe_b64encode(b'{"id":' * 1000 + b"1" + b"}" * 1000).decode(),
        base64.urlsafe_b64encode(b"[" * 60).decode(),  # short enough, still not a position
        "A" * 10_000,
    ],
    ids=["deep-list", "deep-object", "shallow-list", "huge"],
)
@pytest.mark.parametrize("path", ["/v1/articles", "/v1/conflicts", "/v1/conflicts?order=severity"])
def test_deeply_nested_page_tokens_are_400(client: TestClient, path: str, token: str) -> None:
    assert_problem(client.get(path, params={"page_token": token}), 400, "page_token")
