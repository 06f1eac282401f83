"""The real model's int8 backend stays next to torch fp32 (ONNX fp32 = torch is checked on a
tiny model in test_build.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.config import Settings
from app.core.claims import extract_claims
from app.embeddings import Embedder, SentenceTransformerEmbedder, bundled_model_path
from harness.bench.corpus import SEEDS


@pytest.fixture(scope="module")
def seed_claims() -> list[str]:
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    claims: list[str] = []
    for entry in manifest:
        text = (SEEDS / entry["file"]).read_text(encoding="utf-8")
        claims += [c.text for c in extract_claims(text, title=entry["title"])]
    return claims


@pytest.fixture(scope="module")
def torch_vectors(seed_claims: list[str]) -> np.ndarray:
    return SentenceTransformerEmbedder(bundled_model_path()).encode(seed_claims)


def top(vectors: np.ndarray, k: int) -> np.ndarray:
    similarities = vectors @ vectors.T
    np.fill_diagonal(similarities, -np.inf)
    return np.argsort(-similarities, axis=1)[:, :k]


def test_the_default_backend_is_int8_behind_dynamic_batching(embedder: Embedder) -> None:
    assert Settings().embedding.backend == "onnx-int8"
    assert embedder.name.endswith("(onnx int8)")
    assert embedder.dimension == 384


def test_int8_stays_next_to_torch_fp32(
    embedder: Embedder, seed_claims: list[str], torch_vectors: np.ndarray
) -> None:
    vectors = embedder.encode(seed_claims)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    cosines = (vectors * torch_vectors).sum(axis=1)
    assert cosines.min() > 0.98
    # Each claim's nearest claim under int8 is, by fp32's own measure, as near as fp32's nearest
    # (up to ties between near-identical claims).
    exact = torch_vectors @ torch_vectors.T
    np.fill_diagonal(exact, -np.inf)
    chosen = exact[np.arange(len(exact)), top(vectors, 1)[:, 0]]
    assert (exact.max(axis=1) - chosen).max() < 0.02
