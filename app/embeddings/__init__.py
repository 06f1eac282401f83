"""The embedding model behind a small interface, loaded once at start-up, offline.

Backends (setting ``CROSSCHECK_EMBEDDING_BACKEND``):

- ``onnx-int8`` (default): ONNX Runtime, int8 matrix products with per-token scales; about
  three times torch fp32 on a 2-core VNNI CPU, top-10 neighbour overlap with fp32 0.955
  (figures in docs/performance.md);
- ``onnx``: ONNX Runtime in fp32, the torch model's numbers, about twice torch's speed;
- ``sentence-transformers``: the reference, torch fp32.

The ONNX models are built from the bundled weights on first use (``crosscheck build-model``
does it ahead of time) into ``CROSSCHECK_EMBEDDING_CACHE_DIR``. Unless
``CROSSCHECK_EMBEDDING_DYNAMIC_BATCHING`` is off, the model sits behind a ``BatchingEmbedder``
that merges concurrent requests.
"""

from __future__ import annotations

from app.config import EmbeddingSettings
from app.embeddings.base import Embedder, Vectors, bundled_model_path
from app.embeddings.batching import BatchingEmbedder
from app.embeddings.torch_backend import SentenceTransformerEmbedder

__all__ = [
    "BatchingEmbedder",
    "Embedder",
    "SentenceTransformerEmbedder",
    "Vectors",
    "bundled_model_path",
    "load_embedder",
    "load_model",
]


def load_model(settings: EmbeddingSettings) -> Embedder:
    """The model the settings name, without dynamic batching."""
    path = settings.model_path or bundled_model_path()
    backend = settings.backend
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(path, settings.batch_size, settings.torch_threads)
    if backend in ("onnx", "onnx-int8"):
        from app.embeddings.build import Variant, ensure_built
        from app.embeddings.onnx_backend import OnnxEmbedder

        variant: Variant = "int8" if backend == "onnx-int8" else "fp32"
        built = ensure_built(path, settings.cache_dir, variant)
        return OnnxEmbedder(built, path, variant, settings.batch_size, settings.threads)
    raise ValueError(f"unknown embedding backend {backend!r}")


def load_embedder(settings: EmbeddingSettings) -> Embedder:
    """The embedder the settings name, behind dynamic batching unless that is switched off;
    started (a batcher's thread runs until its ``close``)."""
    model = load_model(settings)
    if not settings.dynamic_batching:
        return model
    return BatchingEmbedder(
        model,
        max_batch=settings.batch_size,
        max_wait=settings.max_wait_ms / 1000,
        max_queue=settings.max_queue,
    ).start()
