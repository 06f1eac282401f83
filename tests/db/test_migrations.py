"""The Alembic migrations are the only way the schema is made: they must match the models, on
SQLite and on PostgreSQL, forwards and backwards."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from app.db.base import Base
from app.db.migrate import PROJECT_ROOT, migrate_database
from app.db.models import include_in_schema
from tests.support.databases import Databases

TABLES = {"articles", "claims", "conflicts", "sources", "index_changes"}


def config_for(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    config.attributes["database_url"] = url
    return config


@pytest.fixture
def empty_url(databases: Databases) -> Iterator[str]:
    url = databases.create_unmigrated()
    yield url
    databases.drop(url)


def test_upgrade_builds_exactly_the_models(empty_url: str, backend: str) -> None:
    migrate_database(empty_url)
    engine = create_engine(empty_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_in_schema(backend), "compare_type": True},
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_and_upgrade_again(empty_url: str) -> None:
    config = config_for(empty_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = create_engine(empty_url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


@pytest.mark.backends("postgresql")
def test_postgresql_stores_vectors_under_an_hnsw_cosine_index(empty_url: str) -> None:
    migrate_database(empty_url)
    engine = create_engine(empty_url)
    with engine.connect() as connection:
        column_type = connection.execute(
            text(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'claims'::regclass AND attname = 'embedding'"
            )
        ).scalar_one()
        definition = connection.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_claims_embedding'")
        ).scalar_one()
    engine.dispose()
    assert column_type == "vector(384)"
    assert "USING hnsw (embedding vector_cosine_ops)" in definition


@pytest.mark.backends("postgresql")
def test_replicas_migrating_at_once_take_turns(empty_url: str) -> None:
    # Each process imports everything first, then all start migrating at the same moment.
    code = (
        "import sys, time; from app.db.migrate import migrate_database; "
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time())); migrate_database(sys.argv[1])"
    )
    start = str(time.time() + 5)
    replicas = [
        subprocess.Popen([sys.executable, "-c", code, empty_url, start], cwd=PROJECT_ROOT)
        for _ in range(3)
    ]
    assert [replica.wait(timeout=120) for replica in replicas] == [0, 0, 0]
    engine = create_engine(empty_url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


@pytest.mark.backends("sqlite")
def test_sqlite_has_no_vector_index(empty_url: str) -> None:
    migrate_database(empty_url)
    engine = create_engine(empty_url)
    names = {index["name"] for index in inspect(engine).get_indexes("claims")}
    engine.dispose()
    assert "ix_claims_embedding" not in names


@pytest.mark.parametrize(
    ("url", "expected", "unexpected"),
    [
        (
            "postgresql+psycopg://u@h/db",
            ["CREATE EXTENSION IF NOT EXISTS vector", "VECTOR(384)", "USING hnsw"],
            [],
        ),
        ("sqlite:///offline.db", ["BLOB"], ["vector", "hnsw"]),
    ],
)
def test_migrations_render_offline(url: str, expected: list[str], unexpected: list[str]) -> None:
    """``alembic upgrade head --sql`` works without a database, for a DBA to review."""
    out = io.StringIO()
    with redirect_stdout(out):
        command.upgrade(config_for(url), "head", sql=True)
    sql = out.getvalue()
    for needle in expected:
        assert needle in sql
    for needle in unexpected:
        assert needle not in sql.lower()


def test_settings_database_is_created_in_a_missing_directory(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "still" / "crosscheck.db"
    migrate_database(f"sqlite:///{path}")
    assert path.exists()
