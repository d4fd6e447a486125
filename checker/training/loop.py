"""One training run of the reference MLP: the loop, its divergence guard, accuracies and metrics.

A run is plain data in, plain data out: a :class:`~checker.training.datasets.Dataset` and a
:class:`~checker.training.config.TrainConfig` go in; a :class:`TrainResult` (the model and a
JSON-able metrics dict) comes out. The CLI commands ``gradproof train`` / ``gradproof grid``, the
grid search (:mod:`checker.training.grid`) and the experiments are thin layers over :func:`train`.

Divergence. After every epoch the loss is compared with the loss of the untrained network (on at
most :data:`START_SAMPLE` training examples): a loss that is not finite, or more than
:data:`DIVERGENCE_FACTOR` times its start (the start floored at :data:`DIVERGENCE_FLOOR`), stops
the run with :class:`Diverged`. So do weights whose root mean square has grown more than
:data:`WEIGHT_GROWTH` times since the start: with sigmoid outputs and the mean squared error the
loss is bounded, and an η far too large shows only in the weights (saturated units, chance
accuracy). A run that learns never comes near either bound: its loss falls from its start and its
weights grow by tens at most (45 times in the site's experiments, for logistic regression on the
half moons); one that overshoots grows by orders of magnitude within an epoch or two.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from checker.files import write_atomic
from checker.training.config import (
    ConfigError,
    TrainConfig,
    check_config,
    make_optimizer,
    parse_floats,
    parse_ints,
    parse_layers,
    resolve_layers,
)
from checker.training.datasets import Dataset, columns, targets

__all__ = [
    "DIVERGENCE_FACTOR",
    "ConfigError",
    "Diverged",
    "TrainConfig",
    "TrainResult",
    "accuracy",
    "check_config",
    "jsonable",
    "parse_floats",
    "parse_ints",
    "parse_layers",
    "predict_labels",
    "resolve_layers",
    "train",
    "write_metrics",
]

#: The keys of ``metrics.json``, in this order.
METRIC_KEYS = ("train_accuracy", "test_accuracy", "final_loss", "epochs", "seconds", "history")

#: A loss more than this many times the untrained network's loss means the run diverged.
DIVERGENCE_FACTOR = 100.0
#: ... with the start loss taken as at least this (a start near 0 would make any wobble "divergence").
DIVERGENCE_FLOOR = 0.01
#: The start loss is measured on the first this-many training examples (the splits are shuffled).
START_SAMPLE = 1024
#: Weights whose root mean square grew more than this many times since the start mean divergence.
WEIGHT_GROWTH = 10_000.0

EpochCallback = Callable[[int, dict[str, float]], None]


class Diverged(Exception):
    """The loss became non-finite or grew far above its start; the message names the epoch and the fix."""

    def __init__(self, epoch: int, loss: float, start: float, lr: float, growth: float = 1.0) -> None:
        self.epoch, self.loss, self.start, self.lr = epoch, loss, start, lr
        if not math.isfinite(loss):
            what = "the loss is not a finite number"
        elif loss > DIVERGENCE_FACTOR * max(start, DIVERGENCE_FLOOR):
            what = f"the loss is {loss:.3g}, more than {DIVERGENCE_FACTOR:g} × its start {start:.3g}"
        else:
            what = f"the weights grew {growth:.3g} times (root mean square), more than {WEIGHT_GROWTH:g} ×"
        super().__init__(
            f"training diverged in epoch {epoch}: {what}; lower --lr (now {lr:g}), e.g. by a factor of 10"
        )


@dataclass
class TrainResult:
    """A trained model, the sizes it was built with, and the run's metrics (see :data:`METRIC_KEYS`)."""

    model: Any
    sizes: list[int]
    config: TrainConfig
    metrics: dict[str, Any]
    val_accuracy: float | None = None


# ---------------------------------------------------------------------------------------------
# Predictions
# ---------------------------------------------------------------------------------------------


def predict_labels(model: Any, X_cols: np.ndarray) -> np.ndarray:
    """Integer labels for columns ``X_cols``: argmax over outputs, or output ≥ 0.5 for one output."""
    out = model.predict(X_cols)
    if out.shape[0] == 1:
        return (out[0] >= 0.5).astype(np.int64)
    return np.argmax(out, axis=0)


def accuracy(model: Any, X: np.ndarray, y: np.ndarray, dtype: Any = np.float64) -> float:
    """Share of rows of ``X`` (rows as examples) whose predicted label equals ``y``."""
    if len(y) == 0:
        return float("nan")
    return float(np.mean(predict_labels(model, columns(X, dtype)) == y))


# ---------------------------------------------------------------------------------------------
# One training run
# ---------------------------------------------------------------------------------------------


def _mlp():
    # Imported late so that the data layer and the CLI's argument parsing do not pay for it.
    from checker.network import mlp

    return mlp


def _history_entry(record: dict[str, Any]) -> dict[str, float]:
    entry: dict[str, float] = {}
    for key, value in record.items():
        if isinstance(value, bool | int | np.integer):
            entry[key] = int(value)
        elif isinstance(value, float | np.floating):
            entry[key] = float(value)
    return entry


def build_model(sizes: list[int], config: TrainConfig) -> Any:
    """A freshly initialised MLP for ``config``; an activation the loss does not allow is a ConfigError."""
    try:
        return _mlp().MLP.create(
            sizes,
            activation=config.activation,
            loss=config.loss,
            output_activation=config.output_activation,
            l1=config.l1,
            l2=config.l2,
            dtype=np.dtype(config.dtype),
            seed=config.seed,
        )
    except ValueError as exc:  # e.g. an output activation the loss does not allow
        raise ConfigError(str(exc)) from exc


def _fit(model: Any, X: np.ndarray, Y: np.ndarray, config: TrainConfig, callback: Any, **val: Any) -> None:
    """Run the optimiser ``config`` names over ``X, Y``, calling ``callback(record)`` after each epoch."""
    _mlp().sgd(
        model,
        X,
        Y,
        epochs=config.epochs,
        batch_size=config.batch_size,
        lr=config.lr,
        momentum=config.momentum if config.optimizer == "sgd" else 0.0,
        optimizer=make_optimizer(config),
        seed=config.seed,
        callback=callback,
        **val,
    )


def _weight_rms(model: Any) -> float:
    """Root mean square of every weight (biases left out: they start near 0)."""
    total = sum(float(np.vdot(W, W)) for W in model.weights)
    return math.sqrt(total / sum(W.size for W in model.weights))


class _Recorder:
    """The per-epoch callback: keeps the history, measures what ``eval_train`` asks, guards divergence."""

    def __init__(self, model: Any, X: np.ndarray, Y: np.ndarray, val: dict[str, np.ndarray],
                 config: TrainConfig, eval_train: bool, on_epoch: EpochCallback | None) -> None:
        self.model, self.X, self.Y, self.val = model, X, Y, val
        self.config, self.eval_train, self.on_epoch = config, eval_train, on_epoch
        self.history: list[dict[str, float]] = []
        self.eval_seconds = 0.0
        sample = slice(0, START_SAMPLE)
        self.start_loss = float(model.cost(X[:, sample], Y[:, sample]))
        self.start_rms = _weight_rms(model)

    def _guard(self, loss: float) -> None:
        """Raise :class:`Diverged` when this epoch's loss or weights ran away (see the module doc)."""
        growth = _weight_rms(self.model) / self.start_rms if self.start_rms > 0 else 1.0
        runaway_loss = loss > DIVERGENCE_FACTOR * max(self.start_loss, DIVERGENCE_FLOOR)
        if not math.isfinite(loss) or runaway_loss or not growth <= WEIGHT_GROWTH:
            raise Diverged(len(self.history) + 1, loss, self.start_loss, self.config.lr, growth)

    def __call__(self, record: dict[str, Any]) -> None:
        entry = _history_entry(record)
        self._guard(float(entry.get("loss", math.nan)))
        if self.eval_train:
            tick = time.perf_counter()
            entry["train_data_loss"], entry["train_accuracy"] = _measure(self.model, self.X, self.Y)
            entry["train_loss"] = entry["train_data_loss"] + self.model.regularisation()
            if self.val:
                entry["val_data_loss"], _ = _measure(self.model, self.val["X_val"], self.val["Y_val"])
            self.eval_seconds += time.perf_counter() - tick
        self.history.append(entry)
        if self.on_epoch is not None:
            self.on_epoch(len(self.history), entry)


def train(
    ds: Dataset,
    config: TrainConfig,
    *,
    on_epoch: EpochCallback | None = None,
    eval_train: bool = False,
) -> TrainResult:
    """Train an MLP on ``ds`` with mini-batch SGD as ``config`` says; measure accuracies and time.

    Each history record holds what :func:`checker.network.mlp.sgd` reports: ``loss`` and ``accuracy`` are
    running means over the epoch's mini-batches (the model changes during the epoch), ``val_loss``
    and ``val_accuracy`` are measured after it; losses include the L1/L2 penalty.

    With ``eval_train`` the record also gets ``train_loss`` / ``train_accuracy`` measured after the
    epoch on the whole training split, so that learning curves compare train and validation at the
    same moment, and ``train_data_loss`` / ``val_data_loss``: the loss without the penalty, which is
    what to compare between runs with different λ. This costs a forward pass per split and epoch,
    not counted in ``seconds``. ``on_epoch(epoch, record)`` is called after each epoch.

    Raises :class:`Diverged` when the loss runs away (see the module doc), :class:`ConfigError`
    for a configuration that does not fit the data.
    """
    check_config(config)
    sizes = resolve_layers(config.layers, ds, config.loss)
    dtype = np.dtype(config.dtype)
    X, Y = columns(ds.X_train, dtype), targets(ds.y_train, sizes[-1], dtype)
    val: dict[str, np.ndarray] = {}
    if ds.has_validation:
        val = {"X_val": columns(ds.X_val, dtype), "Y_val": targets(ds.y_val, sizes[-1], dtype)}  # type: ignore[arg-type]
    model = build_model(sizes, config)
    # An overshooting η overflows before the guard sees the epoch's loss; the guard reports it.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        recorder = _Recorder(model, X, Y, val, config, eval_train, on_epoch)
        start = time.perf_counter()
        _fit(model, X, Y, config, recorder, **val)
        seconds = time.perf_counter() - start - recorder.eval_seconds
    history = recorder.history
    final_loss = history[-1]["loss"] if history and "loss" in history[-1] else float(model.cost(X, Y))
    # Accuracy is measured here, from labels, so that one-output (binary) nets are scored the same way.
    metrics = {
        "train_accuracy": accuracy(model, ds.X_train, ds.y_train, dtype),
        "test_accuracy": accuracy(model, ds.X_test, ds.y_test, dtype),
        "final_loss": float(final_loss),
        "epochs": int(config.epochs),
        "seconds": round(seconds, 4),
        "history": history,
    }
    val_acc = accuracy(model, ds.X_val, ds.y_val, dtype) if ds.has_validation else None  # type: ignore[arg-type]
    return TrainResult(model=model, sizes=sizes, config=config, metrics=metrics, val_accuracy=val_acc)


def _measure(model: Any, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
    """(data loss without the penalty, accuracy) of columns X, Y in one forward pass."""
    from checker.network import losses

    cache = model.forward(X)
    L = model.depth
    data_loss = losses.loss(model.loss).fn(cache.z[L], cache.a[L], Y)
    return float(data_loss), _mlp().count_correct(cache.a[L], Y) / Y.shape[1]


# ---------------------------------------------------------------------------------------------
# Metrics files
# ---------------------------------------------------------------------------------------------


def write_metrics(metrics: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``metrics`` as indented JSON (non-finite numbers as ``null``) and return the path."""
    return write_atomic(path, json.dumps(jsonable(metrics), indent=2) + "\n")


def jsonable(obj: Any) -> Any:
    """A copy of ``obj`` for ``json.dumps``: numpy numbers as Python ones, NaN/inf as ``None``.

    JSON has no NaN or infinity; a diverged run's numbers become ``null`` instead of invalid JSON.
    """
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj
