"""Model files: a trained MLP as an ``.npz`` of plain arrays plus a JSON ``meta`` entry, no pickles.

Files are written through :func:`checker.files.write_atomic`: a full disk or a crash leaves the
previous model file as it was, never a truncated one.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from checker.files import write_atomic
from checker.training.config import ConfigError, TrainConfig

__all__ = ["load_model", "save_model"]


def save_model(
    model: Any,
    path: str | os.PathLike[str],
    config: TrainConfig | None = None,
    *,
    sizes: Sequence[int] | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Save weights and biases as ``W1..WL`` / ``b1..bL`` in an ``.npz`` with a JSON ``meta`` entry.

    ``meta`` records what :func:`load_model` needs to rebuild the net (sizes, the activation of
    every layer, loss, l1, l2, dtype) plus the training config and ``extra`` when given. No pickles:
    the file loads with ``allow_pickle=False``.
    """
    weights, biases = list(model.weights), list(model.biases)
    sizes = list(sizes) if sizes is not None else list(model.sizes)
    meta = {
        "format": "gradproof-mlp/1",
        "sizes": [int(s) for s in sizes],
        "activations": list(model.activations),
        "loss": model.loss,
        "l1": float(model.l1),
        "l2": float(model.l2),
        "dtype": str(weights[0].dtype),
        "config": config.to_dict() if config else None,
        **(extra or {}),
    }
    arrays = {f"W{i + 1}": W for i, W in enumerate(weights)}
    arrays |= {f"b{i + 1}": b for i, b in enumerate(biases)}
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(json.dumps(meta)), **arrays)
    return write_atomic(path, buffer.getvalue())


def load_model(path: str | os.PathLike[str]) -> tuple[Any, dict[str, Any]]:
    """Rebuild a model saved by :func:`save_model`; returns ``(model, meta)``."""
    from checker.network.mlp import MLP

    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            n = len(meta["sizes"]) - 1
            weights = [np.array(data[f"W{i + 1}"]) for i in range(n)]
            biases = [np.array(data[f"b{i + 1}"]) for i in range(n)]
        model = MLP.create(
            meta["sizes"],
            activation=meta["activations"][:-1],
            loss=meta["loss"],
            output_activation=meta["activations"][-1],
            l1=meta["l1"],
            l2=meta["l2"],
            dtype=np.dtype(meta["dtype"]),
        )
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: not a gradproof model file ({exc})") from exc
    for i in range(n):
        if model.weights[i].shape != weights[i].shape or model.biases[i].shape != biases[i].shape:
            raise ConfigError(f"{path}: layer {i + 1} arrays do not match the sizes {meta['sizes']}")
        model.weights[i][...] = weights[i]
        model.biases[i][...] = biases[i]
    return model, meta
