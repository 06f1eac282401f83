"""The test run's one loaded model, lent to code that would load (and close) its own."""

from __future__ import annotations

from collections.abc import Sequence

from app.embeddings import Embedder, Vectors


class Borrowed:
    """An ``Embedder`` that encodes with another one and has nothing to close: whoever is
    given it cannot stop the shared model's thread."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension

    def encode(self, texts: Sequence[str]) -> Vectors:
        return self.inner.encode(texts)
