"""Fixtures shared by the API and database tests: the real model, real migrations, and both
databases.

Every test that uses a database (through ``client``, ``make_client`` or ``databases``) runs once
on SQLite and once on PostgreSQL with pgvector. PostgreSQL is a real server from the ``pgserver``
package, started once per run in a temporary directory (as root it runs the server as a system
user of its own); each test gets a database copied from a migrated template, which takes a few
tens of milliseconds. ``pytest --backend sqlite`` (or ``postgresql``) runs one side only.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.db.migrate import migrate_database
from app.embeddings import Embedder, load_embedder
from app.main import create_app

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers) and falls back to /tmp.
    warnings.simplefilter("ignore")
    import pgserver

BACKENDS = ("sqlite", "postgresql")


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
def embedder() -> Embedder:
    """The bundled all-MiniLM-L6-v2, loaded once for the whole run."""
    return load_embedder(Settings())


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "crosscheck.db"
    migrate_database(f"sqlite:///{path}")
    return path


# --- PostgreSQL -------------------------------------------------------------------------------


@contextmanager
def running_postgres(durable: bool = True) -> Iterator[pgserver.PostgresServer]:
    """A PostgreSQL 16 server with pgvector in a new temporary directory, deleted afterwards.

    The directory is not under pytest's ``tmp_path``: run as root, pgserver runs the server as a
    user of its own, and every pytest run that starts makes pytest's base directory private to
    root again, which would lock the server out of its data mid-run.

    ``durable=False`` turns off fsync and friends: a test server has nothing to protect, and
    without them dropping a database takes milliseconds instead of a checkpoint's second.
    """
    directory = Path(tempfile.mkdtemp(prefix="crosscheck-postgres-"))
    server = pgserver.get_server(directory / "data", cleanup_mode="delete")
    try:
        if not durable:
            admin = create_engine(postgres_url(server, "postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                    connection.execute(text(f"ALTER SYSTEM SET {setting} = off"))
                connection.execute(text("SELECT pg_reload_conf()"))
            admin.dispose()
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(directory, ignore_errors=True)


def stop_postgres(server: pgserver.PostgresServer) -> None:
    """Stop the server abruptly, as a crash or a lost host would (no shutdown checkpoint)."""
    pgserver.pg_ctl(
        ["-w", "-m", "immediate", "stop"], pgdata=server.pgdata, user=server.system_user
    )


def restart_postgres(server: pgserver.PostgresServer) -> None:
    """Start a stopped server again on the same data directory and socket."""
    server.ensure_postgres_running()


def postgres_url(server: pgserver.PostgresServer, database: str) -> str:
    """SQLAlchemy URL (psycopg 3) of one database on ``server``."""
    url = make_url(server.get_uri(database)).set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


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


# --- Fresh databases, either backend -----------------------------------------------------------


class Databases(Protocol):
    """Fresh databases at the migrations' head, on one backend."""

    backend: str

    def create(self) -> str:
        """The URL of a new migrated database with no rows."""
        ...

    def create_unmigrated(self) -> str:
        """The URL of a new database without any tables."""
        ...

    def drop(self, url: str) -> None:
        """Delete a database made by ``create`` (its engines must be disposed)."""
        ...


class SqliteDatabases:
    backend = "sqlite"

    def __init__(self, template: Path, directory: Path):
        self._template = template
        self._directory = directory
        self._numbers = itertools.count()

    def create(self) -> str:
        path = self._directory / f"db{next(self._numbers)}.sqlite"
        shutil.copy(self._template, path)
        return f"sqlite:///{path}"

    def create_unmigrated(self) -> str:
        return f"sqlite:///{self._directory / f'db{next(self._numbers)}.sqlite'}"

    def drop(self, url: str) -> None:
        database = make_url(url).database
        assert database is not None
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)


class PostgresDatabases:
    backend = "postgresql"

    def __init__(self, server: pgserver.PostgresServer, template: str):
        self._server = server
        self._template = template
        self._numbers = itertools.count()
        self._admin = create_engine(postgres_url(server, "postgres"), isolation_level="AUTOCOMMIT")

    def create(self) -> str:
        name = f"test_{next(self._numbers)}"
        with self._admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {self._template}"))
        return postgres_url(self._server, name)

    def create_unmigrated(self) -> str:
        name = f"test_{next(self._numbers)}"
        with self._admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        return postgres_url(self._server, name)

    def drop(self, url: str) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {make_url(url).database} WITH (FORCE)"))


@contextmanager
def fresh_database(databases: Databases) -> Iterator[str]:
    """A new migrated database for the duration of the block."""
    url = databases.create()
    try:
        yield url
    finally:
        databases.drop(url)


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

ClientFactory = Callable[..., TestClient]


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
