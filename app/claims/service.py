"""Claims: reading them out of text, embedding them, and relating them to the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from sqlalchemy.orm import Session

from app.articles.repository import ArticleRepository
from app.claims.repository import ClaimRepository, StoredClaim
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
from app.config import Settings
from app.conflicts.schemas import ConflictOut, QuantityPair
from app.core.analysis import ClaimFacts, analyse_claim
from app.core.claims import Claim as ClaimText
from app.core.claims import extract_claims
from app.core.compare import ComparePolicy, Verdict, compare_claims
from app.embeddings import Embedder
from app.exceptions import InvalidInput
from app.schemas import ClaimRef, QuantityOut
from app.search import ClaimSearch


@dataclass(frozen=True, slots=True)
class Probe:
    """A claim read from submitted text, ready to be related to the store."""

    claim: ClaimText
    facts: ClaimFacts
    vector: np.ndarray


@dataclass(frozen=True, slots=True)
class Related:
    """A stored claim from another source near a probe, and how the two relate."""

    other: ClaimRef
    similarity: float
    verdict: Verdict


def stored_ref(claim: StoredClaim) -> ClaimRef:
    return ClaimRef.model_validate(claim, from_attributes=True)  # the same field names


def policy_of(settings: Settings) -> ComparePolicy:
    return ComparePolicy(
        min_similarity=settings.matching.conflict_min_similarity,
        event_window_days=settings.matching.event_window_days,
    )


def check_text_length(text: str, settings: Settings) -> None:
    if not text.strip():
        raise InvalidInput("text is empty: send the article's text.")
    if len(text) > settings.limits.max_text_chars:
        raise InvalidInput(
            f"text has {len(text)} characters; the limit is {settings.limits.max_text_chars} "
            "(setting CROSSCHECK_MAX_TEXT_CHARS): split the article or raise the limit."
        )


def analyse_text(
    text: str,
    title: str | None,
    published_at: date | None,
    embedder: Embedder,
    settings: Settings,
) -> list[Probe]:
    """Claims of a text with their quantities and embeddings. CPU-bound: call off the loop."""
    claims = extract_claims(text, title=title, max_claims=settings.limits.max_claims_per_article)
    vectors = embedder.encode([claim.text for claim in claims])
    return [
        Probe(claim, analyse_claim(claim.text, published_at), vector)
        for claim, vector in zip(claims, vectors, strict=True)
    ]


@lru_cache(maxsize=50_000)
def stored_claim_facts(claim_id: int, text: str, published_at: date | None) -> ClaimFacts:
    """``analyse_claim`` of a stored claim, cached.

    Reading the quantities and dates of the ten neighbours was most of the CPU time of a
    ``/v1/check`` (about 1 ms each), and the same stored claims come back as neighbours again
    and again. A stored claim never changes (ids are not reused, and the text and date are in
    the key anyway), and ``ClaimFacts`` is immutable, so sharing one across threads is safe.
    """
    return analyse_claim(text, published_at)


def relate(
    session: Session,
    search: ClaimSearch,
    vectors: list[np.ndarray],
    facts: list[ClaimFacts],
    exclude_source_id: int | None,
    settings: Settings,
) -> list[list[Related]]:
    """For each claim, the nearest stored claims of other sources and the verdict on each."""
    floor = min(
        settings.matching.match_threshold,
        settings.matching.quantity_match_threshold,
        settings.matching.conflict_min_similarity,
    )
    k = settings.matching.neighbours
    hits = search.nearest(session, vectors, k, exclude_source_id, floor)
    stored = ClaimRepository(session).get_many(sorted({h.claim_id for hs in hits for h in hs}))
    others = {claim_id: stored_ref(claim) for claim_id, claim in stored.items()}
    other_facts = {
        claim_id: stored_claim_facts(claim_id, claim.text, claim.published_at)
        for claim_id, claim in stored.items()
    }
    policy = policy_of(settings)
    related: list[list[Related]] = []
    for own, claim_hits in zip(facts, hits, strict=True):
        row = []
        for hit in claim_hits:
            other = others.get(hit.claim_id)
            if other is None:  # deleted since the index saw it
                continue
            verdict = compare_claims(own, other_facts[hit.claim_id], hit.similarity, policy)
            row.append(Related(other, hit.similarity, verdict))
        related.append(row)
    return related


def is_match(related: Related, settings: Settings) -> bool:
    """Agreeing claims match when similar enough; a shared quantity is evidence in itself."""
    if related.verdict.relation != "agree":
        return False
    if related.verdict.agreements:
        return related.similarity >= settings.matching.quantity_match_threshold
    return related.similarity >= settings.matching.match_threshold


def matches_of(related: list[Related], settings: Settings) -> list[MatchOut]:
    return [
        MatchOut(claim=r.other, similarity=r.similarity) for r in related if is_match(r, settings)
    ]


def check_text(
    session: Session,
    search: ClaimSearch,
    embedder: Embedder,
    settings: Settings,
    text: str,
    source: str | None,
    published_at: date | None,
    title: str | None,
) -> CheckOut:
    """The analysis an article would get, with nothing stored."""
    check_text_length(text, settings)
    probes = analyse_text(text, title, published_at, embedder, settings)
    source_id = ArticleRepository(session).committed_source_id(source) if source else None
    related = relate(
        session, search, [p.vector for p in probes], [p.facts for p in probes], source_id, settings
    )
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
            ConflictOut.of_verdict(own, r.other, r.similarity, r.verdict)
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
                matches=matches_of(rows, settings),
                conflicts=conflicts,
            )
        )
    return CheckOut(
        claims=claims,
        match_count=sum(len(c.matches) for c in claims),
        conflict_count=sum(len(c.conflicts) for c in claims),
    )


def search_claims(
    session: Session, search: ClaimSearch, embedder: Embedder, query: str, k: int
) -> SearchResults:
    """The stored claims nearest to a free-text query, from any source."""
    if not query.strip():
        raise InvalidInput("q is empty: send the text to search for.")
    vector = embedder.encode([query])[0]
    [hits] = search.nearest(session, [vector], k, exclude_source_id=None, min_similarity=-1.0)
    claims = ClaimRepository(session).get_many([hit.claim_id for hit in hits])
    return SearchResults(
        query=query,
        items=[
            SearchHit(claim=stored_ref(claims[hit.claim_id]), similarity=hit.similarity)
            for hit in hits
            if hit.claim_id in claims
        ],
    )


def _reading(facts: ClaimFacts) -> ClaimReading:
    return ClaimReading(
        text=facts.text,
        quantities=[QuantityOut.of(q) for q in facts.quantities],
        event_from=facts.when.first if facts.when else None,
        event_to=facts.when.last if facts.when else None,
    )


def compare_texts(embedder: Embedder, settings: Settings, data: CompareIn) -> CompareOut:
    """The pairwise verdict on two claims, as if from two sources."""
    for side in (data.a, data.b):
        if not side.text.strip():
            raise InvalidInput("a claim's text is empty: send a sentence on each side.")
    a = analyse_claim(" ".join(data.a.text.split()), data.a.published_at)
    b = analyse_claim(" ".join(data.b.text.split()), data.b.published_at)
    vectors = embedder.encode([a.text, b.text])
    similarity = float(vectors[0] @ vectors[1])
    verdict = compare_claims(a, b, similarity, policy_of(settings))
    pairs = sorted((QuantityPair.of(c) for c in verdict.conflicts), key=lambda p: -p.severity)
    return CompareOut(
        conflict=verdict.relation == "conflict",
        relation=verdict.relation,
        reason=verdict.reason,
        similarity=similarity,
        conflicts=pairs,
        a=_reading(a),
        b=_reading(b),
    )
