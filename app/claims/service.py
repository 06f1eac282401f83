"""Claims: checking text against the store without storing it, search, and the pairwise
verdict. The cross-check itself is ``app.pipeline.CrossChecker``; this renders it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.claims.schemas import (
    ArticleRef,
    CheckOut,
    ClaimOut,
    ClaimReading,
    CompareIn,
    CompareOut,
    MatchOut,
    ScoreParts,
    SearchHit,
    SearchResults,
)
from app.conflicts.schemas import ConflictOut, QuantityPair
from app.core.analysis import ClaimFacts
from app.pagination import Paging
from app.pipeline import CrossChecker, StoredClaim
from app.schemas import ClaimRef, QuantityOut
from app.search.fusion import Fused
from app.search.hybrid import SearchMode
from app.sources.repository import SourceRepository


def stored_ref(claim: StoredClaim) -> ClaimRef:
    return ClaimRef.model_validate(claim, from_attributes=True)  # the same field names


def check_text(
    session: Session,
    checker: CrossChecker,
    text: str,
    source: str | None,
    published_at: date | None,
    title: str | None,
) -> CheckOut:
    """The analysis an article would get, with nothing stored."""
    probes = checker.read(text, title, published_at)
    source_id = SourceRepository(session).committed_id(source) if source else None
    related = checker.relate(session, probes, source_id)
    claims = []
    for probe, rows in zip(probes, related, strict=True):
        own = ClaimRef(
            id=None,
            text=probe.claim.text,
            article_id=None,
            source=source,
            published_at=published_at,
        )
        conflicts = [
            ConflictOut.of_verdict(own, stored_ref(r.other), r.similarity, r.verdict)
            for r in rows
            if r.verdict.relation == "conflict"
        ]
        claims.append(
            ClaimOut(
                id=None,
                position=probe.claim.position,
                text=probe.claim.text,
                start=probe.claim.start,
                end=probe.claim.end,
                quantities=[QuantityOut.of(q) for q in probe.facts.quantities],
                matches=[
                    MatchOut(
                        claim=stored_ref(r.other),
                        similarity=r.similarity,
                        match_score=r.match_score,
                    )
                    for r in rows
                    if r.match
                ],
                conflicts=conflicts,
            )
        )
    return CheckOut(
        claims=claims,
        match_count=sum(len(c.matches) for c in claims),
        conflict_count=sum(len(c.conflicts) for c in claims),
    )


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Which stored claims a search may return (``None``: no such filter)."""

    source: str | None = None
    exclude_source: str | None = None
    since: date | None = None  # the article's publication date, inclusive
    until: date | None = None

    def admit(self, claim: StoredClaim) -> bool:
        if self.source is not None and claim.source != self.source:
            return False
        if self.exclude_source is not None and claim.source == self.exclude_source:
            return False
        if self.since is not None and (
            claim.published_at is None or claim.published_at < self.since
        ):
            return False
        return not (
            self.until is not None
            and (claim.published_at is None or claim.published_at > self.until)
        )


MAX_SEARCH_DEPTH = 1000
"""Hits a search pages through at most (each index is read this deep at most)."""


def search_claims(
    session: Session,
    checker: CrossChecker,
    query: str,
    mode: SearchMode,
    filters: SearchFilters,
    paging: Paging,
) -> SearchResults:
    """Stored claims for a free-text query, page by page: ranked by the mode's score, the
    filters applied to the candidates of each index (``CROSSCHECK_SEARCH_CANDIDATES`` of
    them, or as deep as the page)."""
    after = paging.after({"score", "id", "served"})
    served = int(after["served"]) if after else 0
    if served >= MAX_SEARCH_DEPTH:
        return SearchResults(query=query, mode=mode, items=[])
    excluded = (
        SourceRepository(session).committed_id(filters.exclude_source)
        if filters.exclude_source
        else None
    )
    found = checker.find(
        session, query, min(served + paging.size + 1, MAX_SEARCH_DEPTH), excluded, mode
    )
    hits = [(claim, fused) for claim, fused in found if filters.admit(claim)]
    if after is not None:
        hits = [
            (claim, fused)
            for claim, fused in hits
            if fused.score < after["score"]
            or (fused.score == after["score"] and claim.id > after["id"])
        ]
    page = hits[: paging.size]
    next_token = None
    if len(hits) > paging.size and served + len(page) < MAX_SEARCH_DEPTH:
        last_claim, last = page[-1]
        next_token = paging.token_for(
            {"score": last.score, "id": last_claim.id, "served": served + len(page)}
        )
    return SearchResults(
        query=query,
        mode=mode,
        items=[_search_hit(claim, fused) for claim, fused in page],
        next_page_token=next_token,
    )


def _search_hit(claim: StoredClaim, fused: Fused) -> SearchHit:
    candidate = fused.candidate
    return SearchHit(
        claim=stored_ref(claim),
        article=ArticleRef(
            id=claim.article_id,
            source=claim.source,
            title=claim.title,
            url=claim.url,
            published_at=claim.published_at,
        ),
        similarity=candidate.similarity,
        score=ScoreParts(
            score=fused.score,
            semantic_rank=candidate.semantic_rank,
            lexical=candidate.lexical,
            lexical_normalised=fused.lexical_normalised,
            lexical_rank=candidate.lexical_rank,
        ),
    )


def _reading(facts: ClaimFacts) -> ClaimReading:
    return ClaimReading(
        text=facts.text,
        quantities=[QuantityOut.of(q) for q in facts.quantities],
        event_from=facts.when.first if facts.when else None,
        event_to=facts.when.last if facts.when else None,
    )


def compare_texts(checker: CrossChecker, data: CompareIn) -> CompareOut:
    """The pairwise verdict on two claims, as if from two sources."""
    result = checker.compare(data.a.text, data.a.published_at, data.b.text, data.b.published_at)
    verdict = result.verdict
    pairs = sorted((QuantityPair.of(c) for c in verdict.conflicts), key=lambda p: -p.severity)
    return CompareOut(
        conflict=verdict.relation == "conflict",
        relation=verdict.relation,
        reason=verdict.reason,
        similarity=result.similarity,
        match=result.match,
        match_score=result.match_score,
        conflicts=pairs,
        a=_reading(result.a),
        b=_reading(result.b),
    )
