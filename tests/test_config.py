"""Settings refuse what the service cannot run on, at start-up, with what to write instead."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import Settings


@pytest.mark.parametrize(
    "url", ["sqlite:///./data/crosscheck.db", "postgresql+psycopg://u:p@db:5432/crosscheck"]
)
def test_sqlite_and_postgresql_urls_are_accepted(url: str) -> None:
    assert Settings(database_url=url).database_url == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "mysql+pymysql://u:p@db/crosscheck",
            "SQLite or PostgreSQL, not mysql: use sqlite:///path",
        ),
        ("not a url", "not a database URL"),
    ],
)
def test_other_databases_are_refused_with_what_to_use(url: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(database_url=url)
