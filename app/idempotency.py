"""Idempotency-Key on POST /v1/articles: a retry returns the first result.

A client that lost the answer to a POST (a timeout, a dropped connection, the service killed
mid-request) sends the same request again with the same ``Idempotency-Key``. The key is stored
in the same transaction as the article, so it exists exactly when the article does: the retry
gets the first answer (same article, same status, header ``Idempotent-Replayed: true``), and a
retry of a request that never committed simply stores the article. The same key with another
body is refused (422). Keys are per caller (API key, or client address without keys) and are
remembered for ``CROSSCHECK_IDEMPOTENCY_KEY_HOURS``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.articles import service as articles
from app.articles.schemas import ArticleIn, ArticleOut
from app.config import Settings
from app.db.base import utcnow
from app.db.models import IdempotencyKey
from app.db.upsert import insert_unless_exists
from app.embeddings import Embedder
from app.exceptions import InvalidInput
from app.search import ClaimSearch

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"  # printable ASCII, no spaces


class IdempotencyRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, principal: str, key: str) -> IdempotencyKey | None:
        return self.session.scalars(
            select(IdempotencyKey).where(
                IdempotencyKey.principal == principal, IdempotencyKey.key == key
            )
        ).first()

    def add_unless_stored(
        self, principal: str, key: str, request_hash: str, status_code: int, article_id: int
    ) -> bool:
        """Remember a first result; ``False``, storing nothing, when the key is taken."""
        inserted = self.session.execute(
            insert_unless_exists(self.session, IdempotencyKey, ["principal", "key"])
            .values(
                principal=principal,
                key=key,
                request_hash=request_hash,
                status_code=status_code,
                article_id=article_id,
                created_at=utcnow(),
            )
            .returning(IdempotencyKey.id)
        ).scalar_one_or_none()
        return inserted is not None

    def forget_older_than(self, hours: int) -> None:
        cutoff = utcnow() - timedelta(hours=hours)
        self.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))


def request_digest(data: ArticleIn) -> str:
    """What makes two requests the same request: the validated body, canonically."""
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def create_article_once(
    session: Session,
    search: ClaimSearch,
    embedder: Embedder,
    settings: Settings,
    data: ArticleIn,
    principal: str,
    key: str,
) -> tuple[ArticleOut, int, bool]:
    """Store the article unless this caller's ``key`` already did: (article, status, replayed).

    The article is analysed and deduplicated as usual first (a retry of a stored article is a
    duplicate, so nothing is stored twice even while the first attempt is still running); the
    key is then claimed in the same write transaction.
    """
    article, created = articles.create_article(session, search, embedder, settings, data)
    status = 201 if created else 200
    digest = request_digest(data)
    keys = IdempotencyRepository(session)
    keys.forget_older_than(settings.limits.idempotency_key_hours)
    if keys.add_unless_stored(principal, key, digest, status, article.id):
        return article, status, False
    first = keys.get(principal, key)
    assert first is not None
    if first.request_hash != digest:
        raise InvalidInput(
            f"The {HEADER} {key!r} was already used with another request body: use a new key "
            "for a new request, and the same body for a retry."
        )
    if first.article_id != article.id:
        article = articles.get_article(session, search, settings, first.article_id)
    return article, first.status_code, True
