"""The in-process vector index (exact) and the interface of every in-process index."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from app.search.base import Hit, Vector


class VectorIndex(Protocol):
    """An index in the process: nearest claims by cosine similarity, one source excluded,
    fed with the changes of the database's change log (``InProcessSearch`` replays it)."""

    @property
    def seq(self) -> int:
        """The last change-log sequence number applied."""
        ...

    def apply(
        self,
        seq: int,
        added_ids: Sequence[int],
        added_sources: Sequence[int],
        added_vectors: Vector,
        removed_ids: Sequence[int],
    ) -> None: ...

    def search(
        self,
        query: Vector,
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[Hit]: ...

    def __len__(self) -> int: ...


class ExactIndex:
    """Brute-force cosine search over a contiguous matrix: exact, and fast enough while the
    store fits a matrix product in a few milliseconds (about 100k claims on two cores).

    Replaying the change log is idempotent: adding a known claim overwrites it and removing
    an unknown one does nothing, so two threads that sync at once cannot corrupt it.
    """

    def __init__(self, dimension: int, capacity: int = 1024):
        self._dimension = dimension
        self._vectors = np.zeros((capacity, dimension), dtype=np.float32)
        self._sources = np.zeros(capacity, dtype=np.int64)
        self._ids = np.zeros(capacity, dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._size = 0
        self._seq = 0
        self._lock = threading.RLock()

    @property
    def seq(self) -> int:
        return self._seq

    def __len__(self) -> int:
        return self._size

    def apply(
        self,
        seq: int,
        added_ids: Sequence[int],
        added_sources: Sequence[int],
        added_vectors: Vector,
        removed_ids: Sequence[int],
    ) -> None:
        with self._lock:
            for claim_id in removed_ids:
                self._remove(claim_id)
            for claim_id, source_id, vector in zip(
                added_ids, added_sources, added_vectors, strict=True
            ):
                self._add(claim_id, source_id, vector)
            self._seq = max(self._seq, seq)

    def _add(self, claim_id: int, source_id: int, vector: Vector) -> None:
        row = self._row_of.get(claim_id)
        if row is None:
            if self._size == len(self._ids):
                self._grow()
            row = self._size
            self._size += 1
            self._row_of[claim_id] = row
        self._vectors[row] = vector
        self._sources[row] = source_id
        self._ids[row] = claim_id

    def _remove(self, claim_id: int) -> None:
        row = self._row_of.pop(claim_id, None)
        if row is None:
            return
        last = self._size - 1
        if row != last:  # keep the rows contiguous: move the last one into the hole
            moved = int(self._ids[last])
            self._vectors[row] = self._vectors[last]
            self._sources[row] = self._sources[last]
            self._ids[row] = moved
            self._row_of[moved] = row
        self._size = last

    def _grow(self) -> None:
        capacity = max(1024, 2 * len(self._ids))
        self._vectors = np.resize(self._vectors, (capacity, self._dimension))
        self._sources = np.resize(self._sources, capacity)
        self._ids = np.resize(self._ids, capacity)

    def contents(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Vector]:
        """Copies of (claim ids, source ids, vectors) of every indexed claim."""
        with self._lock:
            size = self._size
            return self._ids[:size].copy(), self._sources[:size].copy(), self._vectors[:size].copy()

    def search(
        self,
        query: Vector,
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[Hit]:
        with self._lock:
            size = self._size
            if size == 0 or k <= 0:
                return []
            scores = self._vectors[:size] @ query
            if exclude_source_id is not None:
                scores[self._sources[:size] == exclude_source_id] = -np.inf
            ids = self._ids[:size]
            k = min(k, size)
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top], kind="stable")]
            return [
                Hit(int(ids[row]), float(scores[row]))
                for row in top
                if scores[row] >= min_similarity
            ]
