"""What every search backend does: the nearest stored claims to some vectors, one source left
out, and keeping itself in step with the claims written and deleted.

Two backends implement ``ClaimSearch`` (``app.search.create_search`` picks one for the
database): ``InProcessSearch`` for SQLite, a vector index in the process that replays the
database's change log, and ``PgVectorSearch`` for PostgreSQL, where pgvector searches in the
database itself. Callers never know which one they hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Hit:
    """A stored claim found near a vector."""

    claim_id: int
    similarity: float


class ClaimSearch(Protocol):
    """Nearest stored claims by cosine similarity (the vectors are L2-normalised)."""

    def catch_up(self, session: Session) -> None:
        """See every claim committed before the session's transaction began reading; at
        start-up, so that no request pays for a long catch-up. Call it before the session
        writes: a backend that replays a log must not replay uncommitted entries."""
        ...

    def nearest(
        self,
        session: Session,
        vectors: Sequence[Vector],
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[list[Hit]]:
        """For each vector, the ``k`` most similar stored claims from sources other than
        ``exclude_source_id``, at least ``min_similarity`` similar, best first. Catches up
        first (see ``catch_up``)."""
        ...

    def claims_added(self, session: Session, claim_ids: Sequence[int]) -> None:
        """Claims stored in the session's transaction: searchable once it commits."""
        ...

    def claims_removed(self, session: Session, claim_ids: Sequence[int]) -> None:
        """Claims deleted in the session's transaction: gone from searches once it commits."""
        ...

    def count(self) -> int:
        """Claims searchable now (for readiness; an estimate on a very large store)."""
        ...

    def close(self) -> None:
        """At shutdown: keep what should outlive the process (a saved graph)."""
        ...
