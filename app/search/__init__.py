"""Nearest-neighbour search over claim embeddings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from app.config import Settings
    from app.search.pgvector import SearchIndex


def create_index(engine: Engine, dimension: int, settings: Settings) -> SearchIndex:
    """The search that suits the database: pgvector in PostgreSQL itself, so that no worker
    holds a copy of every vector; on SQLite an in-process index replaying the change log."""
    if engine.dialect.name == "postgresql":
        from app.search.pgvector import PgVectorIndex

        return PgVectorIndex(engine, dimension)
    from app.search.hnsw import ApproximateIndex

    return ApproximateIndex.from_settings(dimension, settings)
