"""Alembic environment: migrates the database named by the service's settings."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from app.config import get_settings
from app.db import models  # noqa: F401  (registers the tables on the metadata)
from app.db.base import Base
from app.db.models import include_in_schema
from app.db.session import create_db_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

MIGRATION_LOCK_KEY = 0x786368656B6D  # PostgreSQL advisory lock held while migrating


def _database_url() -> str:
    # An explicit URL (tests, programmatic upgrades) wins over the settings.
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    return url or get_settings().database.url


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    if connection is not None:
        dialect = connection.dialect.name
    else:
        dialect = make_url(url or "sqlite://").get_backend_name()
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode recreates tables
        compare_type=True,
        # Autogenerate must not add PostgreSQL's vector index to SQLite (nor drop it).
        include_object=include_in_schema(dialect),
    )


def run_migrations_offline() -> None:
    _configure(url=_database_url())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    database = get_settings().database
    engine = create_db_engine(database.model_copy(update={"url": _database_url()}))
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # Batch mode rebuilds a table by copying it and dropping the original; with
                # foreign keys enforced, that drop would cascade to every row that refers to
                # it. SQLite ignores the pragma inside a transaction, so it is set on the
                # driver's connection before one begins (the service's own connections
                # enforce foreign keys as usual).
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            _configure(connection=connection)
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Replicas that each migrate on start-up take turns: the later ones find the
                    # schema at head. A long index build must not hit the service's timeout.
                    connection.execute(text("SET LOCAL statement_timeout = 0"))
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
