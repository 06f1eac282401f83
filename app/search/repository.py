"""The SQL of the in-process search: the change log it replays, the vectors it loads, and what
ties a saved graph to its database (``app/search/persist.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.db.models import Claim, IndexChange

_CHUNK = 500  # keeps IN (...) lists under every backend's parameter limit


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change log: a claim added to or removed from the store."""

    seq: int
    claim_id: int
    added: bool


# Built once: building a statement costs more than running it against SQLite, and this one
# runs before every search.
_CHANGES_SINCE = (
    select(IndexChange.seq, IndexChange.claim_id, IndexChange.added)
    .where(IndexChange.seq > bindparam("seq"))
    .order_by(IndexChange.seq)
)


class IndexLogRepository:
    def __init__(self, session: Session):
        self.session = session

    def changes_since(self, seq: int) -> list[Change]:
        # On the connection, not the ORM session: this runs before every search.
        rows = self.session.connection().execute(_CHANGES_SINCE, {"seq": seq})
        return [Change(s, c, a) for s, c, a in rows]

    def log(self, claim_ids: Iterable[int], added: bool) -> None:
        self.session.add_all(IndexChange(claim_id=cid, added=added) for cid in claim_ids)
        self.session.flush()

    def embeddings(self, claim_ids: Sequence[int]) -> tuple[list[int], list[int], np.ndarray]:
        """(ids, source ids, vectors) of those claims that still exist."""
        ids: list[int] = []
        sources: list[int] = []
        blobs: list[bytes] = []
        for start in range(0, len(claim_ids), _CHUNK):
            chunk = claim_ids[start : start + _CHUNK]
            rows = self.session.execute(
                select(Claim.id, Claim.source_id, Claim.embedding).where(Claim.id.in_(chunk))
            )
            for claim_id, source_id, blob in rows:
                ids.append(claim_id)
                sources.append(source_id)
                blobs.append(blob)
        if not ids:
            return ids, sources, np.zeros((0, 0), dtype=np.float32)
        vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1)
        return ids, sources, vectors

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
