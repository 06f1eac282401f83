"""Fixtures shared by the API and database tests: the real model, real migrations."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cli import migrate_database
from app.config import Settings
from app.embeddings import Embedder, load_embedder
from app.main import create_app

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The bundled all-MiniLM-L6-v2, loaded once for the whole run."""
    return load_embedder(Settings())


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "crosscheck.db"
    migrate_database(f"sqlite:///{path}")
    return path


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(
    tmp_path: Path, migrated_template: Path, embedder: Embedder
) -> Iterator[ClientFactory]:
    """Build a client over a fresh migrated database; settings may be overridden."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        database = tmp_path / f"db{len(clients)}.sqlite"
        shutil.copy(migrated_template, database)
        settings = Settings(database_url=f"sqlite:///{database}", **overrides)
        client = TestClient(create_app(settings, embedder), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()


def seed_articles() -> list[dict[str, Any]]:
    """The five seed articles as POST bodies, with the manifest's sources, dates and titles."""
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    return [
        {
            "source": entry["source"],
            "published_at": entry["published_at"],
            "title": entry["title"],
            "text": (SEEDS / entry["file"]).read_text(encoding="utf-8"),
        }
        for entry in manifest
    ]
