"""Articles: reading, listing and deleting them (the ingest spans features:
``app.articles.flows``)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from app.articles.repository import ArticleRepository, StoredArticle
from app.articles.schemas import ArticlePage, ArticleSummary
from app.db.models import Article
from app.exceptions import NotFound
from app.pagination import Paging


def content_hash(text: str) -> str:
    """Identity of an article's text: whitespace differences do not make a new article."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def get_article(session: Session, article_id: int) -> StoredArticle:
    article = ArticleRepository(session).get(article_id)
    if article is None:
        raise NotFound(f"There is no article {article_id}.")
    return article


def summary_of(article: Article | StoredArticle, claim_count: int) -> ArticleSummary:
    source = article.source if isinstance(article, StoredArticle) else article.source.name
    return ArticleSummary(
        id=article.id,
        source=source,
        url=article.url,
        title=article.title,
        published_at=article.published_at,
        created_at=article.created_at,
        claim_count=claim_count,
    )


def list_articles(session: Session, paging: Paging, source: str | None) -> ArticlePage:
    after = paging.after({"id"})
    rows = ArticleRepository(session).page(paging.size + 1, after["id"] if after else None, source)
    items = [summary_of(article, count) for article, count in rows[: paging.size]]
    more = len(rows) > paging.size
    next_token = paging.token_for({"id": items[-1].id}) if more else None
    return ArticlePage(items=items, next_page_token=next_token)
