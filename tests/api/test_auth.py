"""API keys: every write route refuses a missing or wrong key, reads are open unless a setting
closes them, and fields the server sets are never taken from a client."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.security import key_fingerprint, key_is_known
from tests.support.api import TOLL_A, TOLL_B, assert_problem
from tests.support.databases import ClientFactory

KEYS = ["key-one-0123456789abcdef", "key-two-fedcba9876543210"]
WRITE = {"post", "put", "patch", "delete"}
OPEN_PATHS = {"/healthz", "/readyz", "/problems/{slug}"}  # the problem pages are documentation


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def operations(client: TestClient) -> list[tuple[str, str]]:
    spec = client.get("/openapi.json").json()
    return [(method, path) for path, item in spec["paths"].items() for method in item]


@pytest.fixture
def keyed(make_client: ClientFactory) -> TestClient:
    return make_client(api_keys=KEYS)


def test_every_write_route_needs_a_key(keyed: TestClient) -> None:
    writes = [(m, p) for m, p in operations(keyed) if m in WRITE]
    assert {p for _, p in writes} >= {
        "/v1/articles",
        "/v1/articles/{article_id}",
        "/v1/check",
        "/v1/compare",
        "/v1/conflicts/{conflict_id}",
        "/v1/webhooks",
        "/v1/webhooks/{webhook_id}",
        "/v1/webhooks/{webhook_id}/redeliver",
    }
    for method, path in writes:
        for headers in ({}, {"X-API-Key": "not-a-key"}, {"X-API-Key": KEYS[0][:-1]}):
            response = keyed.request(method, concrete(path), json={}, headers=headers)
            problem = assert_problem(response, 401, "X-API-Key")
            assert response.headers["www-authenticate"].startswith("APIKey")
            assert problem["instance"] == concrete(path)


@pytest.mark.parametrize("key", KEYS)
def test_each_configured_key_writes(keyed: TestClient, key: str) -> None:
    headers = {"X-API-Key": key}
    created = keyed.post("/v1/articles", json={"source": "AFP", "text": TOLL_A}, headers=headers)
    assert created.status_code == 201, created.text
    article_id = created.json()["id"]
    checked = keyed.post("/v1/check", json={"text": TOLL_B}, headers=headers)
    assert checked.status_code == 200
    assert keyed.delete(f"/v1/articles/{article_id}", headers=headers).status_code == 204


def test_a_refused_write_stores_nothing(keyed: TestClient) -> None:
    keyed.post("/v1/articles", json={"source": "AFP", "text": TOLL_A})
    keyed.post("/v1/articles", json={"source": "AFP", "text": TOLL_A}, headers={"X-API-Key": "x"})
    assert keyed.get("/v1/articles").json()["items"] == []


def test_reads_are_open_by_default(keyed: TestClient) -> None:
    for method, path in operations(keyed):
        if method == "get" and "{" not in path and "webhooks" not in path:
            response = keyed.get(path, params={"q": "x"} if "search" in path else None)
            assert response.status_code == 200, (path, response.text)


def test_webhook_routes_need_a_key_even_to_read(keyed: TestClient) -> None:
    for path in ("/v1/webhooks", "/v1/webhooks/1", "/v1/webhooks/1/deliveries"):
        assert_problem(keyed.get(path), 401)
    listed = keyed.get("/v1/webhooks", headers={"X-API-Key": KEYS[1]})
    assert listed.status_code == 200


def test_reads_can_be_closed(make_client: ClientFactory) -> None:
    client = make_client(api_keys=KEYS, require_key_for_reads=True)
    for method, path in operations(client):
        if method != "get" or path in OPEN_PATHS:
            continue
        assert_problem(client.get(concrete(path)), 401)
    headers = {"X-API-Key": KEYS[0]}
    assert client.get("/v1/conflicts", headers=headers).status_code == 200
    assert client.get("/metrics", headers=headers).status_code == 200
    for path in ("/healthz", "/readyz", "/docs", "/openapi.json"):
        assert client.get(path).status_code == 200, path


def test_the_openapi_document_says_which_operations_need_the_key(
    make_client: ClientFactory,
) -> None:
    open_reads = make_client(api_keys=KEYS).get("/openapi.json").json()
    closed = make_client(api_keys=KEYS, require_key_for_reads=True).get("/openapi.json").json()
    for spec in (open_reads, closed):
        assert spec["components"]["securitySchemes"]["APIKey"] == {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "One of the keys in the setting CROSSCHECK_API_KEYS.",
        }
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                if method in WRITE:
                    assert operation["security"] == [{"APIKey": []}], (method, path)
                    assert "401" in operation["responses"]
    conflicts_open = open_reads["paths"]["/v1/conflicts"]["get"]
    conflicts_closed = closed["paths"]["/v1/conflicts"]["get"]
    assert "security" not in conflicts_open
    assert "401" not in conflicts_open["responses"]
    assert conflicts_closed["security"] == [{"APIKey": []}]
    assert "401" in conflicts_closed["responses"]
    assert "security" not in closed["paths"]["/healthz"]["get"]


def test_without_keys_writes_are_open_and_start_up_warns(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="crosscheck"):
        client = make_client()
    assert any("No API keys configured" in r.getMessage() for r in caplog.records)
    response = client.post("/v1/articles", json={"source": "AFP", "text": TOLL_A})
    assert response.status_code == 201
    # A key sent to a service without keys is simply not needed.
    again = client.post(
        "/v1/articles", json={"source": "AP", "text": TOLL_B}, headers={"X-API-Key": "anything"}
    )
    assert again.status_code == 201


def test_the_service_refuses_to_start_without_keys_when_told(tmp_path: object) -> None:
    settings = Settings(database_url="sqlite:///:memory:", require_api_keys=True)
    with (
        pytest.raises(RuntimeError, match="CROSSCHECK_API_KEYS"),
        TestClient(create_app(settings, embedder=_NoModel())),
    ):
        pass


def test_an_empty_key_is_refused_at_start_up() -> None:
    settings = Settings(database_url="sqlite:///:memory:", api_keys=["good-key", " "])
    with (
        pytest.raises(RuntimeError, match="empty key"),
        TestClient(create_app(settings, embedder=_NoModel())),
    ):
        pass


class _NoModel:
    name = "none"
    dimension = 384

    def encode(self, texts: object) -> object:
        raise AssertionError("not used")


def test_keys_are_compared_whole() -> None:
    keys = ["abc123", "ünïcödé-key"]
    assert key_is_known("abc123", keys)
    assert key_is_known("ünïcödé-key", keys)
    for wrong in ("abc12", "abc1234", "ABC123", "", " abc123", "abc123\x00"):
        assert not key_is_known(wrong, keys)
    assert not key_is_known("abc123", [])
    assert key_fingerprint("abc123") == key_fingerprint("abc123") != key_fingerprint("abc124")
    assert "abc123" not in key_fingerprint("abc123")


def test_keys_never_appear_in_settings_repr() -> None:
    assert KEYS[0] not in repr(Settings(api_keys=KEYS))


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/articles", {"source": "AFP", "text": TOLL_A, "id": 5}),
        ("/v1/articles", {"source": "AFP", "text": TOLL_A, "created_at": "2020-01-01T00:00:00Z"}),
        ("/v1/articles", {"source": "AFP", "text": TOLL_A, "claim_count": 3}),
        ("/v1/articles", {"source": "AFP", "text": TOLL_A, "claims": []}),
        ("/v1/check", {"text": TOLL_A, "conflict_count": 0}),
        ("/v1/webhooks", {"url": "http://127.0.0.1:9/x", "secret": "mine"}),
        ("/v1/webhooks", {"url": "http://127.0.0.1:9/x", "id": 1}),
    ],
)
def test_server_set_fields_are_refused(keyed: TestClient, path: str, body: dict) -> None:
    response = keyed.post(path, json=body, headers={"X-API-Key": KEYS[0]})
    assert_problem(response, 422, "unknown field")


def test_a_review_cannot_set_server_fields(keyed: TestClient) -> None:
    headers = {"X-API-Key": KEYS[0]}
    keyed.post("/v1/articles", json={"source": "AFP", "text": TOLL_A}, headers=headers)
    keyed.post("/v1/articles", json={"source": "AP", "text": TOLL_B}, headers=headers)
    [conflict] = keyed.get("/v1/conflicts").json()["items"]
    for field, value in [
        ("reviewed_at", "2020-01-01T00:00:00Z"),
        ("severity", 1.0),
        ("id", 99),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("reviewer", "someone-else"),
        ("history", []),
    ]:
        response = keyed.patch(
            f"/v1/conflicts/{conflict['id']}",
            json={"status": "confirmed", field: value},
            headers=headers,
        )
        assert_problem(response, 422, "unknown field")
    one = keyed.get(f"/v1/conflicts/{conflict['id']}").json()
    assert one["history"] == []  # no review was made
    assert conflict["history"] is None  # the feed's items leave the history out
    assert {**one, "history": None} == conflict


def test_named_keys_sign_their_reviews(make_client: ClientFactory) -> None:
    """CROSSCHECK_API_KEYS as {name: key}: the name is who reviewed; the list form names a
    key by its fingerprint, as it was logged before names."""
    named = make_client(api_keys={"alice": "alice-key-0123456789", "bob": "bob-key-0123456789"})
    named.post("/v1/articles", json={"source": "AFP", "text": TOLL_A}, headers=_key("alice"))
    named.post("/v1/articles", json={"source": "AP", "text": TOLL_B}, headers=_key("alice"))
    [conflict] = named.get("/v1/conflicts").json()["items"]
    url = f"/v1/conflicts/{conflict['id']}"
    named.patch(url, json={"status": "confirmed", "note": "AP lags."}, headers=_key("alice"))
    body = named.patch(url, json={"status": "dismissed"}, headers=_key("bob")).json()
    assert body["reviewer"] == "bob"
    assert [(r["reviewer"], r["status"], r["note"]) for r in body["history"]] == [
        ("alice", "confirmed", "AP lags."),
        ("bob", "dismissed", "AP lags."),
    ]
    assert named.get(url).json()["history"] == body["history"]
    assert_problem(
        named.patch(url, json={"status": "new"}, headers={"X-API-Key": "alice"}), 401, "key"
    )

    listed = make_client(api_keys=["plain-key-0123456789"])
    assert Settings(api_keys=["plain-key-0123456789"]).access.api_keys == {
        key_fingerprint("plain-key-0123456789"): "plain-key-0123456789"
    }
    assert listed.get("/v1/conflicts").status_code == 200


def _key(name: str) -> dict[str, str]:
    return {"X-API-Key": f"{name}-key-0123456789"}


@pytest.mark.parametrize(
    ("keys", "needle"),
    [({"": "a-key-0123456789"}, "name"), ({"x" * 65: "a-key-0123456789"}, "name")],
)
def test_key_names_must_fit(keys: dict[str, str], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        Settings(api_keys=keys)


def test_named_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_API_KEYS", '{"alice": "alice-key-0123456789"}')
    assert Settings().access.api_keys == {"alice": "alice-key-0123456789"}
    monkeypatch.setenv("CROSSCHECK_API_KEYS", '["one-key-0123456789"]')
    assert list(Settings().access.api_keys.values()) == ["one-key-0123456789"]
