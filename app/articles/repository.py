"""All SQL about sources and articles."""

from __future__ import annotations

import math
import weakref
from datetime import date

from sqlalchemy import Engine, bindparam, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.core.interval import Interval
from app.core.quantities import Quantity as QuantityFacts
from app.db.models import Article, Claim, Quantity, Source
from app.db.upsert import insert_unless_exists

_SOURCE_ID = select(Source.id).where(Source.name == bindparam("name"))
_SOURCE_IDS_KEPT = 100_000
_source_ids: weakref.WeakKeyDictionary[Engine, dict[str, int]] = weakref.WeakKeyDictionary()


class ArticleRepository:
    def __init__(self, session: Session):
        self.session = session

    def find_source(self, name: str) -> Source | None:
        return self.session.scalars(select(Source).where(Source.name == name)).first()

    def committed_source_id(self, name: str) -> int | None:
        """Id of the source ``name``, remembered per database once found.

        Sources are never deleted or renamed, so a found id stays right; an unknown name is
        asked again next time. Call it only in a session that has written nothing, so that
        what it finds is committed (an id from a transaction that then rolled back could be
        given to another source).
        """
        engine = self.session.get_bind()
        known = _source_ids.get(engine) if isinstance(engine, Engine) else None
        if known is not None and name in known:
            return known[name]
        source_id = self.session.connection().scalar(_SOURCE_ID, {"name": name})
        if source_id is not None and isinstance(engine, Engine):
            known = _source_ids.setdefault(engine, {})
            if len(known) >= _SOURCE_IDS_KEPT:
                known.clear()
            known[name] = source_id
        return source_id

    def get_or_create_source(self, name: str) -> Source:
        source = self.find_source(name)
        if source is not None:
            return source
        # A concurrent request may create the same source: whoever is second inserts nothing.
        self.session.execute(insert_unless_exists(self.session, Source, ["name"]).values(name=name))
        found = self.find_source(name)
        assert found is not None
        return found

    def get(self, article_id: int) -> Article | None:
        statement = (
            select(Article)
            .where(Article.id == article_id)
            .options(selectinload(Article.claims).selectinload(Claim.quantities))
        )
        return self.session.scalars(statement).first()

    def find_duplicate(self, source_id: int, url: str | None, content_hash: str) -> Article | None:
        """The stored article with the same source and url, or the same source and text."""
        same = Article.content_hash == content_hash
        if url is not None:
            same = or_(same, Article.url == url)
        return self.session.scalars(
            select(Article).where(Article.source_id == source_id, same).order_by(Article.id)
        ).first()

    def add_unless_stored(
        self,
        source_id: int,
        url: str | None,
        title: str | None,
        text: str,
        content_hash: str,
        published_at: date | None,
        claims: list[Claim],
    ) -> Article | None:
        """Store an article with its claims; ``None``, storing nothing, when the source already
        has an article with this url or text (whatever stored it, and however concurrently)."""
        article_id = self.session.execute(
            insert_unless_exists(self.session, Article)
            .values(
                source_id=source_id,
                url=url,
                title=title,
                text=text,
                content_hash=content_hash,
                published_at=published_at,
            )
            .returning(Article.id)
        ).scalar_one_or_none()
        if article_id is None:
            return None
        for claim in claims:
            claim.article_id = article_id
        self.session.add_all(claims)
        self.session.flush()
        article = self.get(article_id)
        assert article is not None
        return article

    def delete(self, article: Article) -> None:
        self.session.delete(article)
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


def quantity_row(position: int, quantity: QuantityFacts) -> Quantity:
    interval = quantity.interval
    return Quantity(
        position=position,
        text=quantity.text,
        start=quantity.start,
        end=quantity.end,
        value=quantity.value,
        low=None if math.isinf(interval.low) else interval.low,
        high=None if math.isinf(interval.high) else interval.high,
        low_open=interval.low_open,
        high_open=interval.high_open,
        kind=quantity.kind,
        unit=quantity.unit,
        noun=quantity.noun,
        predicate=quantity.predicate,
        qualifier=quantity.qualifier,
    )


def quantity_facts(row: Quantity) -> QuantityFacts:
    return QuantityFacts(
        text=row.text,
        start=row.start,
        end=row.end,
        value=row.value,
        interval=Interval(
            low=-math.inf if row.low is None else row.low,
            high=math.inf if row.high is None else row.high,
            low_open=row.low_open,
            high_open=row.high_open,
        ),
        kind=row.kind,
        unit=row.unit,
        noun=row.noun,
        predicate=row.predicate,
        qualifier=row.qualifier,
    )
