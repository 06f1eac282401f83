"""The Alembic migrations are the only way the schema is made: they must match the models."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.cli import PROJECT_ROOT, migrate_database
from app.db.base import Base


def config_for(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    config.attributes["database_url"] = url
    return config


def test_upgrade_builds_exactly_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    migrate_database(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    config = config_for(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(config, "head")
    assert {"articles", "claims", "conflicts", "quantities", "sources"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_settings_database_is_created_in_a_missing_directory(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "still" / "crosscheck.db"
    migrate_database(f"sqlite:///{path}")
    assert path.exists()
