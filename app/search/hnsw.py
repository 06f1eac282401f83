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

Rebuilding the graph from the change log takes minutes at a million claims, so on a file
database the graph is saved and loaded again at the next start (``app/search/persist.py``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from app.config import IndexSettings
from app.search.base import Hit, Vector
from app.search.index import ExactIndex

IndexDtype = Literal["f32", "f16"]

_OVERFETCH = 4
_WIDENING = 4
_EXACT_AFTER = 4096
_ADD_CHUNK = 20_000
_SAMPLES = 8


def _usearch() -> Any:
    """The usearch package, imported after onnxruntime.

    Importing onnxruntime after usearch kills the process (a segmentation fault inside the
    import, usearch 2.26, onnxruntime 1.31); the other order is fine. The service
    loads the model before the index, but a CLI command or a test need not: so the order is
    fixed here, where usearch is imported.
    """
    import onnxruntime  # noqa: F401
    import usearch.compiled
    import usearch.index

    return usearch


@dataclass(frozen=True, slots=True)
class GraphState:
    """What goes with a saved HNSW graph to restore the index around it."""

    seq: int
    size: int
    dimension: int
    dtype: str
    connectivity: int
    source_of: npt.NDArray[np.int32]
    sample_ids: tuple[int, ...]  # a few claims the graph holds, spread over its ids


class GraphFile(Protocol):
    """Where a graph is saved (``app.search.persist.IndexFile``): told after each change
    applied, so that it can save a long catch-up, and at shutdown."""

    def applied(self, index: ApproximateIndex) -> None: ...

    def close(self, index: ApproximateIndex) -> None: ...


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
        self._file: GraphFile | None = None

    @classmethod
    def from_settings(cls, dimension: int, settings: IndexSettings) -> ApproximateIndex:
        """The index as the ``index_*`` settings describe it."""
        return cls(
            dimension,
            exact_below=settings.exact_below,
            connectivity=settings.connectivity,
            expansion_add=settings.expansion_add,
            expansion_search=settings.expansion_search,
            dtype=settings.dtype,
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
            if self._file is not None:
                self._file.applied(self)

    def save_to(self, file: GraphFile) -> None:
        """Save the graph to ``file`` after every long catch-up and on ``close``."""
        self._file = file

    def close(self) -> None:
        """Save the graph to its file, if it has one (at shutdown)."""
        if self._file is not None:
            self._file.close(self)

    def save_graph(self, path: Path) -> GraphState | None:
        """Write the graph to ``path`` in usearch's format and return the state that goes with
        it; ``None`` while the index is exact (a rebuild at that size takes moments).

        Searches wait while the graph is written (about a second per million claims).
        """
        with self._lock:
            if self._graph is None:
                return None
            self._graph.save(os.fspath(path))
            seq, size, source_of = self._seq, len(self._graph), self._source_of.copy()
            keys = np.sort(np.asarray(self._graph.keys, dtype=np.int64))
        spread = np.linspace(0, len(keys) - 1, min(len(keys), _SAMPLES)).astype(np.int64)
        return GraphState(
            seq=seq,
            size=size,
            dimension=self._dimension,
            dtype=self._dtype,
            connectivity=self._connectivity,
            source_of=source_of,
            sample_ids=tuple(sorted({int(keys[i]) for i in spread})),
        )

    def load_graph(self, buffer: memoryview, state: GraphState) -> None:
        """Replace the contents with a graph ``save_graph`` wrote and its state.

        Raises ``ValueError``, leaving the index as it was, if the graph was built with another
        dimension, scalar type or connectivity, or does not hold ``state.size`` claims.
        """
        usearch = _usearch()
        ScalarKind, Index = usearch.compiled.ScalarKind, usearch.index.Index

        built = (state.dimension, state.dtype, state.connectivity)
        wanted = (self._dimension, self._dtype, self._connectivity)
        if built != wanted:
            raise ValueError(
                f"the graph was built with (dimension, dtype, connectivity) {built}; the "
                f"settings ask for {wanted}"
            )
        scalar = {"f16": ScalarKind.F16, "f32": ScalarKind.F32}[self._dtype]
        header = Index.metadata(buffer)
        if not header or (header["dimensions"], header["kind_scalar"]) != (self._dimension, scalar):
            raise ValueError("the usearch header does not describe the graph the state does")
        graph = self._new_graph()
        graph.load(buffer)
        if len(graph) != state.size:
            raise ValueError(f"the graph holds {len(graph)} claims, not {state.size}")
        graph.expansion_add = self._expansion_add
        graph.expansion_search = self._expansion_search
        with self._lock:
            self._graph = graph
            self._exact = None
            self._source_of = state.source_of.astype(np.int32, copy=True)
            self._seq = state.seq

    def _new_graph(self) -> Any:
        return _usearch().index.Index(
            ndim=self._dimension,
            metric="ip",  # the vectors are normalised: inner product is cosine similarity
            dtype=self._dtype,
            connectivity=self._connectivity,
            expansion_add=self._expansion_add,
            expansion_search=self._expansion_search,
        )

    def _move_to_graph(self) -> None:
        assert self._exact is not None
        ids, sources, vectors = self._exact.contents()
        self._graph = self._new_graph()
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
                    or len(keys) < wanted  # the graph has no more to give
                    or wanted >= size  # the whole index has been asked for
                    or (len(keys) and similarities[-1] < min_similarity)
                ):
                    return hits[:k]
                wanted *= _WIDENING
