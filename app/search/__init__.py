"""Nearest-neighbour search over claim embeddings: one interface (``ClaimSearch``), a backend
per database, chosen here and nowhere else."""

from __future__ import annotations

from sqlalchemy import Engine

from app.config import IndexSettings
from app.search.base import ClaimSearch, Hit, Vector

__all__ = ["ClaimSearch", "Hit", "Vector", "create_search"]


def create_search(engine: Engine, dimension: int, settings: IndexSettings) -> ClaimSearch:
    """The search that suits the database: pgvector in PostgreSQL itself, so that no worker
    holds a copy of every vector; on SQLite an in-process index replaying the change log,
    loaded from its saved graph when there is one (``app/search/persist.py``). Each backend's
    module is imported only when chosen (pgvector's is never imported on SQLite)."""
    if engine.dialect.name == "postgresql":
        from app.search.pgvector import PgVectorSearch

        return PgVectorSearch(engine, dimension)
    from app.search.hnsw import ApproximateIndex
    from app.search.in_process import InProcessSearch
    from app.search.persist import IndexFile

    index = ApproximateIndex.from_settings(dimension, settings)
    # A file database keeps the graph beside it, so a restart replays only the changes since.
    saved = IndexFile.for_database(engine, settings)
    if saved is not None:
        saved.load(index)
        index.save_to(saved)
    return InProcessSearch(index)
