"""Conflicts: recording them once per claim pair, and reading the feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app.conflicts.repository import ConflictRepository
from app.conflicts.schemas import (
    ConflictOut,
    ConflictPage,
    ConflictReview,
    QuantityPair,
    details_of,
)
from app.core.compare import Verdict
from app.db.base import utcnow
from app.db.models import Claim, Conflict
from app.db.session import begin_write
from app.exceptions import InvalidInput, NotFound
from app.pagination import decode_page_token, encode_page_token
from app.schemas import ClaimRef

ORDERS = ("newest", "severity", "oldest")


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
        status=conflict.status,
        note=conflict.note,
        reviewed_at=conflict.reviewed_at,
    )


def record_conflict(
    session: Session, claim: ClaimRef, other: ClaimRef, similarity: float, verdict: Verdict
) -> bool:
    """Store the conflict between two stored claims, once per pair whatever the order;
    ``False`` when the pair already had one."""
    assert claim.id is not None
    assert other.id is not None
    swap = other.id < claim.id  # the verdict compared (claim, other)
    first, second = (other, claim) if swap else (claim, other)
    out = ConflictOut.of_verdict(first, second, similarity, verdict, swap=swap)
    return ConflictRepository(session).add_unless_stored(
        {
            "claim_a_id": first.id,
            "claim_b_id": second.id,
            "similarity": similarity,
            "relative_gap": out.relative_gap,
            "severity": out.severity,
            "measure": out.measure,
            "rule": out.rule,
            "reason": out.reason,
            "details": details_of(out.quantities),
        }
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
    *,
    other_source: str | None = None,
    min_gap: float | None = None,
    status: str | None = None,
    claim_ids: Sequence[int] | None = None,
) -> ConflictPage:
    """One page of the feed. ``order=oldest`` is for followers: its ``next_page_token`` is
    set even on the last page (and kept on an empty one), so that polling with it later
    returns exactly the conflicts found since; ids grow in commit order because writers take
    turns (``begin_write``), so none is skipped."""
    if order not in ORDERS:
        raise InvalidInput(f"order must be one of {', '.join(ORDERS)}.")
    keys = {"id", "severity"} if order == "severity" else {"id"}
    after = decode_page_token(page_token, keys) if page_token else None
    rows = ConflictRepository(session).page(
        page_size + 1,
        order,
        after,
        source,
        since,
        other_source=other_source,
        min_gap=min_gap,
        status=status,
        claim_ids=claim_ids,
    )
    items = [conflict_out(row) for row in rows[:page_size]]
    next_token = None
    if order == "oldest":
        next_token = encode_page_token({"id": items[-1].id}) if items else page_token
    elif len(rows) > page_size:
        last = rows[page_size - 1]
        position: dict[str, object] = {"id": last.id}
        if order == "severity":
            position["severity"] = last.severity
        next_token = encode_page_token(position)
    return ConflictPage(items=items, next_page_token=next_token)


def review_conflict(session: Session, conflict_id: int, review: ConflictReview) -> ConflictOut:
    """Record a fact-checker's verdict (and note) on a conflict."""
    begin_write(session)
    conflicts = ConflictRepository(session)
    conflict = conflicts.get(conflict_id)
    if conflict is None:
        raise NotFound(f"There is no conflict {conflict_id}.")
    note = review.note if "note" in review.model_fields_set else conflict.note
    conflicts.review(conflict, review.status, note, utcnow())
    return conflict_out(conflict)
