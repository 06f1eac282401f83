"""Nearest-neighbour search inside PostgreSQL, on pgvector's HNSW cosine index.

Nothing is copied into the process: every search is a query in the caller's transaction, so
each worker and replica sees every claim the moment it is committed.

Leaving out the asking claim's own source must not cost recall. An HNSW scan in pgvector 0.6
yields at most ``hnsw.ef_search`` candidates and a ``WHERE source_id <> s`` filter is applied
after it (iterative index scans only arrived in pgvector 0.8), so when the nearest claims are
mostly from ``s`` the filtered query silently returns fewer than k rows, or none. The search
here therefore over-fetches: it asks the index for the nearest ``n`` claims of any source with
``ef_search = n`` and filters them itself, widening ``n`` fourfold until k claims of other
sources are found, the candidates fall below the similarity floor (everything further is
further still), or ``n`` reaches pgvector's ceiling of 1000. Past that ceiling, or whenever the
index returns fewer rows than asked (a small table, or a sparse graph after deletes), it falls
back to an exact scan restricted to the other sources' claims: exact by construction, and cheap
exactly when it is needed, since a store dominated by one source holds few claims of the others,
which the planner reaches through the ``source_id`` index. The common case is one index query.
(pgvector 0.8's ``hnsw.iterative_scan`` would let the filtered scan itself continue; the
fallback keeps 0.6 exact without it.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pgvector.sqlalchemy import VECTOR
from sqlalchemy import ColumnElement, Engine, Float, bindparam, cast, func, select, text
from sqlalchemy.orm import Session

from app.db.models import EMBEDDING_DIMENSION, Claim, Source
from app.search.base import Hit, Vector

EF_SEARCH_MAX = 1000  # pgvector's upper bound for hnsw.ef_search
FIRST_FETCH = 40  # pgvector's default ef_search
WIDENING = 4
_EXACT_COUNT_UP_TO = 1_000_000  # beyond this, readiness reports the planner's estimate
_EF_SEARCH_KEY = "crosscheck.hnsw.ef_search"  # (transaction, value) last set by SET LOCAL


@dataclass(frozen=True, slots=True)
class _Candidate:
    claim_id: int
    source_id: int
    similarity: float


class PgVectorSearch:
    """``ClaimSearch`` over ``claims.embedding``, run by PostgreSQL (see the module docstring).

    Every worker and replica sees the same table, so there is nothing to catch up with and no
    change to record: the HNSW index is maintained by the database with the rows.
    """

    def __init__(self, engine: Engine, dimension: int):
        if dimension != EMBEDDING_DIMENSION:
            raise ValueError(
                f"the model encodes {dimension}-dimensional vectors but the PostgreSQL schema "
                f"stores vector({EMBEDDING_DIMENSION}): use a {EMBEDDING_DIMENSION}-dimensional "
                "model, or migrate the column"
            )
        self._engine = engine
        self._dimension = dimension

    def catch_up(self, session: Session) -> None:
        return None  # every committed claim is in the table already

    def claims_added(self, session: Session, claim_ids: Sequence[int]) -> None:
        return None  # the HNSW index follows the rows

    def claims_removed(self, session: Session, claim_ids: Sequence[int]) -> None:
        return None

    def close(self) -> None:
        return None

    def count(self) -> int:
        """Claims searchable now (the planner's estimate once the table is very large)."""
        with self._engine.connect() as connection:
            estimate = connection.execute(
                text("SELECT reltuples::bigint FROM pg_class WHERE oid = 'claims'::regclass")
            ).scalar_one()
            if estimate > _EXACT_COUNT_UP_TO:
                return int(estimate)
            return int(connection.execute(select(func.count()).select_from(Claim)).scalar_one())

    def nearest(
        self,
        session: Session,
        vectors: Sequence[Vector],
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[list[Hit]]:
        return [self._search(session, v, k, exclude_source_id, min_similarity) for v in vectors]

    def _search(
        self,
        session: Session,
        query: Vector,
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[Hit]:
        """The k claims most similar to ``query``, best first, from sources other than
        ``exclude_source_id``, with a similarity of at least ``min_similarity``."""
        if k <= 0:
            return []
        vector = np.asarray(query, dtype=np.float32)
        fetch = max(FIRST_FETCH, WIDENING * k)
        while True:
            fetch = min(fetch, EF_SEARCH_MAX)
            candidates = self._approximate(session, vector, fetch)
            hits = [
                Hit(c.claim_id, c.similarity)
                for c in candidates
                if c.source_id != exclude_source_id and c.similarity >= min_similarity
            ][:k]
            if len(hits) == k:
                return hits
            if candidates and candidates[-1].similarity < min_similarity:
                return hits  # the next candidates are further still
            if len(candidates) < fetch or fetch == EF_SEARCH_MAX:
                break
            fetch *= WIDENING
        return self._exact(session, vector, k, exclude_source_id, min_similarity)

    def _distance(self, vector: Vector) -> ColumnElement[float]:
        query = cast(bindparam("query", vector, type_=VECTOR(self._dimension)), VECTOR)
        return Claim.embedding.op("<=>", return_type=Float)(query)

    def _ensure_ef_search(self, session: Session, fetch: int) -> None:
        """Let the index scan return ``fetch`` rows; set once per transaction, not per claim."""
        session.connection()  # begins the transaction that SET LOCAL lasts for
        transaction = session.get_transaction()
        known = session.info.get(_EF_SEARCH_KEY)
        if known is not None and known[0] is transaction and known[1] >= fetch:
            return
        session.execute(
            text("SELECT set_config('hnsw.ef_search', :value, true)"), {"value": str(fetch)}
        )
        session.info[_EF_SEARCH_KEY] = (transaction, fetch)

    def _approximate(self, session: Session, vector: Vector, fetch: int) -> list[_Candidate]:
        """The ``fetch`` nearest claims of any source, through the HNSW index."""
        self._ensure_ef_search(session, fetch)
        distance = self._distance(vector)
        # No WHERE clause: a filter would be applied after the index scan and cut it short.
        # Nor a tie-breaking sort key: the index serves ``ORDER BY embedding <=> q`` alone.
        statement = select(Claim.id, Claim.source_id, distance).order_by(distance).limit(fetch)
        return [
            _Candidate(claim_id, source_id, 1.0 - float(d))
            for claim_id, source_id, d in session.execute(statement)
        ]

    def _exact(
        self,
        session: Session,
        vector: Vector,
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[Hit]:
        """An exact scan; ordering by similarity (not distance) keeps the HNSW index out."""
        similarity = (1.0 - self._distance(vector)).label("similarity")
        statement = select(Claim.id, similarity).where(similarity >= min_similarity)
        if exclude_source_id is not None:
            others = select(Source.id).where(Source.id != exclude_source_id)
            statement = statement.where(Claim.source_id.in_(others))
        statement = statement.order_by(similarity.desc(), Claim.id).limit(k)
        return [Hit(claim_id, float(s)) for claim_id, s in session.execute(statement)]
