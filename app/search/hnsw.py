"""An approximate in-process index (HNSW, from usearch) for stores too large for exact search.

Exact search reads every vector for every query: 1.5 GB and about 70 ms per query at a million
claims on this machine. An HNSW graph answers in well under a millisecond with near-perfect
recall. Below ``exact_below`` claims the brute-force ``ExactIndex`` is both exact and fast, so
``ApproximateIndex`` starts as one and moves to HNSW once the store reaches that size (it does
not move back: a shrinking store stays on the graph, which is correct at any size).

usearch rather than hnswlib or faiss: it ships wheels (the image needs no compiler), deletes
by key, and stores vectors as float16 (``index_dtype``), halving the memory of a large store at
a cost of about 1e-3 in cosine similarity.

Leaving out the asking claim's own source must not cost recall: the graph is asked for more
neighbours than wanted, the own source's are dropped, and the request widens fourfold until
``k`` claims of other sources are found, the candidates fall below the similarity floor
(further ones can only be less similar), or the whole index has been returned. Past
``_EXACT_AFTER`` candidates it scans exactly, which only a store dominated by one source needs.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from app.config import Settings
from app.search.index import ExactIndex, Hit, Vector

IndexDtype = Literal["f32", "f16"]

_OVERFETCH = 4
_WIDENING = 4
_EXACT_AFTER = 4096
_ADD_CHUNK = 20_000


class ApproximateIndex:
    """``VectorIndex`` that is exact while small and an HNSW graph once large."""

    def __init__(
        self,
        dimension: int,
        exact_below: int = 5_000,
        connectivity: int = 16,
        expansion_add: int = 128,
        expansion_search: int = 64,
        dtype: IndexDtype = "f16",
        threads: int = 0,
    ):
        self._dimension = dimension
        self._exact_below = exact_below
        self._connectivity = connectivity
        self._expansion_add = expansion_add
        self._expansion_search = expansion_search
        self._dtype = dtype
        self._threads = threads
        self._exact: ExactIndex | None = ExactIndex(dimension)
        self._graph: Any = None  # usearch.index.Index once the store is large
        self._source_of = np.zeros(0, dtype=np.int32)  # by claim id, while on the graph
        self._seq = 0
        self._lock = threading.RLock()

    @classmethod
    def from_settings(cls, dimension: int, settings: Settings) -> ApproximateIndex:
        """The index as the ``index_*`` settings describe it."""
        return cls(
            dimension,
            exact_below=settings.index_exact_below,
            connectivity=settings.index_connectivity,
            expansion_add=settings.index_expansion_add,
            expansion_search=settings.index_expansion_search,
            dtype=settings.index_dtype,
        )

    @property
    def seq(self) -> int:
        """The last change-log sequence number applied."""
        return self._seq

    @property
    def approximate(self) -> bool:
        """Whether searches go through the HNSW graph (else exact)."""
        return self._graph is not None

    def __len__(self) -> int:
        with self._lock:
            if self._exact is not None:
                return len(self._exact)
            return len(self._graph)

    def apply(
        self,
        seq: int,
        added_ids: Sequence[int],
        added_sources: Sequence[int],
        added_vectors: Vector,
        removed_ids: Sequence[int],
    ) -> None:
        """Replay changes (idempotent, like ``ExactIndex.apply``)."""
        with self._lock:
            if self._exact is not None:
                self._exact.apply(seq, added_ids, added_sources, added_vectors, removed_ids)
                if len(self._exact) >= self._exact_below:
                    self._move_to_graph()
            else:
                self._graph_remove(np.asarray(removed_ids, dtype=np.uint64))
                self._graph_add(
                    np.asarray(added_ids, dtype=np.int64),
                    np.asarray(added_sources, dtype=np.int64),
                    added_vectors,
                )
            self._seq = max(self._seq, seq)

    def _move_to_graph(self) -> None:
        from usearch.index import Index

        assert self._exact is not None
        ids, sources, vectors = self._exact.contents()
        self._graph = Index(
            ndim=self._dimension,
            metric="ip",  # the vectors are normalised: inner product is cosine similarity
            dtype=self._dtype,
            connectivity=self._connectivity,
            expansion_add=self._expansion_add,
            expansion_search=self._expansion_search,
        )
        self._exact = None
        self._graph_add(ids, sources, vectors)

    def _graph_remove(self, ids: npt.NDArray[np.uint64]) -> None:
        if len(ids):
            present = ids[np.asarray(self._graph.contains(ids), dtype=bool)]
            if len(present):
                self._graph.remove(present)

    def _graph_add(
        self, ids: npt.NDArray[np.int64], sources: npt.NDArray[np.int64], vectors: Vector
    ) -> None:
        if not len(ids):
            return
        top = int(ids.max())
        if top >= len(self._source_of):
            grown = np.zeros(max(top + 1, 2 * len(self._source_of)), dtype=np.int32)
            grown[: len(self._source_of)] = self._source_of
            self._source_of = grown
        self._source_of[ids] = sources
        keys = ids.astype(np.uint64)
        if len(self._graph):
            self._graph_remove(keys)  # a replayed add overwrites, as in ExactIndex
        for start in range(0, len(keys), _ADD_CHUNK):
            end = start + _ADD_CHUNK
            self._graph.add(
                keys[start:end],
                np.ascontiguousarray(vectors[start:end], dtype=np.float32),
                threads=self._threads,
            )

    def search(
        self,
        query: Vector,
        k: int,
        exclude_source_id: int | None,
        min_similarity: float,
    ) -> list[Hit]:
        """The ``k`` nearest claims of sources other than ``exclude_source_id``, best first."""
        with self._lock:
            if self._exact is not None:
                return self._exact.search(query, k, exclude_source_id, min_similarity)
            size = len(self._graph)
            if size == 0 or k <= 0:
                return []
            query = np.ascontiguousarray(query, dtype=np.float32)
            wanted = k if exclude_source_id is None else k * _OVERFETCH
            while True:
                wanted = min(wanted, size)
                exact = wanted > _EXACT_AFTER
                if not exact:
                    self._graph.expansion_search = max(self._expansion_search, wanted)
                matches = self._graph.search(query, wanted, threads=1, exact=exact)
                keys = np.asarray(matches.keys, dtype=np.int64)
                similarities = 1.0 - np.asarray(matches.distances, dtype=np.float64)
                hits = [
                    Hit(int(key), float(similarity))
                    for key, similarity in zip(keys, similarities, strict=True)
                    if similarity >= min_similarity
                    and (exclude_source_id is None or self._source_of[key] != exclude_source_id)
                ]
                if (
                    len(hits) >= k
                    or exact
                    or len(keys) < wanted  # the whole index has been seen
                    or (len(keys) and similarities[-1] < min_similarity)
                ):
                    return hits[:k]
                wanted *= _WIDENING
