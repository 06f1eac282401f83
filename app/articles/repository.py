"""All SQL about articles and their claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.core.analysis import ClaimFacts
from app.db.codecs import analysis_from_json
from app.db.models import Article, Claim, Source
from app.db.upsert import insert_unless_exists
from app.search.base import Vector


@dataclass(frozen=True, slots=True)
class ArticleClaim:
    """A stored claim of an article, with its embedding and stored analysis."""

    id: int
    position: int
    text: str
    start: int
    end: int
    vector: Vector
    facts: ClaimFacts


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """A stored article with its claims in order."""

    id: int
    source_id: int
    source: str
    url: str | None
    title: str | None
    text: str
    content_hash: str
    published_at: date | None
    created_at: datetime
    claims: tuple[ArticleClaim, ...]


def _stored(article: Article) -> StoredArticle:
    return StoredArticle(
        id=article.id,
        source_id=article.source_id,
        source=article.source.name,
        url=article.url,
        title=article.title,
        text=article.text,
        content_hash=article.content_hash,
        published_at=article.published_at,
        created_at=article.created_at,
        claims=tuple(
            ArticleClaim(
                id=claim.id,
                position=claim.position,
                text=claim.text,
                start=claim.start,
                end=claim.end,
                vector=np.frombuffer(claim.embedding, dtype=np.float32),
                facts=analysis_from_json(claim.analysis, claim.text, article.published_at),
            )
            for claim in article.claims
        ),
    )


class ArticleRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, article_id: int) -> StoredArticle | None:
        article = self.session.scalars(
            select(Article).where(Article.id == article_id).options(selectinload(Article.claims))
        ).first()
        return None if article is None else _stored(article)

    def find_duplicate(self, source_id: int, url: str | None, content_hash: str) -> int | None:
        """The id of the stored article with the same source and url, or the same source and
        text."""
        same = Article.content_hash == content_hash
        if url is not None:
            same = or_(same, Article.url == url)
        return self.session.scalar(
            select(Article.id).where(Article.source_id == source_id, same).order_by(Article.id)
        )

    def add_unless_stored(
        self,
        source_id: int,
        url: str | None,
        title: str | None,
        text: str,
        content_hash: str,
        published_at: date | None,
        claims: list[Claim],
    ) -> tuple[int, datetime] | None:
        """Store an article with its claims: its id and creation time; ``None``, storing
        nothing, when the source already has an article with this url or text (whatever stored
        it, and however concurrently). The claims get their ids."""
        stored = self.session.execute(
            insert_unless_exists(self.session, Article)
            .values(
                source_id=source_id,
                url=url,
                title=title,
                text=text,
                content_hash=content_hash,
                published_at=published_at,
            )
            .returning(Article.id, Article.created_at)
        ).one_or_none()
        if stored is None:
            return None
        article_id, created_at = stored
        for claim in claims:
            claim.article_id = article_id
        self.session.add_all(claims)
        self.session.flush()
        return article_id, created_at

    def exists(self, article_id: int) -> bool:
        return self.session.scalar(select(Article.id).where(Article.id == article_id)) is not None

    def claim_ids(self, article_id: int) -> list[int]:
        return list(self.session.scalars(select(Claim.id).where(Claim.article_id == article_id)))

    def delete(self, article_id: int) -> None:
        """Delete the article; its claims and their conflicts go with it (ON DELETE CASCADE)."""
        self.session.execute(delete(Article).where(Article.id == article_id))
        self.session.flush()

    def page(
        self, limit: int, after_id: int | None, source: str | None
    ) -> list[tuple[Article, int]]:
        """Articles newest first, with their claim counts."""
        claim_count = (
            select(func.count(Claim.id)).where(Claim.article_id == Article.id).scalar_subquery()
        )
        statement = select(Article, claim_count).order_by(Article.id.desc()).limit(limit)
        if after_id is not None:
            statement = statement.where(Article.id < after_id)
        if source is not None:
            statement = statement.join(Article.source).where(Source.name == source)
        return [(article, count) for article, count in self.session.execute(statement)]
