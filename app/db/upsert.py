"""``INSERT ... ON CONFLICT DO NOTHING`` in the dialect of the session's database."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db.base import Base


def insert_unless_exists(
    session: Session,
    model: type[Base],
    conflict_columns: Sequence[str] | None = None,
) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``model``'s table that does nothing when a unique key already exists
    (``conflict_columns``, or any unique constraint when ``None``). With ``RETURNING`` it
    yields no row in that case, which tells the caller that the row was there first.

    Both backends wait for a concurrent transaction holding the same key to finish instead of
    failing, so a duplicate never surfaces as an integrity error.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing(index_elements=conflict_columns)
    if dialect == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing(index_elements=conflict_columns)
    # Settings refuse any other database_url at start-up, so only a hand-made engine gets here.
    raise ValueError(f"crosscheck supports SQLite and PostgreSQL, not {dialect}")
