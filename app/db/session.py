"""Engine creation, the one transaction boundary, and the writers' lock.

Services only ``flush()``; whoever opened the session (the request dependency or the CLI's
``session_scope``) commits once at the end, or rolls back on any error so that a failed
request leaves nothing behind.

Writers take turns on both backends (``begin_write``): SQLite has one writer at a time by
construction, and PostgreSQL gets the same through a transaction-level advisory lock. Ingest
writers on PostgreSQL wait only for writers that could conflict with them
(``begin_ingest_write``: one lock per event-window bucket their claims fall in).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.config import DatabaseSettings

_WRITE_OPTION = "crosscheck_write"

# Key of the PostgreSQL advisory lock every writer holds until its transaction ends: an arbitrary
# constant, which no other application on the same database may use for a lock of its own.
WRITE_LOCK_KEY = 0x786368656B6B
# Ingest writers hold WRITE_LOCK_KEY shared (so begin_write still excludes them all), then one
# lock per event-window bucket, (BUCKET_LOCK_CLASS, bucket) in the two-int key space, in
# ascending order, then CONFLICT_LOCK_KEY before they record a conflict: always this order, so
# two writers never wait for each other in a cycle.
BUCKET_LOCK_CLASS = 0x78636B
CONFLICT_LOCK_KEY = 0x786368656B6C
# More buckets than this (a claim about a whole year): the writer takes the global lock instead.
MAX_BUCKET_LOCKS = 32

EventSpan = tuple[date, date]


def create_db_engine(settings: DatabaseSettings) -> Engine:
    """An engine for the database ``settings.url``, with the settings' pool and timeouts.

    Errors never carry the statement's parameters (``hide_parameters``): they are the
    articles' text, and errors are logged. PostgreSQL connections are checked before use
    (``pool_pre_ping``), so the engine recovers by itself when the server comes back after an
    outage. SQLite gets WAL, a busy timeout and enforced foreign keys.
    """
    url = settings.url
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        timeout_ms = int(settings.statement_timeout * 1000)
        return create_engine(
            url,
            pool_pre_ping=True,
            hide_parameters=True,
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
        return create_engine(
            url, pool_pre_ping=True, hide_parameters=True, pool_timeout=settings.pool_timeout
        )

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    busy_timeout = settings.statement_timeout
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
        pool_timeout=settings.pool_timeout,
        hide_parameters=True,
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


def write_buckets(spans: Iterable[EventSpan | None], window_days: int) -> list[int] | None:
    """The event-window buckets an ingest writer locks, ascending; ``None`` when it must take
    the global lock (a claim with no event time can conflict with any claim, or too many).

    A claim about the days ``[first, last]`` can only conflict with claims within
    ``window_days`` of them (``app.core.compare``): each writer locks the buckets of its claims'
    spans widened by the window on both sides. Two claims within the window of each other
    then share a bucket (the widened span of one covers a day of the other), whatever the
    bucket width; buckets ``window_days`` wide keep it to about three per claim.
    """
    width = max(window_days, 1)
    buckets: set[int] = set()
    for span in spans:
        if span is None:
            return None
        first = span[0].toordinal() - window_days
        last = span[1].toordinal() + window_days
        buckets.update(range(first // width, last // width + 1))
        if len(buckets) > MAX_BUCKET_LOCKS:
            return None
    return sorted(buckets)


def begin_ingest_write(
    session: Session, spans: Iterable[EventSpan | None], window_days: int
) -> None:
    """``begin_write`` for an ingest whose claims are about the event times ``spans``.

    On PostgreSQL the writer waits only for writers whose claims could conflict with its own
    (they share an event-window bucket, ``write_buckets``) and for ``begin_write`` (deletes,
    reviews, webhooks, reanalyse), which excludes every ingest. The guarantees of the global
    lock hold: two articles that could conflict are written one after the other, and the same
    article sent twice has the same claims, so the same buckets (an article with no claims is
    kept single by the insert's ON CONFLICT). SQLite: ``BEGIN IMMEDIATE``, as ``begin_write``.
    """
    buckets = write_buckets(spans, window_days)
    if session.in_transaction():
        raise RuntimeError("begin_ingest_write must open the session's transaction")
    connection = session.connection(execution_options={_WRITE_OPTION: True})
    if connection.dialect.name != "postgresql":
        return
    if buckets is None:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
        return
    connection.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": WRITE_LOCK_KEY})
    for bucket in buckets:  # ascending: see BUCKET_LOCK_CLASS
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:cls, :bucket)"),
            {"cls": BUCKET_LOCK_CLASS, "bucket": bucket},
        )


def begin_conflict_writes(session: Session) -> None:
    """Call before storing a conflict in an ingest transaction: conflicts are then stored one
    writer at a time until the commit, so their ids grow in commit order (the webhooks' and
    the feed's cursors never skip one). Held already under ``begin_write``; a no-op on
    SQLite, which has one writer at a time."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CONFLICT_LOCK_KEY})


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


MB = 1024 * 1024
PROBE_BUSY_MS = 1000


def write_problem(engine: Engine, min_free_mb: int) -> str | None:
    """Why the database cannot take writes now, or ``None`` when it can.

    - A SQLite file: the disk holding it must have ``min_free_mb`` free (SQLite only finds a
      full disk when a commit fails, and a rolled-back probe writes nothing to disk).
    - Both: a write transaction with a write that changes nothing, rolled back: it fails on a
      read-only database (a file or mount made read-only, a PostgreSQL standby, a role or
      database set read-only). A writer holding the lock means writes work: not a problem.
    """
    path = _database_file(engine)
    if path is not None:
        free = shutil.disk_usage(path.parent).free
        if free < min_free_mb * MB:
            return (
                f"The disk holding the database is full: {free // MB} MB free, under the "
                f"{min_free_mb} MB of CROSSCHECK_DB_MIN_FREE_MB; writes would fail. Free "
                "space on it."
            )
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # wait for another writer briefly, not for the statement timeout
                busy = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0)
                connection.exec_driver_sql(f"PRAGMA busy_timeout={PROBE_BUSY_MS}")
                connection.commit()  # end the transaction the pragmas began
            try:
                writer = connection.execution_options(**{_WRITE_OPTION: True})
                transaction = writer.begin()
                try:
                    writer.execute(text("UPDATE sources SET name = name WHERE 1 = 0"))
                finally:
                    transaction.rollback()
            finally:
                if sqlite:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={busy}")
                    connection.commit()
    except OperationalError as error:
        if "locked" in str(error.orig).lower():  # SQLite: a writer holds the lock
            return None
        return _cannot_write(error)
    except SQLAlchemyError as error:
        return _cannot_write(error)
    return None


def _cannot_write(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    message = (str(original).strip().splitlines() or [""])[0][:200]
    return (
        "The database answers but cannot be written "
        f"({type(original).__name__}: {message}): requests that store would fail."
    )


def _database_file(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().resolve()
