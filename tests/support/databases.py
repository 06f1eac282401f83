"""Fresh databases on either backend, and a throwaway PostgreSQL server (pgserver)."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers) and falls back to /tmp.
    warnings.simplefilter("ignore")
    import pgserver

BACKENDS = ("sqlite", "postgresql")

ClientFactory = Callable[..., TestClient]
"""``make_client(**settings)``: a client over a fresh migrated database."""


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
