"""The SQL that ties a saved search index to its database (``app/search/persist.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Claim, IndexChange


class IndexLogRepository:
    def __init__(self, session: Session):
        self.session = session

    def claim_logged_at(self, seq: int) -> int | None:
        """The claim the change log records at ``seq``; ``None`` if it has no such entry."""
        return self.session.scalar(select(IndexChange.claim_id).where(IndexChange.seq == seq))

    def stored_vectors(self, claim_ids: Sequence[int]) -> dict[int, tuple[int, bytes]]:
        """(source id, embedding bytes) of those of a few claims that are stored, by id."""
        rows = self.session.execute(
            select(Claim.id, Claim.source_id, Claim.embedding).where(Claim.id.in_(claim_ids))
        )
        return {claim_id: (source_id, blob) for claim_id, source_id, blob in rows}

    def removed_after(self, seq: int, claim_ids: Sequence[int]) -> set[int]:
        """Those of a few claims whose removal the log records after ``seq``."""
        rows = self.session.scalars(
            select(IndexChange.claim_id).where(
                IndexChange.seq > seq,
                IndexChange.added.is_(False),
                IndexChange.claim_id.in_(claim_ids),
            )
        )
        return set(rows)
