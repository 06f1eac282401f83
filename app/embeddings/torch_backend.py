"""The reference backend: sentence-transformers on torch, fp32, on the CPU."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.embeddings.base import Vectors, model_name, set_offline


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, read from a local directory only."""

    def __init__(self, model_path: Path, batch_size: int = 64, threads: int | None = None):
        set_offline()
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self._batch_size = batch_size
        # One model call at a time: on a small CPU, parallel calls only fight over the cores.
        self._lock = threading.Lock()
        self.name = model_name(model_path)
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ValueError(f"cannot tell the embedding dimension of the model at {model_path}")
        self.dimension = int(dimension)

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` in batches of ``batch_size``; L2-normalised float32 rows."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)
