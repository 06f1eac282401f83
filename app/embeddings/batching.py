"""Dynamic batching: concurrent ``encode`` calls from request threads merged into one model call.

On two cores the model is fastest when it sees one batch at a time: parallel calls only fight
over the cores, and a batch of eight short claims costs far less than eight calls of one. A
single worker thread therefore runs the model; request threads queue their texts and wait.
While the model is busy, new calls accumulate and go together in the next call; when it is
idle, a call waits at most ``max_wait`` for company. The queue is bounded: past
``max_queue`` waiting calls, ``encode`` refuses at once with ``Overloaded`` (503 with
Retry-After) instead of letting latency grow without bound.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

from app.embeddings.base import Embedder, Vectors
from app.exceptions import Overloaded


@dataclass(slots=True)
class _Call:
    texts: Sequence[str]
    arrived: float
    result: Future[Vectors] = field(default_factory=Future)


class BatchingEmbedder:
    """An ``Embedder`` that merges concurrent calls into batches for another one."""

    def __init__(
        self,
        inner: Embedder,
        max_batch: int = 64,
        max_wait: float = 0.0,
        max_queue: int = 64,
        retry_after: int = 1,
    ):
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.max_queue = max_queue
        self.retry_after = retry_after
        self.model_calls = 0  # how many times the inner model ran (for tests and the bench)
        self.on_model_call: Callable[[], None] | None = None  # told of each (metrics)
        self._queue: deque[_Call] = deque()
        self._ready = threading.Condition()
        self._closed = False
        self._worker: threading.Thread | None = None

    def start(self) -> BatchingEmbedder:
        """Start the thread that runs the model; ``close`` stops it."""
        with self._ready:
            if self._closed:
                raise RuntimeError("the embedder is closed")
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._run, name="embedding-batcher", daemon=True
                )
                self._worker.start()
        return self

    def __enter__(self) -> BatchingEmbedder:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` in the next model call; raises ``Overloaded`` if the queue is full."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        call = _Call(list(texts), time.monotonic())
        with self._ready:
            if self._closed or self._worker is None:
                raise RuntimeError(f"the embedder is {'closed' if self._closed else 'not started'}")
            if len(self._queue) >= self.max_queue:
                raise Overloaded(
                    f"The model has {len(self._queue)} requests waiting, its limit "
                    f"(setting CROSSCHECK_EMBEDDING_MAX_QUEUE); retry in {self.retry_after} s.",
                    retry_after=self.retry_after,
                )
            self._queue.append(call)
            self._ready.notify()
        return call.result.result()

    def close(self) -> None:
        """Stop the worker once the calls already queued are answered."""
        with self._ready:
            self._closed = True
            self._ready.notify()
            worker = self._worker
        if worker is not None:
            worker.join()

    def _take_batch(self) -> list[_Call] | None:
        with self._ready:
            while not self._queue:
                if self._closed:
                    return None
                self._ready.wait()
            deadline = self._queue[0].arrived + self.max_wait
            while self._queued_texts() < self.max_batch and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._ready.wait(remaining)
            batch = [self._queue.popleft()]
            size = len(batch[0].texts)
            while self._queue and size + len(self._queue[0].texts) <= self.max_batch:
                call = self._queue.popleft()
                size += len(call.texts)
                batch.append(call)
            return batch

    def _queued_texts(self) -> int:
        return sum(len(call.texts) for call in self._queue)

    def _run(self) -> None:
        while (batch := self._take_batch()) is not None:
            texts = [text for call in batch for text in call.texts]
            try:
                vectors = self.inner.encode(texts)
                self.model_calls += 1
                if self.on_model_call is not None:
                    self.on_model_call()
            except BaseException as error:
                for call in batch:
                    call.result.set_exception(error)
                continue
            start = 0
            for call in batch:
                call.result.set_result(vectors[start : start + len(call.texts)])
                start += len(call.texts)
