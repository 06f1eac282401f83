"""Engine creation, the one transaction boundary, and the writers' lock.

Services only ``flush()``; whoever opened the session (the request dependency or the CLI's
``session_scope``) commits once at the end, or rolls back on any error so that a failed
request leaves nothing behind.

Writers take turns on both backends (``begin_write``): SQLite has one writer at a time by
construction, and PostgreSQL gets the same through a transaction-level advisory lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.config import DatabaseSettings

_WRITE_OPTION = "crosscheck_write"

# Key of the PostgreSQL advisory lock every writer holds until its transaction ends: an arbitrary
# constant, which no other application on the same database may use for a lock of its own.
WRITE_LOCK_KEY = 0x786368656B6B


def create_db_engine(settings: DatabaseSettings) -> Engine:
    """An engine for the database ``settings.url``, with the settings' pool and timeouts.

    PostgreSQL connections are checked before use (``pool_pre_ping``), so the engine recovers
    by itself when the server comes back after an outage. SQLite gets WAL, a busy timeout and
    enforced foreign keys.
    """
    url = settings.url
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        timeout_ms = int(settings.statement_timeout * 1000)
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
            pool_timeout=settings.pool_timeout,
            connect_args={
                "connect_timeout": settings.connect_timeout,
                # Also bounds the wait for the writers' lock; a worker that dies mid-transaction
                # loses its connection, and with it the lock.
                "options": f"-c statement_timeout={timeout_ms}",
            },
        )
    if backend != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_timeout=settings.pool_timeout)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    busy_timeout = settings.statement_timeout
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
        pool_timeout=settings.pool_timeout,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN can be IMMEDIATE for writers.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer takes the write lock when it begins: a deferred transaction that read first
        # could not upgrade once another writer committed ("database is locked").
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that flush only when told and keep their rows usable after the commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer; call before its first statement.

    Writers run one at a time until they commit or roll back, on every backend:

    - SQLite: ``BEGIN IMMEDIATE``; writers queue on the busy timeout instead of failing.
    - PostgreSQL: ``pg_advisory_xact_lock``. Under READ COMMITTED two articles written at the
      same moment would each search the store without the other's uncommitted claims, and a
      conflict between them would never be found; a delete could also remove a claim that a
      concurrent writer is about to record a conflict against. Serialising the short write
      transactions (the model runs before them) rules both out, and each statement after the
      lock sees everything committed before it. Row-level ``ON CONFLICT`` in the repositories
      keeps the inserts idempotent besides.
    """
    if session.in_transaction():
        raise RuntimeError("begin_write must open the session's transaction")
    connection = session.connection(execution_options={_WRITE_OPTION: True})
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Commit on success, roll back on error: the CLI's transaction boundary."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
