"""Idempotency-Key on POST /v1/articles: a retry returns the first result.

A client that lost the answer to a POST (a timeout, a dropped connection, the service killed
mid-request) sends the same request again with the same ``Idempotency-Key``. The key is stored
in the same transaction as the article, so it exists exactly when the article does: the retry
gets the first answer (same article, same status, header ``Idempotent-Replayed: true``), and a
retry of a request that never committed simply stores the article. The same key with another
body is refused (422). Keys are per caller (API key, or client address without keys) and are
remembered for ``CROSSCHECK_IDEMPOTENCY_KEY_HOURS``. The flow that uses them is
``app.articles.flows.ingest_article_once``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db.base import utcnow
from app.db.models import IdempotencyKey
from app.db.upsert import insert_unless_exists

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


def request_digest(canonical_body: str) -> str:
    """What makes two requests the same request: their validated body, canonically written."""
    return hashlib.sha256(canonical_body.encode()).hexdigest()
