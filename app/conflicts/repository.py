"""All SQL about conflicts. A conflict is read with both claims, their articles and sources in
one statement, so that a concurrent delete can never leave a read with half a conflict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.core.compare import QuantityConflict
from app.db.codecs import details_from_json
from app.db.models import Article, Claim, Conflict, ConflictReviewRecord, Source
from app.db.upsert import insert_unless_exists


@dataclass(frozen=True, slots=True)
class ConflictClaim:
    """One side of a conflict: the claim and where it comes from."""

    id: int
    text: str
    article_id: int
    source: str
    published_at: date | None
    url: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class StoredConflict:
    """A stored conflict with both claims and every disagreeing quantity pair."""

    id: int
    created_at: datetime
    a: ConflictClaim
    b: ConflictClaim
    measure: str
    rule: str
    reason: str
    similarity: float
    relative_gap: float
    severity: float
    pairs: tuple[QuantityConflict, ...]
    status: str
    note: str | None
    reviewed_at: datetime | None
    reviewed_by: str | None


@dataclass(frozen=True, slots=True)
class StoredReview:
    """One review of a conflict, as it was made."""

    id: int
    conflict_id: int
    reviewer: str | None
    status: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PairCounts:
    """The conflicts between two outlets, by review status."""

    source: str
    other_source: str
    conflicts: int
    new: int
    confirmed: int
    dismissed: int


_claim_a, _claim_b = aliased(Claim), aliased(Claim)
_article_a, _article_b = aliased(Article), aliased(Article)
_source_a, _source_b = aliased(Source), aliased(Source)


def _side(claim: Any, article: Any, source: Any) -> tuple[ColumnElement[Any], ...]:
    return (
        claim.id,
        claim.text,
        claim.article_id,
        source.name,
        article.published_at,
        article.url,
        article.title,
    )


_SIDE = len(_side(_claim_a, _article_a, _source_a))
_READ: Select[Any] = (
    select(
        Conflict.id,
        Conflict.created_at,
        Conflict.measure,
        Conflict.rule,
        Conflict.reason,
        Conflict.similarity,
        Conflict.relative_gap,
        Conflict.severity,
        Conflict.details,
        Conflict.status,
        Conflict.note,
        Conflict.reviewed_at,
        Conflict.reviewed_by,
        *_side(_claim_a, _article_a, _source_a),
        *_side(_claim_b, _article_b, _source_b),
    )
    .join(_claim_a, Conflict.claim_a_id == _claim_a.id)
    .join(_article_a, _claim_a.article_id == _article_a.id)
    .join(_source_a, _article_a.source_id == _source_a.id)
    .join(_claim_b, Conflict.claim_b_id == _claim_b.id)
    .join(_article_b, _claim_b.article_id == _article_b.id)
    .join(_source_b, _article_b.source_id == _source_b.id)
)


def _stored(row: Any) -> StoredConflict:
    head = 13
    a = ConflictClaim(*row[head : head + _SIDE])
    b = ConflictClaim(*row[head + _SIDE : head + 2 * _SIDE])
    return StoredConflict(
        id=row.id,
        created_at=row.created_at,
        a=a,
        b=b,
        measure=row.measure,
        rule=row.rule,
        reason=row.reason,
        similarity=row.similarity,
        relative_gap=row.relative_gap,
        severity=row.severity,
        pairs=details_from_json(row.details),
        status=row.status,
        note=row.note,
        reviewed_at=row.reviewed_at,
        reviewed_by=row.reviewed_by,
    )


def _source_id(name: str | None) -> ColumnElement[Any]:
    return select(Source.id).where(Source.name == name).scalar_subquery()


class ConflictRepository:
    def __init__(self, session: Session):
        self.session = session

    def _read(self, statement: Select[Any]) -> list[StoredConflict]:
        return [_stored(row) for row in self.session.execute(statement)]

    def get(self, conflict_id: int) -> StoredConflict | None:
        found = self._read(_READ.where(Conflict.id == conflict_id))
        return found[0] if found else None

    def add_unless_stored(self, values: dict[str, Any]) -> bool:
        """Store a conflict; ``False``, storing nothing, when its claim pair already has one."""
        outlets = {
            f"source_{side}_id": select(Claim.source_id)
            .where(Claim.id == values[f"claim_{side}_id"])
            .scalar_subquery()
            for side in "ab"
        }
        inserted = self.session.execute(
            insert_unless_exists(self.session, Conflict, ["claim_a_id", "claim_b_id"])
            .values(**values, **outlets)
            .returning(Conflict.id)
        ).scalar_one_or_none()
        return inserted is not None

    def for_claims(self, claim_ids: Sequence[int]) -> list[StoredConflict]:
        """The conflicts of any of the claims, oldest first."""
        if not claim_ids:
            return []
        statement = _READ.where(
            or_(Conflict.claim_a_id.in_(claim_ids), Conflict.claim_b_id.in_(claim_ids))
        )
        return self._read(statement.order_by(Conflict.id))

    def after(self, after_id: int, limit: int) -> list[StoredConflict]:
        """Conflicts with ids above ``after_id``, in id order."""
        return self._read(_READ.where(Conflict.id > after_id).order_by(Conflict.id).limit(limit))

    def last_id(self) -> int:
        return self.session.scalar(select(Conflict.id).order_by(Conflict.id.desc()).limit(1)) or 0

    def page(
        self,
        limit: int,
        order: str,
        after: dict[str, Any] | None,
        source: str | None,
        since: datetime | None,
        *,
        other_source: str | None = None,
        min_gap: float | None = None,
        status: str | None = None,
        claim_ids: Sequence[int] | None = None,
    ) -> list[StoredConflict]:
        """One page of the feed (newest, most severe or oldest first), keyset-paginated.

        ``source`` and ``other_source`` together: one claim from each; either alone: a claim
        from it. ``claim_ids``: one of the two claims among them.
        """
        statement = _READ
        # By the conflicts' own outlet columns (indexed), not the joined names: a pair of
        # outlets is found without reading every conflict newer than its own.
        if source is not None and other_source is not None:
            one, other = _source_id(source), _source_id(other_source)
            statement = statement.where(
                or_(
                    (Conflict.source_a_id == one) & (Conflict.source_b_id == other),
                    (Conflict.source_a_id == other) & (Conflict.source_b_id == one),
                )
            )
        elif source is not None or other_source is not None:
            either = _source_id(source if source is not None else other_source)
            statement = statement.where(
                or_(Conflict.source_a_id == either, Conflict.source_b_id == either)
            )
        if since is not None:
            statement = statement.where(Conflict.created_at >= since)
        if min_gap is not None:
            statement = statement.where(Conflict.relative_gap >= min_gap)
        if status is not None:
            statement = statement.where(Conflict.status == status)
        if claim_ids is not None:
            statement = statement.where(
                or_(Conflict.claim_a_id.in_(claim_ids), Conflict.claim_b_id.in_(claim_ids))
            )
        if order == "oldest":
            if after is not None:
                statement = statement.where(Conflict.id > after["id"])
            statement = statement.order_by(Conflict.id.asc())
        elif order == "severity":
            if after is not None:
                statement = statement.where(
                    or_(
                        Conflict.severity < after["severity"],
                        (Conflict.severity == after["severity"]) & (Conflict.id < after["id"]),
                    )
                )
            statement = statement.order_by(Conflict.severity.desc(), Conflict.id.desc())
        else:
            if after is not None:
                statement = statement.where(Conflict.id < after["id"])
            statement = statement.order_by(Conflict.id.desc())
        return self._read(statement.limit(limit))

    def pair_counts(self) -> list[PairCounts]:
        """Conflicts per pair of outlets (names in order), most conflicts first; counted on
        the conflicts' own outlet columns (one index, no join)."""
        rows = self.session.execute(
            select(Conflict.source_a_id, Conflict.source_b_id, Conflict.status, func.count())
            .where(Conflict.source_a_id.is_not(None), Conflict.source_b_id.is_not(None))
            .group_by(Conflict.source_a_id, Conflict.source_b_id, Conflict.status)
        ).all()
        names = {row.id: row.name for row in self.session.execute(select(Source.id, Source.name))}
        counts: dict[tuple[str, str], dict[str, int]] = {}
        for first, second, status, count in rows:
            pair = tuple(sorted((names[first], names[second])))
            place = counts.setdefault((pair[0], pair[1]), {})
            place[status] = place.get(status, 0) + count
        found = [
            PairCounts(
                source=pair[0],
                other_source=pair[1],
                conflicts=sum(by_status.values()),
                new=by_status.get("new", 0),
                confirmed=by_status.get("confirmed", 0),
                dismissed=by_status.get("dismissed", 0),
            )
            for pair, by_status in counts.items()
        ]
        return sorted(found, key=lambda p: (-p.conflicts, p.source, p.other_source))

    def review(
        self,
        conflict_id: int,
        status: str,
        note: str | None,
        reviewer: str,
        reviewed_at: datetime,
    ) -> bool:
        """Record a review, on the conflict and in its history; ``False`` when there is no
        such conflict."""
        conflict = self.session.get(Conflict, conflict_id)
        if conflict is None:
            return False
        conflict.status = status
        conflict.note = note
        conflict.reviewed_at = reviewed_at
        conflict.reviewed_by = reviewer
        self.session.add(
            ConflictReviewRecord(
                conflict_id=conflict_id,
                reviewer=reviewer,
                status=status,
                note=note,
                created_at=reviewed_at,
            )
        )
        self.session.flush()
        return True

    def history(self, conflict_id: int) -> list[StoredReview]:
        """Every review of the conflict, oldest first."""
        rows = self.session.scalars(
            select(ConflictReviewRecord)
            .where(ConflictReviewRecord.conflict_id == conflict_id)
            .order_by(ConflictReviewRecord.id)
        )
        return [
            StoredReview(
                id=row.id,
                conflict_id=row.conflict_id,
                reviewer=row.reviewer,
                status=row.status,
                note=row.note,
                created_at=row.created_at,
            )
            for row in rows
        ]
