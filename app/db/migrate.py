"""Bring a database to the latest schema with the project's Alembic migrations."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout (or image directory) holding ``alembic.ini`` and ``migrations/``."""


def migrate_database(database_url: str | None = None) -> None:
    """Upgrade the database the settings name (or ``database_url``) to the migrations' head."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    if database_url is not None:
        config.attributes["database_url"] = database_url
    command.upgrade(config, "head")
