"""Two service processes on one database: each sees what the other stored or deleted."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.config import Settings
from app.embeddings import Embedder
from app.main import create_app
from tests.support.api import TOLL_A, TOLL_B
from tests.support.databases import Databases, fresh_database


def test_a_worker_sees_claims_another_worker_stored(
    databases: Databases, embedder: Embedder
) -> None:
    with (
        fresh_database(databases) as url,
        TestClient(create_app(Settings(database_url=url), embedder)) as one,
        TestClient(create_app(Settings(database_url=url), embedder)) as two,
    ):
        # Worker two builds its index before anything is stored.
        assert two.get("/v1/claims/search", params={"q": "war"}).json()["items"] == []
        stored = one.post("/v1/articles", json={"source": "AFP", "text": TOLL_A}).json()

        found = two.post("/v1/check", json={"text": TOLL_B, "source": "AP"}).json()
        assert found["conflict_count"] == 1
        hits = two.get("/v1/claims/search", params={"q": TOLL_A}).json()["items"]
        assert hits[0]["claim"]["id"] == stored["claims"][0]["id"]

        assert one.delete(f"/v1/articles/{stored['id']}").status_code == 204
        assert (
            two.post("/v1/check", json={"text": TOLL_B, "source": "AP"}).json()["conflict_count"]
            == 0
        )
        assert two.get("/v1/claims/search", params={"q": TOLL_A}).json()["items"] == []
