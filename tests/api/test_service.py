"""Health, readiness, the conflict feed, and the offline docs pages."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from app.config import Settings
from app.db import session as session_module
from app.embeddings import Embedder
from app.main import create_app
from app.problems import is_disk_full
from tests.support.api import TOLL_A, TOLL_B, assert_problem, post


def test_healthz_and_readyz(client: TestClient, backend: str) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["database"] == backend


def test_readyz_is_503_when_the_database_is_gone(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    engine.dispose()
    client.app.state.engine = __import__("sqlalchemy").create_engine(  # type: ignore[attr-defined]
        "sqlite:////nonexistent-dir/x.db"
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


def test_readyz_is_503_when_the_database_cannot_be_written(
    client: TestClient, backend: str
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    read_only = (
        "PRAGMA query_only=ON"
        if backend == "sqlite"
        else ("SET default_transaction_read_only = on")
    )

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(read_only)
        cursor.close()
        if backend == "postgresql":
            dbapi_connection.commit()

    engine.dispose()  # every connection from now on is read-only
    try:
        response = client.get("/readyz")
        problem = assert_problem(response, 503, "cannot be written")
        assert "read" in problem["detail"].lower()  # the driver's reason: read-only
        assert client.get("/v1/conflicts").status_code == 200  # reads still work
    finally:
        event.remove(engine, "connect", _read_only)
        engine.dispose()
    assert client.get("/readyz").status_code == 200


@pytest.mark.backends("sqlite")
def test_readyz_is_503_when_the_disk_is_full(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = shutil.disk_usage
    monkeypatch.setattr(
        session_module.shutil,
        "disk_usage",
        lambda path: real(path)._replace(free=10 * 1024 * 1024),
    )
    assert_problem(
        client.get("/readyz"),
        503,
        "disk holding the database is full",
        "10 MB free",
        "CROSSCHECK_DB_MIN_FREE_MB",
    )
    monkeypatch.undo()
    assert client.get("/readyz").status_code == 200


def test_a_full_disk_is_named_in_the_503() -> None:
    full = OperationalError("INSERT ...", {}, sqlite3.OperationalError("database or disk is full"))
    assert is_disk_full(full)
    assert not is_disk_full(
        OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))
    )


def test_conflict_feed_filters_and_paginates(client: TestClient) -> None:
    post(client, "AFP", TOLL_A)
    post(client, "RFE/RL", TOLL_A.replace("The UN-hosted negotiations in Geneva are", "Talks are"))
    post(client, "AP", TOLL_B)
    feed = client.get("/v1/conflicts").json()
    assert len(feed["items"]) == 2
    assert feed["next_page_token"] is None

    first = client.get("/v1/conflicts", params={"page_size": 1}).json()
    second = client.get(
        "/v1/conflicts", params={"page_size": 1, "page_token": first["next_page_token"]}
    ).json()
    assert [c["id"] for c in first["items"] + second["items"]] == [c["id"] for c in feed["items"]]
    assert second["next_page_token"] is None

    by_severity = client.get("/v1/conflicts", params={"order": "severity"}).json()["items"]
    severities = [c["severity"] for c in by_severity]
    assert severities == sorted(severities, reverse=True)

    afp = client.get("/v1/conflicts", params={"source": "AFP"}).json()["items"]
    assert len(afp) == 1
    assert "AFP" in {afp[0]["a"]["source"], afp[0]["b"]["source"]}
    assert client.get("/v1/conflicts", params={"source": "Nobody"}).json()["items"] == []

    created = feed["items"][0]["created_at"]
    assert client.get("/v1/conflicts", params={"since": created}).json()["items"]
    assert (
        client.get("/v1/conflicts", params={"since": "2999-01-01T00:00:00Z"}).json()["items"] == []
    )


def test_conflict_detail_explains_itself(client: TestClient) -> None:
    post(client, "AFP", TOLL_A)
    post(client, "AP", TOLL_B)
    [summary] = client.get("/v1/conflicts").json()["items"]
    conflict = client.get(f"/v1/conflicts/{summary['id']}").json()
    assert conflict == {**summary, "history": []}  # one conflict comes with its reviews
    assert conflict["a"]["id"] < conflict["b"]["id"]
    assert conflict["a"]["published_at"] == "2016-03-14"
    assert conflict["reason"]
    assert conflict["rule"]
    assert "kill" in conflict["measure"] or "people" in conflict["measure"]
    pair = conflict["quantities"][0]
    assert "270,000" in pair["a"]["text"]
    assert pair["a"]["interval"]["low"] == 270000
    assert pair["a"]["interval"]["high"] is None
    assert "250,000" in pair["b"]["text"]
    assert 0 < conflict["relative_gap"] < 1


def test_docs_pages_hold_no_external_url(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        assert response.status_code == 200
        html = response.text
        urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html) + re.findall(
            r"""url\s*:\s*["']([^"']+)""", html
        )
        assert urls, html
        assert all(url.startswith("/") for url in urls), urls
        assert "http://" not in html
        assert "https://" not in html
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_the_lifespan_closes_the_model_it_loaded_and_spares_a_lent_one(
    tmp_path: Path, migrated_template: Path, embedder: Embedder
) -> None:
    database = tmp_path / "own.db"
    shutil.copy(migrated_template, database)
    settings = Settings(database_url=f"sqlite:///{database}")
    with TestClient(create_app(settings)) as client:
        own = client.app.state.components.embedder  # type: ignore[attr-defined]
        assert client.post("/v1/check", json={"text": TOLL_A}).status_code == 200
        worker = own._worker
        assert worker.is_alive()
    assert not worker.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        own.encode(["after shutdown"])

    with TestClient(create_app(settings, embedder)) as client:
        assert client.post("/v1/check", json={"text": TOLL_A}).status_code == 200
    assert embedder.encode(["still serving the other apps"]).shape == (1, embedder.dimension)
