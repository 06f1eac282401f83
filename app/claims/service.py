"""Claims: checking text against the store without storing it, search, and the pairwise
verdict. The cross-check itself is ``app.pipeline.CrossChecker``; this renders it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.claims.schemas import (
    CheckOut,
    ClaimOut,
    ClaimReading,
    CompareIn,
    CompareOut,
    MatchOut,
    SearchHit,
    SearchResults,
)
from app.conflicts.schemas import ConflictOut, QuantityPair
from app.core.analysis import ClaimFacts
from app.pipeline import CrossChecker, StoredClaim
from app.schemas import ClaimRef, QuantityOut
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
                    MatchOut(claim=stored_ref(r.other), similarity=r.similarity)
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


def search_claims(session: Session, checker: CrossChecker, query: str, k: int) -> SearchResults:
    """The stored claims nearest to a free-text query, from any source."""
    hits = checker.search_text(session, query, k)
    return SearchResults(
        query=query,
        items=[SearchHit(claim=stored_ref(claim), similarity=sim) for claim, sim in hits],
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
        conflicts=pairs,
        a=_reading(result.a),
        b=_reading(result.b),
    )
