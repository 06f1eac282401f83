"""The SQL of the cross-check: the stored claims found near a text, with their provenance and
their stored analysis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.core.analysis import ClaimFacts, analyse_claim
from app.db.codecs import analysis_from_json, analysis_to_json, is_current
from app.db.models import Article, Claim, Source

_CHUNK = 500  # keeps IN (...) lists under every backend's parameter limit


@dataclass(frozen=True, slots=True)
class StoredClaim:
    """A stored claim, where it comes from, and what the reader found in it."""

    id: int
    text: str
    article_id: int
    source: str
    published_at: date | None
    url: str | None
    title: str | None
    facts: ClaimFacts


# Built once: building a statement costs more than running it against SQLite, and this runs
# for the neighbours of every check.
_STORED_CLAIMS = (
    select(
        Claim.id,
        Claim.text,
        Claim.article_id,
        Source.name,
        Article.published_at,
        Article.url,
        Article.title,
        Claim.analysis,
    )
    .join(Article, Claim.article_id == Article.id)
    .join(Source, Article.source_id == Source.id)
    .where(Claim.id.in_(bindparam("ids", expanding=True)))
)


class StoredClaimRepository:
    def __init__(self, session: Session):
        self.session = session

    def get_many(self, claim_ids: Sequence[int]) -> dict[int, StoredClaim]:
        """Those of the claims that are stored, by id, as plain rows (building ORM objects
        with their article and source was a sixth of a check's time)."""
        found: dict[int, StoredClaim] = {}
        connection = self.session.connection()
        for start in range(0, len(claim_ids), _CHUNK):
            rows = connection.execute(_STORED_CLAIMS, {"ids": claim_ids[start : start + _CHUNK]})
            for claim_id, text, article_id, source, published_at, url, title, analysis in rows:
                facts = analysis_from_json(analysis, text, published_at)
                found[claim_id] = StoredClaim(
                    claim_id, text, article_id, source, published_at, url, title, facts
                )
        return found

    def reanalyse(self, after_id: int, limit: int) -> tuple[int, int]:
        """Analyse again the claims after ``after_id`` (up to ``limit`` of them) whose stored
        analysis is missing or from another reader version; (last id seen, claims rewritten).
        The last id is ``after_id`` when no claim is left."""
        rows = self.session.execute(
            select(Claim.id, Claim.text, Article.published_at, Claim.analysis)
            .join(Article, Claim.article_id == Article.id)
            .where(Claim.id > after_id)
            .order_by(Claim.id)
            .limit(limit)
        ).all()
        rewritten = 0
        for claim_id, text, published_at, analysis in rows:
            if is_current(analysis):
                continue
            fresh = analysis_to_json(analyse_claim(text, published_at))
            self.session.execute(update(Claim).where(Claim.id == claim_id).values(analysis=fresh))
            rewritten += 1
        self.session.flush()
        return (rows[-1][0] if rows else after_id), rewritten
