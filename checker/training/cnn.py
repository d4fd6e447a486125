"""Training the reference CNN (:class:`checker.network.conv.CNN`) with mini-batch SGD.

Images are ``(N, C, H, W)``; a data set's rows (what :mod:`checker.training.datasets` loads) become
images with :func:`images`. The loop mirrors :func:`checker.network.mlp.sgd`: a seeded shuffle per
epoch, batches of ``batch_size``, classical momentum, one record per epoch.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from checker.network.conv import CNN

Array = np.ndarray


def images(rows: Array, shape: tuple[int, int, int], dtype: Any = np.float64) -> Array:
    """Rows of pixels (N, C·H·W, channel-major as MNIST, digits and CIFAR-10 store them) as images."""
    return np.ascontiguousarray(rows, dtype=dtype).reshape(len(rows), *shape)


def one_hot(labels: Array, classes: int, dtype: Any = np.float64) -> Array:
    """Integer labels as one-hot columns (classes, N), the MLP's convention."""
    out = np.zeros((classes, len(labels)), dtype=dtype)
    out[labels, np.arange(len(labels))] = 1
    return out


def accuracy(net: CNN, X: Array, labels: Array, batch: int = 500) -> float:
    """The fraction of images classified right (evaluated in batches to bound memory)."""
    right = sum(int((net.predict(X[i:i + batch]).argmax(axis=0) == labels[i:i + batch]).sum())
                for i in range(0, len(X), batch))
    return right / len(X)


def mean_loss(net: CNN, X: Array, labels: Array, batch: int = 500) -> float:
    """The mean cross-entropy over a data set (evaluated in batches)."""
    classes = net.W.shape[0]
    total = sum(net.loss(X[i:i + batch], one_hot(labels[i:i + batch], classes, X.dtype)) * len(X[i:i + batch])
                for i in range(0, len(X), batch))
    return total / len(X)


def train_cnn(net: CNN, X: Array, labels: Array, *, epochs: int, batch_size: int, lr: float,
              momentum: float = 0.9, seed: int = 0, X_val: Array | None = None,
              labels_val: Array | None = None) -> list[dict[str, Any]]:
    """Mini-batch SGD with momentum (v ← μv − ηg, θ ← θ + v), in place on ``net``; one record per
    epoch: ``epoch``, ``loss`` and ``accuracy`` (over the epoch's mini-batches, as they were
    seen), ``val_loss`` and ``val_accuracy`` (None without a validation set) and ``seconds``."""
    if epochs < 0 or batch_size < 1 or lr <= 0 or not 0 <= momentum < 1:
        raise ValueError("need epochs ≥ 0, batch_size ≥ 1, lr > 0 and 0 ≤ momentum < 1")
    classes = net.W.shape[0]
    rng = np.random.default_rng(seed)
    params = net.params()
    velocity = {k: np.zeros_like(p) for k, p in params.items()}
    history = []
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        order = rng.permutation(len(X))
        loss_sum, right = 0.0, 0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, grads, logits = net.gradients(X[idx], one_hot(labels[idx], classes, X.dtype))
            loss_sum += loss * len(idx)
            right += int((logits.argmax(axis=0) == labels[idx]).sum())
            for name, p in params.items():
                v = velocity[name]
                v *= momentum
                v -= lr * grads[name]
                p += v
        record: dict[str, Any] = {"epoch": epoch, "loss": loss_sum / len(X), "accuracy": right / len(X),
                                  "val_loss": None, "val_accuracy": None}
        if X_val is not None and labels_val is not None:
            record["val_loss"] = mean_loss(net, X_val, labels_val)
            record["val_accuracy"] = accuracy(net, X_val, labels_val)
        record["seconds"] = time.perf_counter() - started
        history.append(record)
    return history
