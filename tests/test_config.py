"""Settings refuse what the service cannot run on, at start-up, with what to write instead."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pydantic_settings.exceptions import SettingsError

from app.config import DatabaseSettings, Settings, setting_names


@pytest.mark.parametrize(
    "url", ["sqlite:///./data/crosscheck.db", "postgresql+psycopg://u:p@db:5432/crosscheck"]
)
def test_sqlite_and_postgresql_urls_are_accepted(url: str) -> None:
    assert Settings(database_url=url).database.url == url


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


def test_groups_read_the_flat_variable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_DB_POOL_SIZE", "7")
    monkeypatch.setenv("CROSSCHECK_MATCH_THRESHOLD", "0.65")
    monkeypatch.setenv("CROSSCHECK_WEBHOOK_ALLOWED_HOSTS", '["hooks.example.org"]')
    monkeypatch.setenv("crosscheck_log_level", "WARNING")  # names are case-insensitive
    settings = Settings()
    assert settings.database.pool_size == 7
    assert settings.matching.match_threshold == 0.65
    assert settings.webhooks.allowed_hosts == ["hooks.example.org"]
    assert settings.logging.level == "WARNING"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_DB_POOL_SIZE", "7")
    assert Settings(db_pool_size=3).database.pool_size == 3
    assert Settings(database=DatabaseSettings(pool_size=4)).database.pool_size == 4


def test_a_list_that_is_not_json_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_API_KEYS", "key-1,key-2")
    with pytest.raises(SettingsError, match="CROSSCHECK_API_KEYS must be JSON"):
        Settings()


def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_DB_POOL_SIZE", "many")
    with pytest.raises(ValidationError, match="db_pool_size"):
        Settings()


def test_every_setting_has_one_variable_name() -> None:
    names = setting_names()
    assert len(names) == len(set(names))
    assert "CROSSCHECK_DATABASE_URL" in names
    assert "CROSSCHECK_EMBEDDING_BACKEND" in names
    assert all(name.startswith("CROSSCHECK_") and name.isupper() for name in names)
