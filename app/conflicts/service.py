"""Conflicts: recording them once per claim pair, and reading the feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.conflicts.repository import ConflictRepository
from app.conflicts.schemas import ConflictOut, ConflictPage, QuantityPair, details_of
from app.core.compare import Verdict
from app.db.models import Claim, Conflict
from app.exceptions import InvalidInput, NotFound
from app.pagination import decode_page_token, encode_page_token
from app.schemas import ClaimRef

ORDERS = ("newest", "severity")


def claim_ref(claim: Claim) -> ClaimRef:
    article = claim.article
    return ClaimRef(
        id=claim.id,
        text=claim.text,
        article_id=claim.article_id,
        source=article.source.name,
        published_at=article.published_at,
        url=article.url,
        title=article.title,
    )


def conflict_out(conflict: Conflict) -> ConflictOut:
    return ConflictOut(
        id=conflict.id,
        created_at=conflict.created_at,
        a=claim_ref(conflict.claim_a),
        b=claim_ref(conflict.claim_b),
        measure=conflict.measure,
        rule=conflict.rule,
        reason=conflict.reason,
        similarity=conflict.similarity,
        relative_gap=conflict.relative_gap,
        severity=conflict.severity,
        quantities=[QuantityPair.model_validate(item) for item in conflict.details],
    )


def record_conflict(
    session: Session, claim: Claim, other: Claim, similarity: float, verdict: Verdict
) -> Conflict:
    """Store the conflict between two stored claims, once per pair whatever the order."""
    repository = ConflictRepository(session)
    first, second = (claim, other) if claim.id < other.id else (other, claim)
    existing = repository.find_pair(first.id, second.id)
    if existing is not None:
        return existing
    swap = first is not claim  # the verdict compared (claim, other)
    out = ConflictOut.of_verdict(
        claim_ref(first), claim_ref(second), similarity, verdict, swap=swap
    )
    return repository.add(
        Conflict(
            claim_a_id=first.id,
            claim_b_id=second.id,
            similarity=similarity,
            relative_gap=out.relative_gap,
            severity=out.severity,
            measure=out.measure,
            rule=out.rule,
            reason=out.reason,
            details=details_of(out.quantities),
        )
    )


def get_conflict(session: Session, conflict_id: int) -> ConflictOut:
    conflict = ConflictRepository(session).get(conflict_id)
    if conflict is None:
        raise NotFound(f"There is no conflict {conflict_id}.")
    return conflict_out(conflict)


def list_conflicts(
    session: Session,
    page_size: int,
    page_token: str | None,
    order: str,
    source: str | None,
    since: datetime | None,
) -> ConflictPage:
    if order not in ORDERS:
        raise InvalidInput(f"order must be one of {', '.join(ORDERS)}.")
    keys = {"id", "severity"} if order == "severity" else {"id"}
    after = decode_page_token(page_token, keys) if page_token else None
    rows = ConflictRepository(session).page(page_size + 1, order, after, source, since)
    items = [conflict_out(row) for row in rows[:page_size]]
    next_token = None
    if len(rows) > page_size:
        last = rows[page_size - 1]
        position: dict[str, object] = {"id": last.id}
        if order == "severity":
            position["severity"] = last.severity
        next_token = encode_page_token(position)
    return ConflictPage(items=items, next_page_token=next_token)
