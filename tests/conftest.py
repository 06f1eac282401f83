"""Fixtures shared by the API and database tests: the real model, real migrations, and both
databases.

Every test that uses a database (through ``client``, ``make_client`` or ``databases``) runs once
on SQLite and once on PostgreSQL with pgvector. PostgreSQL is a real server from the ``pgserver``
package, started once per run in a temporary directory (as root it runs the server as a system
user of its own); each test gets a database copied from a migrated template, which takes a few
tens of milliseconds. ``pytest --backend sqlite`` (or ``postgresql``) runs one side only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from app.config import Settings
from app.db.migrate import migrate_database
from app.embeddings import Embedder, load_embedder
from app.main import create_app
from tests.support.databases import (
    BACKENDS,
    ClientFactory,
    Databases,
    PostgresDatabases,
    SqliteDatabases,
    pgserver,
    postgres_url,
    running_postgres,
)

# Property tests check what is read, not how fast: on a shared machine Hypothesis's 200 ms
# deadline per example fails at random. Speed is measured by `crosscheck bench`.
hypothesis_settings.register_profile("crosscheck", deadline=None)
hypothesis_settings.load_profile("crosscheck")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=("all", *BACKENDS),
        default="all",
        help="Run the database tests on this backend only (default: both).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "backends(*names): run this database test on these backends only"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    chosen = metafunc.config.getoption("--backend")
    backends = BACKENDS if chosen == "all" else (chosen,)
    only = metafunc.definition.get_closest_marker("backends")
    if only is not None:
        backends = tuple(name for name in backends if name in only.args)
    metafunc.parametrize("backend", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test runs on: ``sqlite`` or ``postgresql`` (the dialect's name)."""
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def embedder() -> Iterator[Embedder]:
    """The bundled all-MiniLM-L6-v2, loaded once for the whole run (apps borrow it)."""
    model = load_embedder(Settings().embedding)
    yield model
    close = getattr(model, "close", None)
    if close is not None:
        close()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "crosscheck.db"
    migrate_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pgserver.PostgresServer]:
    """One PostgreSQL server for the whole run, deleted with its data at the end."""
    with running_postgres(durable=False) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_template(postgres_server: pgserver.PostgresServer) -> str:
    """Name of a database migrated to head once; each test gets a copy."""
    admin = create_engine(postgres_url(postgres_server, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE crosscheck_template"))
    admin.dispose()
    migrate_database(postgres_url(postgres_server, "crosscheck_template"))
    return "crosscheck_template"


@pytest.fixture(scope="session")
def databases(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Databases:
    """Fresh databases of the test's backend (the PostgreSQL server starts on first use)."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("migrated_template")
        return SqliteDatabases(template, tmp_path_factory.mktemp("sqlite"))
    server: pgserver.PostgresServer = request.getfixturevalue("postgres_server")
    return PostgresDatabases(server, request.getfixturevalue("postgres_template"))


# --- The service ------------------------------------------------------------------------------


@pytest.fixture
def make_client(databases: Databases, embedder: Embedder) -> Iterator[ClientFactory]:
    """Build a client over a fresh migrated database; settings may be overridden."""
    clients: list[TestClient] = []
    urls: list[str] = []

    def make(**overrides: Any) -> TestClient:
        urls.append(databases.create())
        settings = Settings(database_url=urls[-1], **overrides)
        client = TestClient(create_app(settings, embedder), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    for url in urls:
        databases.drop(url)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()
