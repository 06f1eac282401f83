"""Conflicts: recording them once per claim pair, and reading and reviewing the feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app.config import FeedSettings
from app.conflicts.repository import ConflictRepository, PairCounts, StoredConflict
from app.conflicts.schemas import ConflictOut, ConflictPage, ConflictReview
from app.core.compare import QuantityConflict, Verdict
from app.db.base import utcnow
from app.db.codecs import details_to_json
from app.db.session import begin_write
from app.events import publish
from app.exceptions import InvalidInput, NotFound
from app.pagination import Paging
from app.pipeline import CrossChecker

ORDERS = ("newest", "severity", "oldest")


def record_conflict(
    session: Session, claim_id: int, other_id: int, similarity: float, verdict: Verdict
) -> bool:
    """Store the conflict between two stored claims, once per pair whatever the order;
    ``False`` when the pair already had one. The verdict compared (claim, other)."""
    swap = other_id < claim_id
    first, second = (other_id, claim_id) if swap else (claim_id, other_id)
    pairs = tuple(
        sorted(
            (_swapped(c) if swap else c for c in verdict.conflicts),
            key=lambda c: -c.severity,
        )
    )
    head = pairs[0]
    return ConflictRepository(session).add_unless_stored(
        {
            "claim_a_id": first,
            "claim_b_id": second,
            "similarity": similarity,
            "relative_gap": head.relative_gap,
            "severity": head.severity,
            "measure": head.measure,
            "rule": head.rule,
            "reason": verdict.reason,
            "details": details_to_json(pairs),
        }
    )


def _swapped(c: QuantityConflict) -> QuantityConflict:
    return QuantityConflict(
        a=c.b,
        b=c.a,
        measure=c.measure,
        relative_gap=c.relative_gap,
        rule=c.rule,
        severity=c.severity,
        basis=c.basis,
    )


def conflicts_of_claims(session: Session, claim_ids: Sequence[int]) -> list[StoredConflict]:
    """The stored conflicts of any of these claims, oldest first."""
    return ConflictRepository(session).for_claims(claim_ids)


def source_pairs(session: Session) -> list[PairCounts]:
    """For each pair of outlets, the conflicts between them by review status."""
    return ConflictRepository(session).pair_counts()


def feed_claim_ids(
    session: Session, checker: CrossChecker, q: str | None, settings: FeedSettings
) -> list[int] | None:
    """The claims the feed's semantic query ``q`` keeps (``None``: no query, every claim)."""
    if q is None:
        return None
    hits = checker.search_text(session, q, settings.query_neighbours)
    return [claim.id for claim, similarity in hits if similarity >= settings.query_min_similarity]


def get_conflict(session: Session, conflict_id: int) -> ConflictOut:
    """One stored conflict with its review history."""
    conflicts = ConflictRepository(session)
    conflict = conflicts.get(conflict_id)
    if conflict is None:
        raise NotFound(f"There is no conflict {conflict_id}.")
    return ConflictOut.of_stored(conflict, conflicts.history(conflict_id))


def list_conflicts(
    session: Session,
    paging: Paging,
    order: str,
    source: str | None,
    since: datetime | None,
    *,
    other_source: str | None = None,
    min_gap: float | None = None,
    status: str | None = None,
    claim_ids: Sequence[int] | None = None,
) -> ConflictPage:
    """One page of the feed.

    Paging and following are two cursors. ``next_page_token`` is the next page of this
    listing, null on the last one, in every order, so a client paging until it is null
    stops. ``order=oldest`` is also the order to follow the feed in: each of its pages carries
    ``follow_token``, the place after its last conflict (or the place it was asked from, when
    it is empty), to pass as ``page_token`` later for exactly the conflicts found since; ids
    grow in commit order because writers take turns (``begin_write``), so none is skipped."""
    if order not in ORDERS:
        raise InvalidInput(f"order must be one of {', '.join(ORDERS)}.")
    keys = {"id", "severity"} if order == "severity" else {"id"}
    after = paging.after(keys)
    rows = ConflictRepository(session).page(
        paging.size + 1,
        order,
        after,
        source,
        since,
        other_source=other_source,
        min_gap=min_gap,
        status=status,
        claim_ids=claim_ids,
    )
    items = [ConflictOut.of_stored(row) for row in rows[: paging.size]]
    next_token = None
    if len(rows) > paging.size:
        last = rows[paging.size - 1]
        position: dict[str, object] = {"id": last.id}
        if order == "severity":
            position["severity"] = last.severity
        next_token = paging.token_for(position)
    follow_token = None
    if order == "oldest":
        place = items[-1].id if items else (after["id"] if after else 0)
        follow_token = paging.token_for({"id": place})
    return ConflictPage(items=items, next_page_token=next_token, follow_token=follow_token)


def review_conflict(
    session: Session, conflict_id: int, review: ConflictReview, reviewer: str
) -> ConflictOut:
    """Record a fact-checker's verdict (and note) on a conflict, and who gave it: the one way
    a review is made (``PATCH /v1/conflicts/{id}`` and the desk both come here)."""
    begin_write(session)
    conflicts = ConflictRepository(session)
    current = conflicts.get(conflict_id)
    if current is None:
        raise NotFound(f"There is no conflict {conflict_id}.")
    note = review.note if "note" in review.model_fields_set else current.note
    conflicts.review(conflict_id, review.status, note, reviewer, utcnow())
    reviewed = get_conflict(session, conflict_id)
    publish(session, "conflict.reviewed", reviewed.model_dump(mode="json"))  # for webhooks
    return reviewed
