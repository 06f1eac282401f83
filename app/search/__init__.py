"""Nearest-neighbour search over claim embeddings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from app.config import IndexSettings
    from app.search.pgvector import SearchIndex


def create_index(engine: Engine, dimension: int, settings: IndexSettings) -> SearchIndex:
    """The search that suits the database: pgvector in PostgreSQL itself, so that no worker
    holds a copy of every vector; on SQLite an in-process index replaying the change log,
    loaded from its saved graph when there is one (``app/search/persist.py``)."""
    if engine.dialect.name == "postgresql":
        from app.search.pgvector import PgVectorIndex

        return PgVectorIndex(engine, dimension)
    from app.search.hnsw import ApproximateIndex
    from app.search.persist import IndexFile

    index = ApproximateIndex.from_settings(dimension, settings)
    # A file database keeps the graph beside it, so a restart replays only the changes since.
    saved = IndexFile.for_database(engine, settings)
    if saved is not None:
        saved.load(index)
        index.save_to(saved)
    return index


def close_index(index: SearchIndex) -> None:
    """At shutdown: save what should outlive the process (the in-process graph, if any)."""
    from app.search.hnsw import ApproximateIndex

    if isinstance(index, ApproximateIndex):
        index.close()
