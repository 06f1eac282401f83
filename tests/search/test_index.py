"""The in-memory exact index: correct neighbours, source exclusion, idempotent replay."""

from __future__ import annotations

import numpy as np

from app.search.index import ExactIndex


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_search_orders_by_similarity_and_excludes_a_source() -> None:
    index = ExactIndex(3)
    vectors = np.stack([unit(1, 0, 0), unit(1, 1, 0), unit(0, 1, 0), unit(1, 0.1, 0)])
    index.apply(4, [10, 11, 12, 13], [1, 2, 2, 1], vectors, [])
    hits = index.search(unit(1, 0, 0), k=3, exclude_source_id=None, min_similarity=-1)
    assert [h.claim_id for h in hits] == [10, 13, 11]
    assert hits[0].similarity == np.float32(1.0)
    hits = index.search(unit(1, 0, 0), k=3, exclude_source_id=1, min_similarity=-1)
    assert [h.claim_id for h in hits] == [11, 12]
    hits = index.search(unit(1, 0, 0), k=3, exclude_source_id=1, min_similarity=0.5)
    assert [h.claim_id for h in hits] == [11]


def test_replaying_changes_is_idempotent_and_removal_keeps_rows_contiguous() -> None:
    index = ExactIndex(3, capacity=2)  # forces growth
    vectors = np.stack([unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)])
    index.apply(3, [1, 2, 3], [1, 1, 1], vectors, [])
    index.apply(3, [1, 2, 3], [1, 1, 1], vectors, [])
    assert len(index) == 3
    index.apply(4, [], [], np.zeros((0, 3), np.float32), [1, 99])
    assert len(index) == 2
    assert index.seq == 4
    hits = index.search(unit(0, 0, 1), k=5, exclude_source_id=None, min_similarity=-1)
    assert [h.claim_id for h in hits] == [3, 2]
    index.apply(2, [], [], np.zeros((0, 3), np.float32), [])
    assert index.seq == 4  # an older replay never moves the position back


def test_empty_index_finds_nothing() -> None:
    assert ExactIndex(3).search(unit(1, 0, 0), 5, None, -1) == []
