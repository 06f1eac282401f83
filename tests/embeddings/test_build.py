"""Building the ONNX models offline: numerically the torch model, rebuilt when stale.

A tiny randomly initialised BERT with the real tokenizer keeps the builds to a second; the
real model's builds are exercised by the session's default embedder (see test_backends.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertModel

from app.embeddings import bundled_model_path
from app.embeddings.build import build_digest, built_model_path, ensure_built
from app.embeddings.onnx_backend import OnnxEmbedder

TEXTS = [
    "The conflict has killed more than 270,000 people.",
    "Russia sent over 50 warplanes.",
    "Putin ordered the main part of the contingent out of Syria on Monday, March 14, 2016.",
    "Talks resumed in Geneva.",
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-layer BERT with the bundled tokenizer, saved like a sentence-transformers model."""
    path = tmp_path_factory.mktemp("tiny") / "tiny-bert"
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
    )
    BertModel(config).save_pretrained(str(path))
    for name in ("tokenizer.json", "sentence_bert_config.json"):
        shutil.copy(bundled_model_path() / name, path / name)
    return path


def reference(model_path: Path, texts: list[str]) -> np.ndarray:
    """Mean-pooled, normalised torch embeddings, as sentence-transformers computes them."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_path))
    model = BertModel.from_pretrained(str(model_path)).eval()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=1).numpy()


def test_fp32_build_reproduces_torch(tiny_model: Path, tmp_path: Path) -> None:
    built = ensure_built(tiny_model, tmp_path, "fp32", in_process=True)
    vectors = OnnxEmbedder(built, tiny_model, "fp32", batch_size=3).encode(TEXTS)
    np.testing.assert_allclose(vectors, reference(tiny_model, TEXTS), atol=1e-5)


def test_int8_build_stays_close_to_fp32(tiny_model: Path, tmp_path: Path) -> None:
    built = ensure_built(tiny_model, tmp_path, "int8", in_process=True)
    vectors = OnnxEmbedder(built, tiny_model, "int8").encode(TEXTS)
    cosines = (vectors * reference(tiny_model, TEXTS)).sum(axis=1)
    assert cosines.min() > 0.99
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_a_build_is_reused_and_a_changed_model_is_rebuilt(tiny_model: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    cache = tmp_path / "cache"
    first = ensure_built(model, cache, "int8", in_process=True)
    built_at = first.stat().st_mtime_ns
    assert ensure_built(model, cache, "int8", in_process=True) == first
    assert first.stat().st_mtime_ns == built_at  # not built again

    config = (model / "config.json").read_text()
    (model / "config.json").write_text(config.replace('"layer_norm_eps": 1e-12', '"eps": 1e-12'))
    assert build_digest(model, "int8")[:16] not in first.name
    second = ensure_built(model, cache, "int8", in_process=True)
    assert second != first
    assert second == built_model_path(model, cache, "int8")
    assert second.exists()


def test_variants_have_different_builds(tiny_model: Path, tmp_path: Path) -> None:
    assert built_model_path(tiny_model, tmp_path, "fp32") != built_model_path(
        tiny_model, tmp_path, "int8"
    )


def test_empty_input_encodes_to_no_rows(tiny_model: Path, tmp_path: Path) -> None:
    built = ensure_built(tiny_model, tmp_path, "fp32", in_process=True)
    assert OnnxEmbedder(built, tiny_model, "fp32").encode([]).shape == (0, 32)


def test_a_small_call_on_one_thread_embeds_as_a_large_one(tiny_model: Path, tmp_path: Path) -> None:
    """One or two texts go to the one-thread session, four or more to the other: same vectors."""
    built = ensure_built(tiny_model, tmp_path, "int8")
    embedder = OnnxEmbedder(built, tiny_model, "int8", threads=2)
    together = embedder.encode(TEXTS)
    for i, text in enumerate(TEXTS):
        np.testing.assert_allclose(embedder.encode([text])[0], together[i], atol=1e-5)
