"""The SQL of the in-process search: the change log it replays, the vectors it loads, and what
ties a saved graph to its database (``app/search/persist.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import BigInteger, bindparam, case, cast, func, select
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

    def log_summary(self, seq: int) -> str:
        """A digest of the whole change log up to ``seq``, computed by the database in one
        pass over the log's primary key (no row reaches Python): how many entries, adds and
        removals, the sum of the live claim ids, and two sums of a hash of each (seq, claim,
        add or remove) entry modulo primes. Two logs that differ in any entry, an add or a
        removal of any claim, differ here but by a vanishingly unlikely coincidence."""
        seq_ = cast(IndexChange.seq, BigInteger)
        claim = cast(IndexChange.claim_id, BigInteger)
        added = case((IndexChange.added, 1), else_=0)
        signed = case((IndexChange.added, claim), else_=-claim)
        row = self.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(added), 0),
                func.coalesce(func.sum(signed), 0),
                func.coalesce(func.sum((seq_ * 1_000_003 + claim * 7 + added) % 2_147_483_647), 0),
                func.coalesce(
                    func.sum((claim * 2_654_435_761 + seq_ * 40_503 + added) % 4_294_967_291), 0
                ),
            ).where(IndexChange.seq <= seq)
        ).one()
        return ":".join(str(int(value)) for value in row)

    def added_last(self, seq: int, limit: int) -> list[int]:
        """The last ``limit`` claims the log records as added up to ``seq``: where two copies
        of a database that went their own ways differ first."""
        return list(
            self.session.scalars(
                select(IndexChange.claim_id)
                .where(IndexChange.seq <= seq, IndexChange.added.is_(True))
                .order_by(IndexChange.seq.desc())
                .limit(limit)
            )
        )
