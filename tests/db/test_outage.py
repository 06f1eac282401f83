"""PostgreSQL goes away mid-run and comes back: 503s meanwhile, then recovery without a restart,
and nothing stored before is lost."""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.config import Settings
from app.db.migrate import migrate_database
from app.embeddings import Embedder
from app.main import create_app
from tests.support.api import TOLL_A, TOLL_B, post
from tests.support.databases import postgres_url, restart_postgres, running_postgres, stop_postgres

pytestmark = pytest.mark.backends("postgresql")

PROBLEM = "application/problem+json"


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert "database" in body["detail"].lower()


def test_the_service_rides_out_a_database_outage(embedder: Embedder, backend: str) -> None:
    # A server of its own, durable like a production one: stopping it spares the other tests.
    with running_postgres() as server:
        admin = create_engine(postgres_url(server, "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE crosscheck"))
        admin.dispose()
        url = postgres_url(server, "crosscheck")
        migrate_database(url)
        settings = Settings(database_url=url, db_connect_timeout=2, db_pool_timeout=2)

        with TestClient(create_app(settings, embedder), raise_server_exceptions=False) as client:
            first = post(client, "AFP", TOLL_A)
            assert client.get("/readyz").status_code == 200
            before = client.get(f"/v1/articles/{first['id']}").json()

            stop_postgres(server)

            assert client.get("/healthz").status_code == 200  # alive, just not ready
            not_ready = client.get("/readyz")
            assert not_ready.status_code == 503
            assert not_ready.headers["content-type"] == PROBLEM
            body = {"source": "AP", "text": TOLL_B, "published_at": "2016-03-14"}
            for response in (
                client.post("/v1/articles", json=body),
                client.get("/v1/articles"),
                client.get(f"/v1/articles/{first['id']}"),
                client.delete(f"/v1/articles/{first['id']}"),
                client.get("/v1/conflicts"),
                client.get("/v1/conflicts/1"),
                client.get("/v1/claims/search", params={"q": "war"}),
                client.post("/v1/check", json=body),
            ):
                assert_unavailable(response)

            restart_postgres(server)

            deadline = time.monotonic() + 30
            while client.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "the service did not recover"
                time.sleep(0.2)
            assert client.get(f"/v1/articles/{first['id']}").json() == before
            second = post(client, "AP", TOLL_B)
            assert second["conflict_count"] == 1
            assert len(client.get("/v1/articles").json()["items"]) == 2
            assert len(client.get("/v1/conflicts").json()["items"]) == 1
