"""Search on SQLite: a vector index in the process, kept in step through the change log.

SQLite has no vector search of its own, so each process holds an index (``ApproximateIndex``:
exact while small, an HNSW graph once large) and every write appends to the ``index_changes``
log in the same transaction as the claims. Before each search the index replays the log from
the last position it saw, so a process sees the claims every other process (another worker, the
CLI) committed, and forgets the deleted ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.search.base import Hit, Vector
from app.search.index import VectorIndex
from app.search.repository import IndexLogRepository

SYNC_SLICE = 50_000
"""Claims whose vectors are read at once while replaying a long log (a start over a large
store), so that only one slice of vectors is in memory at a time."""


class InProcessSearch:
    """``ClaimSearch`` over an in-process ``VectorIndex`` and the database's change log."""

    def __init__(self, index: VectorIndex):
        self.index = index

    @property
    def seq(self) -> int:
        """The last change-log position the index has applied."""
        return self.index.seq

    def catch_up(self, session: Session) -> None:
        log = IndexLogRepository(session)
        changes = log.changes_since(self.index.seq)
        if not changes:
            return
        latest: dict[int, bool] = {}
        for change in changes:
            latest[change.claim_id] = change.added
        removed = [claim_id for claim_id, added in latest.items() if not added]
        added_ids = [claim_id for claim_id, added in latest.items() if added]
        # The position advances once everything is applied.
        for start in range(0, max(len(added_ids), 1), SYNC_SLICE):
            ids, sources, vectors = log.embeddings(added_ids[start : start + SYNC_SLICE])
            last = start + SYNC_SLICE >= len(added_ids)
            seq = changes[-1].seq if last else self.index.seq
            self.index.apply(seq, ids, sources, vectors, removed if last else [])

    def nearest(
        self,
        session: Session,
        vectors: Sequence[Vector],
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[list[Hit]]:
        self.catch_up(session)
        return [self.index.search(v, k, exclude_source_id, min_similarity) for v in vectors]

    def claims_added(self, session: Session, claim_ids: Sequence[int]) -> None:
        IndexLogRepository(session).log(claim_ids, added=True)

    def claims_removed(self, session: Session, claim_ids: Sequence[int]) -> None:
        IndexLogRepository(session).log(claim_ids, added=False)

    def count(self) -> int:
        return len(self.index)

    def close(self) -> None:
        close = getattr(self.index, "close", None)
        if close is not None:
            close()  # an ApproximateIndex saves its graph beside the database
