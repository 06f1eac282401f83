"""ONNX Runtime backends (fp32 and int8) with the fast ``tokenizers`` tokenizer.

They reproduce sentence-transformers' all-MiniLM-L6-v2 pipeline (WordPiece, truncation at the
model's ``max_seq_length``, mean pooling over real tokens, L2 normalisation) without torch in
the serving process.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.embeddings.base import Vectors, model_name, usable_cores

_DEFAULT_MAX_TOKENS = 256
_SMALL_BATCH = 4  # from this many texts up, a call uses every thread it may


def _session(onnx_path: Path, threads: int) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle pool threads would otherwise spin for a while after each call, taking the CPU
    # from the request threads that parse, search and serialise on the same two cores.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])


class OnnxEmbedder:
    """A built ONNX sentence encoder (see ``app.embeddings.build``) run by ONNX Runtime."""

    def __init__(
        self,
        onnx_path: Path,
        model_path: Path,
        variant: str,
        batch_size: int = 64,
        threads: int | None = None,
    ):
        from tokenizers import Tokenizer

        threads = threads or usable_cores()
        self._session = _session(onnx_path, threads)
        # A batch of one or two claims (a /v1/check) runs faster on one thread: splitting its
        # small matrices costs more than it gains (one claim: 4.7 ms on one thread, 5.7 ms on
        # two, measured), and it leaves the other core to the requests around it.
        self._small_session = _session(onnx_path, 1) if threads > 1 else self._session
        self._tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        # tokenizer.json pads and truncates to 128; sentence-transformers pads each batch to
        # its longest text and truncates at max_seq_length: do the same.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(_max_tokens(model_path))
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self.name = f"{model_name(model_path)} (onnx {variant})"
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts``: sorted by length and batched so that little padding is computed."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        with self._lock:
            for start in range(0, len(order), self._batch_size):
                rows = order[start : start + self._batch_size]
                width = int(lengths[rows].max())
                ids = np.zeros((len(rows), width), dtype=np.int64)
                mask = np.zeros((len(rows), width), dtype=np.int64)
                for i, row in enumerate(rows):
                    n = lengths[row]
                    ids[i, :n] = encodings[row].ids
                    mask[i, :n] = 1
                session = self._session if len(rows) >= _SMALL_BATCH else self._small_session
                (vectors,) = session.run(["embedding"], {"input_ids": ids, "attention_mask": mask})
                out[rows] = vectors
        return out


def _max_tokens(model_path: Path) -> int:
    config = model_path / "sentence_bert_config.json"
    if config.exists():
        value = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        if isinstance(value, int):
            return value
    return _DEFAULT_MAX_TOKENS
