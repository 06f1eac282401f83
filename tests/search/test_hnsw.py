"""The approximate index: exact while small, the same neighbours as exact search once large,
removals, idempotent replay, and no recall lost to leaving out a source."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from app.search.hnsw import ApproximateIndex
from app.search.index import ExactIndex

DIMENSION = 32


def clustered(n: int, seed: int = 0) -> np.ndarray:
    """Unit vectors in tight groups, like one claim reported by many outlets."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n // 20 + 1, DIMENSION))
    vectors = centres[rng.integers(0, len(centres), n)] + rng.normal(scale=0.3, size=(n, DIMENSION))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def both(
    n: int, sources: np.ndarray, exact_below: int = 100
) -> tuple[ApproximateIndex, ExactIndex]:
    vectors = clustered(n)
    ids = list(range(1, n + 1))
    approximate = ApproximateIndex(DIMENSION, exact_below=exact_below, dtype="f32")
    exact = ExactIndex(DIMENSION)
    for index in (approximate, exact):
        index.apply(n, ids, sources.tolist(), vectors, [])
    return approximate, exact


def recall(approximate: ApproximateIndex, exact: ExactIndex, exclude: list[int | None]) -> float:
    queries = clustered(len(exclude), seed=1)
    found = []
    for query, source in zip(queries, exclude, strict=True):
        truth = {h.claim_id for h in exact.search(query, 10, source, -1)}
        got = {h.claim_id for h in approximate.search(query, 10, source, -1)}
        found.append(len(truth & got) / len(truth))
    return float(np.mean(found))


def test_small_stores_are_searched_exactly() -> None:
    approximate, exact = both(50, np.arange(50) % 3, exact_below=100)
    assert not approximate.approximate
    query = clustered(1, seed=5)[0]
    assert approximate.search(query, 10, 1, 0.1) == exact.search(query, 10, 1, 0.1)


def test_large_stores_move_to_the_graph_and_keep_the_neighbours() -> None:
    sources = np.random.default_rng(2).integers(1, 20, 3000)
    approximate, exact = both(3000, sources)
    assert approximate.approximate
    assert len(approximate) == 3000
    assert recall(approximate, exact, [None] * 100) >= 0.95
    assert recall(approximate, exact, [int(s) for s in sources[:100]]) >= 0.95


def test_hits_are_best_first_above_the_floor_and_never_the_excluded_source() -> None:
    sources = np.arange(2000) % 4
    approximate, _ = both(2000, sources)
    hits = approximate.search(clustered(1, seed=3)[0], 10, exclude_source_id=2, min_similarity=0.2)
    similarities = [h.similarity for h in hits]
    assert similarities == sorted(similarities, reverse=True)
    assert all(s >= 0.2 for s in similarities)
    assert all(sources[h.claim_id - 1] != 2 for h in hits)


def test_a_dominant_source_does_not_hide_the_other_sources() -> None:
    # 99% of the store is one outlet; its claims crowd every neighbourhood.
    n = 3000
    sources = np.ones(n, dtype=np.int64)
    sources[::100] = 2
    approximate, exact = both(n, sources)
    queries = clustered(20, seed=4)
    for query in queries:
        truth = exact.search(query, 10, 1, -1)
        got = approximate.search(query, 10, 1, -1)
        assert len(got) == len(truth) == 10
        assert len({h.claim_id for h in got} & {h.claim_id for h in truth}) >= 9


def test_removals_and_replays_on_the_graph() -> None:
    sources = np.arange(500) % 5
    approximate, _ = both(500, sources)
    vectors = clustered(500)
    assert approximate.search(vectors[0], 1, None, -1)[0].claim_id == 1

    approximate.apply(501, [], [], np.zeros((0, DIMENSION), np.float32), [1, 9999])
    assert len(approximate) == 499
    assert all(h.claim_id != 1 for h in approximate.search(vectors[0], 10, None, -1))

    # Replaying an add overwrites instead of duplicating; an old position never comes back.
    approximate.apply(502, [1, 2], [4, 4], vectors[:2], [])
    approximate.apply(502, [1, 2], [4, 4], vectors[:2], [])
    approximate.apply(300, [], [], np.zeros((0, DIMENSION), np.float32), [])
    assert len(approximate) == 500
    assert approximate.seq == 502
    hit = approximate.search(vectors[0], 1, None, -1)[0]
    assert hit.claim_id == 1
    assert hit.similarity == pytest.approx(1, abs=1e-5)
    assert all(h.claim_id not in (1, 2) for h in approximate.search(vectors[0], 10, 4, -1))


def test_float16_storage_keeps_similarities_within_a_thousandth() -> None:
    vectors = clustered(300)
    index = ApproximateIndex(DIMENSION, exact_below=10, dtype="f16")
    index.apply(1, list(range(1, 301)), [1] * 300, vectors, [])
    hit = index.search(vectors[7], 1, None, -1)[0]
    assert hit.claim_id == 8
    assert hit.similarity == pytest.approx(1, abs=1e-3)


def test_an_empty_index_finds_nothing() -> None:
    index = ApproximateIndex(DIMENSION, exact_below=0)
    assert index.search(clustered(1)[0], 5, None, -1) == []


def test_asking_for_more_than_the_graph_holds_returns_all_of_it() -> None:
    # Once the whole graph has been asked for there is nothing to widen to (this used to loop).
    sources = np.ones(100, dtype=np.int64)
    sources[:3] = 2
    # One insertion thread: the same graph every run, and one in which every claim is reachable.
    approximate = ApproximateIndex(DIMENSION, exact_below=10, dtype="f32", threads=1)
    approximate.apply(100, list(range(1, 101)), sources.tolist(), clustered(100), [])
    assert approximate.approximate
    query = clustered(1, seed=6)[0]
    assert {h.claim_id for h in approximate.search(query, 1000, None, -1)} == set(range(1, 101))
    assert {h.claim_id for h in approximate.search(query, 10, 1, -1)} == {1, 2, 3}


def test_onnxruntime_can_be_imported_after_the_graph_is_built() -> None:
    """usearch first, then onnxruntime, crashed the process: the index fixes the order."""
    script = (
        "import numpy as np\n"
        "from app.search.hnsw import ApproximateIndex\n"
        "index = ApproximateIndex(8, exact_below=2)\n"
        "vectors = np.eye(8, dtype=np.float32)[:3]\n"
        "index.apply(3, [1, 2, 3], [1, 1, 2], vectors, [])\n"
        "assert index.approximate\n"
        "import onnxruntime\n"
        "print('alive')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "alive"
