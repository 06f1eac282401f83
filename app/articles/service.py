"""Articles: ingest (analyse, then store once), read, list and delete."""

from __future__ import annotations

import hashlib

import numpy as np
from sqlalchemy.orm import Session

from app.articles.repository import ArticleRepository, quantity_facts, quantity_row
from app.articles.schemas import ArticleIn, ArticleOut, ArticlePage, ArticleSummary
from app.claims.schemas import ClaimOut
from app.claims.service import (
    Related,
    analyse_text,
    check_text_length,
    matches_of,
    relate,
)
from app.config import Settings
from app.conflicts.repository import ConflictRepository
from app.conflicts.service import claim_ref, conflict_out, record_conflict
from app.core.analysis import analyse_claim
from app.db.models import Article, Claim
from app.db.session import begin_write
from app.embeddings import Embedder
from app.exceptions import AlreadyExists, NotFound
from app.pagination import decode_page_token, encode_page_token
from app.schemas import QuantityOut
from app.search import ClaimSearch


def content_hash(text: str) -> str:
    """Identity of an article's text: whitespace differences do not make a new article."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def create_article(
    session: Session,
    search: ClaimSearch,
    embedder: Embedder,
    settings: Settings,
    data: ArticleIn,
) -> tuple[ArticleOut, bool]:
    """Store an article with its claims and conflicts; ``False`` when it was already stored.

    The model runs before the write transaction opens, so a slow encode never holds the
    database's write lock; detection and writes then happen in one short transaction.
    """
    check_text_length(data.text, settings)
    url = str(data.url) if data.url is not None else None
    digest = content_hash(data.text)
    probes = analyse_text(data.text, data.title, data.published_at, embedder, settings)

    # One writer at a time from here to the commit (see begin_write): the duplicate check and
    # the search below see every article committed before, including concurrent ones.
    begin_write(session)
    articles = ArticleRepository(session)
    source = articles.get_or_create_source(data.source)
    existing = articles.find_duplicate(source.id, url, digest)
    if existing is None:
        related = relate(
            session,
            search,
            [p.vector for p in probes],
            [p.facts for p in probes],
            source.id,
            settings,
        )
        claims = [
            Claim(
                source_id=source.id,
                position=p.claim.position,
                text=p.claim.text,
                start=p.claim.start,
                end=p.claim.end,
                embedding=np.asarray(p.vector, dtype=np.float32).tobytes(),
                quantities=[quantity_row(i, q) for i, q in enumerate(p.facts.quantities)],
            )
            for p in probes
        ]
        article = articles.add_unless_stored(
            source.id, url, data.title, data.text, digest, data.published_at, claims
        )
        if article is not None:
            search.claims_added(session, [claim.id for claim in claims])
            for claim, rows in zip(claims, related, strict=True):
                for r in rows:
                    if r.verdict.relation == "conflict":
                        record_conflict(session, claim_ref(claim), r.other, r.similarity, r.verdict)
            session.flush()
            return render_article(session, search, settings, article, related), True
        # Stored by a writer that did not take the lock: ON CONFLICT kept it single.
        existing = articles.find_duplicate(source.id, url, digest)
        assert existing is not None

    if existing.content_hash != digest:
        raise AlreadyExists(
            f"Article {existing.id} from {data.source!r} already has the url {url} with "
            "a different text; DELETE it first to replace it."
        )
    return render_article(session, search, settings, existing), False


def render_article(
    session: Session,
    search: ClaimSearch,
    settings: Settings,
    article: Article,
    related: list[list[Related]] | None = None,
) -> ArticleOut:
    """An article with each claim's live matches and stored conflicts."""
    claims = article.claims
    if related is None:
        vectors = [np.frombuffer(c.embedding, dtype=np.float32) for c in claims]
        facts = [analyse_claim(c.text, article.published_at) for c in claims]
        related = relate(session, search, vectors, facts, article.source_id, settings)
    stored = ConflictRepository(session).for_claims([c.id for c in claims])
    out_claims = []
    for claim, rows in zip(claims, related, strict=True):
        own = [c for c in stored if claim.id in (c.claim_a_id, c.claim_b_id)]
        out_claims.append(
            ClaimOut(
                id=claim.id,
                position=claim.position,
                text=claim.text,
                start=claim.start,
                end=claim.end,
                quantities=[QuantityOut.of(quantity_facts(q)) for q in claim.quantities],
                matches=matches_of(rows, settings),
                conflicts=[conflict_out(c) for c in own],
            )
        )
    return ArticleOut(
        **summary_of(article, len(claims)).model_dump(),
        match_count=sum(len(c.matches) for c in out_claims),
        conflict_count=len(stored),
        claims=out_claims,
    )


def summary_of(article: Article, claim_count: int) -> ArticleSummary:
    return ArticleSummary(
        id=article.id,
        source=article.source.name,
        url=article.url,
        title=article.title,
        published_at=article.published_at,
        created_at=article.created_at,
        claim_count=claim_count,
    )


def get_article(
    session: Session, search: ClaimSearch, settings: Settings, article_id: int
) -> ArticleOut:
    article = ArticleRepository(session).get(article_id)
    if article is None:
        raise NotFound(f"There is no article {article_id}.")
    return render_article(session, search, settings, article)


def delete_article(session: Session, search: ClaimSearch, article_id: int) -> None:
    """Remove an article with its claims, quantities and conflicts."""
    begin_write(session)
    articles = ArticleRepository(session)
    article = articles.get(article_id)
    if article is None:
        raise NotFound(f"There is no article {article_id}.")
    search.claims_removed(session, [claim.id for claim in article.claims])
    articles.delete(article)


def list_articles(
    session: Session, page_size: int, page_token: str | None, source: str | None
) -> ArticlePage:
    after = decode_page_token(page_token, {"id"})["id"] if page_token else None
    rows = ArticleRepository(session).page(page_size + 1, after, source)
    items = [summary_of(article, count) for article, count in rows[:page_size]]
    next_token = encode_page_token({"id": items[-1].id}) if len(rows) > page_size else None
    return ArticlePage(items=items, next_page_token=next_token)
