"""Dynamic batching: concurrent calls share one model call; a full queue answers 503."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.embeddings import BatchingEmbedder, Vectors
from app.exceptions import Overloaded
from app.main import create_app


class GatedModel:
    """A fake model that records its calls and, while the gate is closed, blocks in them."""

    name = "gated"
    dimension = 2

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.entered = threading.Event()
        self.gate = threading.Event()

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        self.entered.set()
        assert self.gate.wait(timeout=30), "the test never opened the gate"
        if "boom" in texts:
            raise RuntimeError("model failed")
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


@pytest.fixture
def model() -> Iterator[GatedModel]:
    model = GatedModel()
    yield model
    model.gate.set()


def wait_until(condition: object, what: str) -> None:
    """Poll a condition with a generous bound (this asserts behaviour, not speed)."""
    for _ in range(3000):
        if callable(condition) and condition():
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"timed out waiting until {what}")


def test_calls_queued_while_the_model_is_busy_go_in_one_call(model: GatedModel) -> None:
    batcher = BatchingEmbedder(model, max_batch=64, max_wait=0, max_queue=16).start()
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(batcher.encode, ["a"])
        assert model.entered.wait(10)
        rest = [pool.submit(batcher.encode, ["b" * n, "c"]) for n in range(1, 6)]
        wait_until(lambda: len(batcher._queue) == 5, "five calls are queued")
        model.gate.set()
        results = [f.result(10) for f in [first, *rest]]
    assert model.calls == [["a"], ["b", "c", "bb", "c", "bbb", "c", "bbbb", "c", "bbbbb", "c"]]
    assert batcher.model_calls == 2
    # Each caller gets its own rows, in its own order.
    assert results[0].tolist() == [[1.0, 1.0]]
    assert [r[:, 0].tolist() for r in results[1:]] == [[n, 1.0] for n in range(1, 6)]
    batcher.close()


def test_a_batch_never_exceeds_max_batch_texts(model: GatedModel) -> None:
    batcher = BatchingEmbedder(model, max_batch=4, max_wait=0, max_queue=16).start()
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(batcher.encode, ["x"])
        assert model.entered.wait(10)
        rest = [pool.submit(batcher.encode, ["y", "y", "y"]) for _ in range(3)]
        wait_until(lambda: len(batcher._queue) == 3, "three calls are queued")
        model.gate.set()
        for future in [first, *rest]:
            future.result(10)
    assert [len(call) for call in model.calls] == [1, 3, 3, 3]
    batcher.close()


def test_a_full_queue_refuses_at_once_with_retry_after(model: GatedModel) -> None:
    batcher = BatchingEmbedder(model, max_wait=0, max_queue=2, retry_after=3).start()
    with ThreadPoolExecutor(4) as pool:
        busy = pool.submit(batcher.encode, ["running"])
        assert model.entered.wait(10)
        queued = [pool.submit(batcher.encode, ["waiting"]) for _ in range(2)]
        wait_until(lambda: len(batcher._queue) == 2, "the queue is full")
        with pytest.raises(Overloaded) as refused:
            batcher.encode(["one too many"])
        assert refused.value.retry_after == 3
        model.gate.set()
        for future in [busy, *queued]:
            future.result(10)
    batcher.close()


def test_a_model_error_reaches_every_caller_of_the_batch(model: GatedModel) -> None:
    batcher = BatchingEmbedder(model, max_wait=0).start()
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(batcher.encode, ["fine"])
        assert model.entered.wait(10)
        failing: list[Future[Vectors]] = [
            pool.submit(batcher.encode, ["boom"]),
            pool.submit(batcher.encode, ["innocent"]),
        ]
        wait_until(lambda: len(batcher._queue) == 2, "both calls are queued")
        model.gate.set()
        assert first.result(10).shape == (1, 2)
        for future in failing:
            with pytest.raises(RuntimeError, match="model failed"):
                future.result(10)
    # The worker survives a failed batch.
    assert batcher.encode(["after"]).shape == (1, 2)
    batcher.close()


def test_empty_input_does_not_reach_the_model(model: GatedModel) -> None:
    batcher = BatchingEmbedder(model).start()
    assert batcher.encode([]).shape == (0, 2)
    assert model.calls == []
    batcher.close()


def test_the_api_answers_503_with_retry_after_when_the_model_queue_is_full(
    model: GatedModel, tmp_path: Path, migrated_template: Path
) -> None:
    database = tmp_path / "db.sqlite"
    shutil.copy(migrated_template, database)
    batcher = BatchingEmbedder(model, max_wait=0, max_queue=1, retry_after=2).start()
    app = create_app(Settings(database_url=f"sqlite:///{database}"), batcher)
    body = {"text": "The war has killed 250,000 people.", "source": "AP"}
    with TestClient(app) as client, ThreadPoolExecutor(2) as pool:
        busy = pool.submit(client.post, "/v1/check", json=body)
        assert model.entered.wait(10)
        queued = pool.submit(client.post, "/v1/check", json=body)
        wait_until(lambda: len(batcher._queue) == 1, "the queue is full")
        response = client.post("/v1/check", json=body)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "2"
        assert response.headers["content-type"] == "application/problem+json"
        assert "retry" in response.json()["detail"]
        model.gate.set()
        assert busy.result(10).status_code == 200
        assert queued.result(10).status_code == 200
    batcher.close()


def test_a_batcher_runs_between_start_and_close(model: GatedModel) -> None:
    model.gate.set()
    batcher = BatchingEmbedder(model, max_wait=0)
    with pytest.raises(RuntimeError, match="not started"):
        batcher.encode(["too early"])
    with batcher:
        assert batcher.encode(["on time"]).shape == (1, 2)
        worker = batcher._worker
        assert worker is not None
        assert worker.is_alive()
    assert not worker.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        batcher.encode(["too late"])
