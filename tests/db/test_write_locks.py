"""The ingest writers' locks on PostgreSQL: writers whose claims could conflict take turns,
the others do not wait for each other, and ``begin_write`` still excludes every one.

Whether a writer waits is seen without timing: the second session sets a short
``lock_timeout``, and a lock it would wait for fails with ``LockNotAvailable``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.db.session import (
    MAX_BUCKET_LOCKS,
    begin_conflict_writes,
    begin_ingest_write,
    begin_write,
    write_buckets,
)
from tests.support.databases import Databases, fresh_database

WINDOW = 3
DAY = date(2016, 3, 14)


def span(day: date, days: int = 1) -> tuple[date, date]:
    return (day, day + timedelta(days=days - 1))


@pytest.mark.parametrize("apart", range(0, 4 * WINDOW + 2))
def test_claims_within_the_window_share_a_bucket_and_others_do_not(apart: int) -> None:
    a = write_buckets([span(DAY)], WINDOW)
    b = write_buckets([span(DAY + timedelta(days=apart))], WINDOW)
    assert a is not None
    assert b is not None
    if apart <= WINDOW:  # could conflict: they must take turns
        assert set(a) & set(b)
    if apart > 3 * WINDOW:
        assert not set(a) & set(b)


def test_buckets_are_ascending_and_far_events_share_none() -> None:
    buckets = write_buckets([span(DAY + timedelta(days=40)), span(DAY)], WINDOW)
    assert buckets == sorted(set(buckets or []))
    assert not set(write_buckets([span(DAY)], WINDOW) or []) & set(
        write_buckets([span(DAY + timedelta(days=40))], WINDOW) or []
    )


def test_no_event_time_or_too_many_buckets_takes_the_global_lock() -> None:
    assert write_buckets([span(DAY), None], WINDOW) is None
    assert write_buckets([span(DAY, days=WINDOW * (MAX_BUCKET_LOCKS + 1))], WINDOW) is None
    assert write_buckets([], WINDOW) == []


@pytest.fixture
def two_sessions(databases: Databases) -> Iterator[tuple[Session, Session]]:
    with fresh_database(databases) as url:
        engine = create_engine(url)
        first, second = Session(engine), Session(engine)
        try:
            yield first, second
        finally:
            first.rollback()
            second.rollback()
            first.close()
            second.close()
            engine.dispose()


def waits(session: Session, take: Callable[[Session], None]) -> bool:
    """Whether ``take(session)`` would wait for a lock another session holds."""
    session.connection().execute(text("SET lock_timeout = '200ms'"))
    session.commit()
    try:
        take(session)
    except OperationalError as error:
        session.rollback()
        if "lock timeout" not in str(error.orig).lower():
            raise
        return True
    session.rollback()
    return False


@pytest.mark.backends("postgresql")
def test_writers_of_other_event_windows_do_not_wait(
    two_sessions: tuple[Session, Session],
) -> None:
    first, second = two_sessions
    begin_ingest_write(first, [span(DAY)], WINDOW)
    far = DAY + timedelta(days=30)
    assert not waits(second, lambda s: begin_ingest_write(s, [span(far)], WINDOW))
    near = DAY + timedelta(days=WINDOW)
    assert waits(second, lambda s: begin_ingest_write(s, [span(near)], WINDOW))
    assert waits(second, begin_write)  # deletes, reviews, webhooks exclude every ingest
    assert waits(second, lambda s: begin_ingest_write(s, [None], WINDOW))


@pytest.mark.backends("postgresql")
def test_a_global_writer_excludes_every_ingest(two_sessions: tuple[Session, Session]) -> None:
    first, second = two_sessions
    begin_write(first)
    assert waits(second, lambda s: begin_ingest_write(s, [span(DAY + timedelta(days=400))], 3))


@pytest.mark.backends("postgresql")
def test_conflicts_are_written_one_writer_at_a_time(
    two_sessions: tuple[Session, Session],
) -> None:
    first, second = two_sessions
    begin_ingest_write(first, [span(DAY)], WINDOW)
    begin_conflict_writes(first)

    def ingest_far_and_record(session: Session) -> None:
        begin_ingest_write(session, [span(DAY + timedelta(days=60))], WINDOW)
        begin_conflict_writes(session)

    assert waits(second, ingest_far_and_record)
