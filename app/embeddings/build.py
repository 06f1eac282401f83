"""Offline build of the ONNX models from the bundled sentence-transformers weights.

Two variants, both one graph from token ids to the normalised sentence vector (mean pooling and
L2 normalisation included):

- ``fp32``: the transformer exported with ``torch.onnx.export``, numerically the torch model.
- ``int8``: the same graph with every weight matrix product in int8 (VNNI on x86).

The int8 variant does not use onnxruntime's ``quantize_dynamic``: that quantizes each
activation tensor with one scale for the whole batch, and MiniLM's activations have outlier
tokens, so the scale is set by a few values and the rest lose precision (top-10 neighbour
overlap against fp32 was 0.92 on real claims). Here each matrix product quantizes its input
**per token** (symmetric, one scale per row, stored as uint8 with zero point 128) and its
weights per output column (symmetric int8); a ``MatMulInteger`` then runs on VNNI and the int32
result is scaled back by row scale x column scale. Same speed, overlap 0.95-0.96.

Recipe 2 does the same arithmetic with less work around it: an input read by several matrix
products (a layer's query, key and value) is quantized once, and the weights have no zero
point (they are symmetric; a per-column zero point of zeros only costs). Measured and not
kept (docs/performance.md): onnxruntime's transformer optimizer (fused Attention or
MultiHeadAttention with int8 QKV, SkipLayerNormalization, BiasGelu) was 13% slower per CPU
second on this machine, onnxruntime already fusing LayerNorm and GELU by itself; and
``MatMulIntegerToFloat`` in place of MatMulInteger, Cast and the column scale gained under 1%
and moved the top-10 overlap from 0.955 to 0.952.

A build is named by a content hash of the weights, the tokenizer and this recipe, so a change
to any of them makes the next start-up build afresh instead of serving a stale model.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, Literal

import numpy as np

from app.embeddings.base import model_name, set_offline

Variant = Literal["fp32", "int8"]

RECIPE_VERSION = "2"  # bump when the export or quantization below changes
_HASHED_FILES = (
    "config.json",
    "model.safetensors",
    "pytorch_model.bin",
    "tokenizer.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
)
_OPSET = 17


def build_digest(model_path: Path, variant: Variant) -> str:
    """Content hash of everything a build depends on."""
    digest = hashlib.sha256(f"crosscheck-onnx/{RECIPE_VERSION}/{variant}".encode())
    for relative in _HASHED_FILES:
        path = model_path / relative
        if not path.exists():
            continue
        digest.update(relative.encode())
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def built_model_path(model_path: Path, cache_dir: Path, variant: Variant) -> Path:
    """Where the build of ``model_path`` in ``variant`` lives (it may not exist yet)."""
    digest = build_digest(model_path, variant)[:16]
    return cache_dir / f"{model_name(model_path)}-{variant}-{digest}.onnx"


def ensure_built(
    model_path: Path, cache_dir: Path, variant: Variant, in_process: bool = False
) -> Path:
    """The path of an up-to-date build, building it first if there is none.

    By default the build runs in a child process, so that a server which only serves the ONNX
    model never loads torch (a few hundred MB of resident memory).
    """
    target = built_model_path(model_path, cache_dir, variant)
    if target.exists():
        return target
    if in_process:
        build_model(model_path, target, variant)
    else:
        subprocess.run(
            [sys.executable, "-m", "app.embeddings.build", str(model_path), str(target), variant],
            check=True,
        )
    return target


def build_model(model_path: Path, target: Path, variant: Variant) -> None:
    """Export (and for ``int8`` quantize) the model to ``target``, atomically."""
    import onnx

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        exported = Path(work) / "fp32.onnx"
        _export_fp32(model_path, exported)
        model = onnx.load(str(exported))
        if variant == "int8":
            quantize_per_token(model)
        partial = Path(work) / target.name
        onnx.save(model, str(partial))
        # Workers that start together may race to build: each writes its own file, the rename
        # is atomic, and the builds are identical.
        os.replace(partial, target)


def _export_fp32(model_path: Path, target: Path) -> None:
    set_offline()
    import torch
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()

    class SentenceEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    example = (torch.ones((2, 8), dtype=torch.int64), torch.ones((2, 8), dtype=torch.int64))
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            SentenceEncoder(),
            example,
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=_OPSET,
            dynamo=False,
        )


def quantize_per_token(model: Any) -> None:
    """Rewrite every MatMul by a constant weight matrix into int8 with per-token activation
    scales and per-column weight scales (see the module docstring). Edits ``model`` in place."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    nodes: list[Any] = []
    added: list[Any] = []
    replaced: set[str] = set()
    quantized: dict[tuple[str, int], tuple[str, str]] = {}  # (input, width) -> (x_q, row scale)

    def constant(name: str, value: np.ndarray) -> str:
        added.append(numpy_helper.from_array(value, name))
        return name

    def add(op: str, inputs: list[str], output: str, **attributes: Any) -> None:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))

    constant("q_eps", np.array(1e-6, np.float32))
    constant("q_127", np.array(127, np.float32))
    constant("q_zero_point", np.array(128, np.uint8))
    constant("q_last_axis", np.array([-1], np.int64))
    constant("q_head_start", np.array([0], np.int64))
    constant("q_head_end", np.array([-1], np.int64))

    def quantized_rows(x: str, rows: int, p: str) -> tuple[str, str]:
        """x as a matrix of tokens in uint8, and each row's scale (its largest magnitude /
        127); made once for every matrix product that reads x."""
        if (x, rows) in quantized:
            return quantized[(x, rows)]
        constant(p + "_rows", np.array([-1, rows], np.int64))
        add("Reshape", [x, p + "_rows"], p + "_x")
        add("ReduceMax", [p + "_x"], p + "_max", axes=[1], keepdims=0)
        add("ReduceMin", [p + "_x"], p + "_min", axes=[1], keepdims=0)
        add("Neg", [p + "_min"], p + "_neg_min")
        add("Max", [p + "_max", p + "_neg_min", "q_eps"], p + "_abs_max")
        add("Div", [p + "_abs_max", "q_127"], p + "_scale")
        add("Shape", [p + "_scale"], p + "_scale_shape")
        add("Expand", ["q_zero_point", p + "_scale_shape"], p + "_zero")
        add("QuantizeLinear", [p + "_x", p + "_scale", p + "_zero"], p + "_x_q", axis=0)
        add("Unsqueeze", [p + "_scale", "q_last_axis"], p + "_row_scale")
        quantized[(x, rows)] = (p + "_x_q", p + "_row_scale")
        return quantized[(x, rows)]

    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in weights:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weights[node.input[1]]).astype(np.float32)
        replaced.add(node.input[1])
        rows, columns = w.shape
        column_scale = np.maximum(np.abs(w).max(axis=0) / 127.0, 1e-12).astype(np.float32)
        w_int8 = np.clip(np.round(w / column_scale), -127, 127).astype(np.int8)
        p = node.name.strip("/").replace("/", "_") + "_q"
        constant(p + "_w", w_int8)
        constant(p + "_w_scale", column_scale)
        constant(p + "_columns", np.array([columns], np.int64))
        x, y = node.input[0], node.output[0]
        x_q, row_scale = quantized_rows(x, rows, p)
        add("MatMulInteger", [x_q, p + "_w", "q_zero_point"], p + "_y_i")
        add("Cast", [p + "_y_i"], p + "_y_f", to=TensorProto.FLOAT)
        add("Mul", [p + "_y_f", row_scale], p + "_y_rows")
        add("Mul", [p + "_y_rows", p + "_w_scale"], p + "_y")
        add("Shape", [x], p + "_x_shape")
        add("Slice", [p + "_x_shape", "q_head_start", "q_head_end"], p + "_head")
        add("Concat", [p + "_head", p + "_columns"], p + "_y_shape", axis=0)
        nodes.append(helper.make_node("Reshape", [p + "_y", p + "_y_shape"], [y], name=y))

    del graph.node[:]
    graph.node.extend(nodes)
    kept = [init for init in graph.initializer if init.name not in replaced]
    del graph.initializer[:]
    graph.initializer.extend(kept + added)


if __name__ == "__main__":  # the child process of ensure_built
    source, destination, kind = sys.argv[1:4]
    if kind not in ("fp32", "int8"):
        raise SystemExit(f"unknown variant {kind!r}")
    build_model(Path(source), Path(destination), "int8" if kind == "int8" else "fp32")
