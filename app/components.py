"""The service's long-lived parts, started once and closed once: the database engine, the
embedding model, the search backend, the cross-check built on them and the webhook worker.

``app.main``'s lifespan holds one ``Components`` for the app; the CLI's ingest holds one
without the webhook worker. Each part is given its own group of settings only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db.session import create_db_engine, create_session_factory
from app.desk.session import desk_key
from app.embeddings import Embedder, load_embedder
from app.pagination import PageTokens, page_token_key
from app.pipeline import CheckPolicy, CrossChecker
from app.search import ClaimSearch, create_search
from app.search.fusion import FusionPolicy
from app.search.lexical import create_lexical_search

logger = logging.getLogger("crosscheck")


@dataclass
class Components:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    embedder: Embedder  # the model as loaded (closed at the end)
    search: ClaimSearch
    checker: CrossChecker
    owns_embedder: bool  # False when the caller lent an already started model
    page_tokens: PageTokens  # signs the lists' page tokens (app.pagination)
    session_key: bytes  # signs the desk's session cookies and form tokens (app.desk.session)

    @classmethod
    def start(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        instrument: Callable[[Embedder], Embedder] | None = None,
    ) -> Components:
        """Open the database, load the model (unless one is lent), build the search and bring
        it up to the database, so that no request pays for the catch-up. ``instrument`` wraps
        the model the cross-check calls (the app's metrics time every call)."""
        engine = create_db_engine(settings.database)
        model = embedder or load_embedder(settings.embedding)
        search = create_search(engine, model.dimension, settings.index)
        sessions = create_session_factory(engine)
        used = instrument(model) if instrument is not None else model
        checker = CrossChecker(
            used,
            search,
            CheckPolicy.from_settings(settings),
            create_lexical_search(engine.dialect.name),
            FusionPolicy(
                method=settings.search.fusion,
                lexical_weight=settings.search.lexical_weight,
                rrf_k=settings.search.rrf_k,
                candidates=settings.search.candidates,
            ),
        )
        secret = settings.access.page_token_secret
        key = page_token_key(secret.get_secret_value() if secret else None, settings.database.url)
        desk_secret = settings.access.session_secret
        components = cls(
            settings,
            engine,
            sessions,
            model,
            search,
            checker,
            embedder is None,
            PageTokens(key),
            desk_key(desk_secret.get_secret_value() if desk_secret else None, key),
        )
        components.catch_up()
        return components

    def catch_up(self) -> None:
        """After a saved graph, the changes since; without one, the whole store (minutes at a
        million claims, during which the service is not yet listening). A database that
        cannot be read now is left to the first request."""
        try:
            with self.sessions() as session:
                self.search.catch_up(session)
        except SQLAlchemyError as error:
            logger.warning("the search index will catch up on the first request: %s", error)

    def close(self) -> None:
        """Save what should outlive the process, stop the model's thread, close the pool."""
        self.search.close()
        close = getattr(self.embedder, "close", None)
        if self.owns_embedder and close is not None:
            close()
        self.engine.dispose()
