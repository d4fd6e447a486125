"""Training runs of the reference MLP: configuration, metrics, model files and the grid search.

A run is plain data in, plain data out: a :class:`~checker.training.datasets.Dataset` and a
:class:`TrainConfig` go in; a :class:`TrainResult` (the model and a JSON-able metrics dict) comes
out. The CLI commands ``gradproof train`` / ``gradproof grid`` and the experiments on the site are
thin layers over :func:`train` and :func:`grid_search`.
"""

from __future__ import annotations

import csv
import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from checker.training.datasets import Dataset, columns, targets

__all__ = [
    "ConfigError",
    "GridResult",
    "TrainConfig",
    "TrainResult",
    "accuracy",
    "check_config",
    "grid_search",
    "jsonable",
    "load_model",
    "parse_floats",
    "parse_ints",
    "parse_layers",
    "plot_heatmap",
    "predict_labels",
    "resolve_layers",
    "save_model",
    "train",
    "write_grid",
    "write_metrics",
]

#: The keys of ``metrics.json``, in this order.
METRIC_KEYS = ("train_accuracy", "test_accuracy", "final_loss", "epochs", "seconds", "history")

#: The columns of ``grid.csv``.
GRID_CSV_COLUMNS = (
    "batch_size", "lr", "score", "train_accuracy", "val_accuracy", "test_accuracy", "final_loss", "seconds",
)  # fmt: skip

EpochCallback = Callable[[int, dict[str, float]], None]


class ConfigError(ValueError):
    """A training configuration that does not fit the data; the message says what to pass instead."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run besides the data.

    ``layers`` lists the layer sizes from input to output; ``None`` at either end means "take it
    from the data" (``auto`` on the command line).
    """

    layers: tuple[int | None, ...]
    activation: str = "sigmoid"
    loss: str = "mse"
    output_activation: str | None = None
    epochs: int = 10
    batch_size: int = 10
    lr: float = 0.1
    momentum: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    seed: int = 0
    dtype: str = "float64"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy (layers as a list)."""
        d = asdict(self)
        d["layers"] = list(self.layers)
        return d


@dataclass
class TrainResult:
    """A trained model, the sizes it was built with, and the run's metrics (see :data:`METRIC_KEYS`)."""

    model: Any
    sizes: list[int]
    config: TrainConfig
    metrics: dict[str, Any]
    val_accuracy: float | None = None


# ---------------------------------------------------------------------------------------------
# Parsing and checking the configuration against the data
# ---------------------------------------------------------------------------------------------


def parse_layers(text: str) -> tuple[int | None, ...]:
    """``"784,30,10"`` → ``(784, 30, 10)``; ``auto`` (first or last) → ``None``."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) < 2:
        raise ConfigError(f"--layers {text!r}: give at least an input and an output size, e.g. auto,30,10")
    sizes: list[int | None] = []
    for i, part in enumerate(parts):
        if part.lower() == "auto":
            if 0 < i < len(parts) - 1:
                raise ConfigError(f"--layers {text!r}: only the first and last sizes can be 'auto'")
            sizes.append(None)
            continue
        try:
            value = int(part)
        except ValueError:
            raise ConfigError(f"--layers {text!r}: {part!r} is not a whole number or 'auto'") from None
        if value < 1:
            raise ConfigError(f"--layers {text!r}: every layer needs at least one unit, got {value}")
        sizes.append(value)
    return tuple(sizes)


def parse_ints(text: str, flag: str) -> list[int]:
    """``"5,10,20"`` → ``[5, 10, 20]``, with an error naming ``flag``."""
    try:
        values = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise ConfigError(f"{flag} {text!r}: expected whole numbers separated by commas") from None
    if not values or min(values) < 1:
        raise ConfigError(f"{flag} {text!r}: expected positive whole numbers separated by commas")
    return values


def parse_floats(text: str, flag: str) -> list[float]:
    """``"0.05,0.1"`` → ``[0.05, 0.1]``, with an error naming ``flag``."""
    try:
        values = [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise ConfigError(f"{flag} {text!r}: expected numbers separated by commas") from None
    if not values or min(values) <= 0 or not all(math.isfinite(v) for v in values):
        raise ConfigError(f"{flag} {text!r}: expected positive numbers separated by commas")
    return values


def resolve_layers(layers: Sequence[int | None], ds: Dataset, loss: str = "mse") -> list[int]:
    """Fill in ``auto`` sizes from the data and check the rest against it.

    The first size must equal the number of features. The last must equal the number of classes
    (one-hot targets), or be 1 for a two-class problem (the label itself is the target).
    """
    sizes = list(layers)
    spec = ",".join("auto" if s is None else str(s) for s in layers)
    if sizes[0] is None:
        sizes[0] = ds.n_features
    elif sizes[0] != ds.n_features:
        fixed = ",".join(map(str, [ds.n_features, *sizes[1:]])).replace("None", "auto")
        raise ConfigError(
            f"--layers {spec}: the input layer has {sizes[0]} units but {ds.name} has "
            f"{ds.n_features} features per example; use --layers {fixed} (or auto,...)"
        )
    if sizes[-1] is None:
        sizes[-1] = 1 if ds.n_classes == 2 and loss != "softmax-ce" else ds.n_classes
    last = sizes[-1]
    if last != ds.n_classes and not (last == 1 and ds.n_classes == 2):
        choices = f"{ds.n_classes}" + (" or 1" if ds.n_classes == 2 else "")
        raise ConfigError(
            f"--layers {spec}: the output layer has {last} units but {ds.name} has {ds.n_classes} "
            f"classes; end --layers with {choices} (or auto)"
        )
    if last == 1 and loss == "softmax-ce":
        raise ConfigError(
            f"--layers {spec}: softmax over a single output is always 1; use 2 outputs with "
            "softmax-ce, or --loss sigmoid-bce / mse with 1 output"
        )
    return [int(s) for s in sizes]  # type: ignore[arg-type]


def check_config(config: TrainConfig) -> None:
    """Reject settings SGD cannot run with, naming the flag: η > 0, 0 ≤ momentum < 1, λ ≥ 0, epochs ≥ 1."""
    problems = []
    if not config.lr > 0:
        problems.append(f"--lr must be positive, got {config.lr:g}")
    if not 0 <= config.momentum < 1:
        problems.append(f"--momentum must be in [0, 1), got {config.momentum:g}")
    if config.l1 < 0 or config.l2 < 0:
        problems.append(f"--l1 and --l2 cannot be negative, got {config.l1:g} and {config.l2:g}")
    if config.epochs < 1 or config.batch_size < 1:
        problems.append("--epochs and --batch-size must be at least 1")
    if config.dtype not in ("float32", "float64"):
        problems.append(f"--dtype must be float32 or float64, got {config.dtype}")
    if problems:
        raise ConfigError("; ".join(problems))


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
    """
    mlp = _mlp()
    check_config(config)
    sizes = resolve_layers(config.layers, ds, config.loss)
    dtype = np.dtype(config.dtype)
    n_out = sizes[-1]
    X, Y = columns(ds.X_train, dtype), targets(ds.y_train, n_out, dtype)
    val: dict[str, np.ndarray] = {}
    if ds.has_validation:
        val = {"X_val": columns(ds.X_val, dtype), "Y_val": targets(ds.y_val, n_out, dtype)}  # type: ignore[arg-type]
    try:
        model = mlp.MLP.create(
            sizes,
            activation=config.activation,
            loss=config.loss,
            output_activation=config.output_activation,
            l1=config.l1,
            l2=config.l2,
            dtype=dtype,
            seed=config.seed,
        )
    except ValueError as exc:  # e.g. an output activation the loss does not allow
        raise ConfigError(str(exc)) from exc
    history: list[dict[str, float]] = []
    eval_seconds = 0.0

    def callback(record: dict[str, Any]) -> None:
        nonlocal eval_seconds
        entry = _history_entry(record)
        if eval_train:
            tick = time.perf_counter()
            entry["train_data_loss"], entry["train_accuracy"] = _measure(model, X, Y)
            entry["train_loss"] = entry["train_data_loss"] + model.regularisation()
            if val:
                entry["val_data_loss"], _ = _measure(model, val["X_val"], val["Y_val"])
            eval_seconds += time.perf_counter() - tick
        history.append(entry)
        if on_epoch is not None:
            on_epoch(len(history), entry)

    start = time.perf_counter()
    mlp.sgd(
        model,
        X,
        Y,
        epochs=config.epochs,
        batch_size=config.batch_size,
        lr=config.lr,
        momentum=config.momentum,
        seed=config.seed,
        callback=callback,
        **val,
    )
    seconds = time.perf_counter() - start - eval_seconds
    # Accuracy is measured here, from labels, so that one-output (binary) nets are scored the same way.
    train_acc = accuracy(model, ds.X_train, ds.y_train, dtype)
    test_acc = accuracy(model, ds.X_test, ds.y_test, dtype)
    final_loss = history[-1]["loss"] if history and "loss" in history[-1] else float(model.cost(X, Y))
    metrics = {
        "train_accuracy": train_acc,
        "test_accuracy": test_acc,
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

    mlp = _mlp()
    cache = model.forward(X)
    L = model.depth
    data_loss = losses.loss(model.loss).fn(cache.z[L], cache.a[L], Y)
    return float(data_loss), mlp.count_correct(cache.a[L], Y) / Y.shape[1]


def write_metrics(metrics: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``metrics`` as indented JSON (non-finite numbers as ``null``) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(jsonable(metrics), indent=2) + "\n")
    return path


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


# ---------------------------------------------------------------------------------------------
# Model files
# ---------------------------------------------------------------------------------------------


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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
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
    with path.open("wb") as fh:
        np.savez(fh, meta=np.array(json.dumps(meta)), **arrays)
    return path


def load_model(path: str | os.PathLike[str]) -> tuple[Any, dict[str, Any]]:
    """Rebuild a model saved by :func:`save_model`; returns ``(model, meta)``."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            n = len(meta["sizes"]) - 1
            weights = [np.array(data[f"W{i + 1}"]) for i in range(n)]
            biases = [np.array(data[f"b{i + 1}"]) for i in range(n)]
        model = _mlp().MLP.create(
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


# ---------------------------------------------------------------------------------------------
# Grid search over mini-batch size × learning rate
# ---------------------------------------------------------------------------------------------


@dataclass
class GridResult:
    """One training run per (batch size, learning rate) cell, and the best cell by ``score``.

    ``score`` is the validation accuracy when the data set has a validation split (choosing
    hyperparameters on the test set would make the test accuracy optimistic), else the test accuracy.
    """

    dataset: str
    batch_sizes: list[int]
    lrs: list[float]
    score_name: str
    cells: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def best(self) -> dict[str, Any]:
        """The cell with the highest score; ties go to the lower final loss, then the earlier cell."""
        return max(self.cells, key=lambda c: (_num(c["score"]), -_num(c["final_loss"], math.inf)))

    def matrix(self, key: str = "score") -> np.ndarray:
        """``key`` as a (learning rates × batch sizes) array, NaN where a run diverged."""
        out = np.full((len(self.lrs), len(self.batch_sizes)), np.nan)
        for c in self.cells:
            out[self.lrs.index(c["lr"]), self.batch_sizes.index(c["batch_size"])] = _num(c[key], np.nan)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, as written to ``grid.json``."""
        return {
            "dataset": self.dataset,
            "batch_sizes": self.batch_sizes,
            "lrs": self.lrs,
            "score": self.score_name,
            "config": self.config,
            "seconds": round(self.seconds, 4),
            "best": self.best,
            "cells": self.cells,
        }


def _num(value: Any, default: float = -math.inf) -> float:
    return float(value) if value is not None and math.isfinite(value) else default


def grid_search(
    ds: Dataset,
    config: TrainConfig,
    batch_sizes: Sequence[int],
    lrs: Sequence[float],
    *,
    on_cell: Callable[[int, int, dict[str, Any]], None] | None = None,
) -> GridResult:
    """Train one model per (batch size, η) with everything else from ``config``.

    Each cell records train/test (and validation) accuracy, final loss and seconds.
    ``on_cell(index, total, cell)`` is called after each run.
    """
    score_name = "val_accuracy" if ds.has_validation else "test_accuracy"
    result = GridResult(
        ds.name, list(batch_sizes), [float(v) for v in lrs], score_name, config=config.to_dict()
    )
    total = len(batch_sizes) * len(lrs)
    start = time.perf_counter()
    with np.errstate(all="ignore"):  # a too-large η may overflow; that cell is then scored as diverged
        for bs in batch_sizes:
            for lr in result.lrs:
                run = train(ds, replace(config, batch_size=int(bs), lr=float(lr)))
                m = run.metrics
                cell = {
                    "batch_size": int(bs),
                    "lr": float(lr),
                    "train_accuracy": m["train_accuracy"],
                    "test_accuracy": m["test_accuracy"],
                    "val_accuracy": run.val_accuracy,
                    "final_loss": m["final_loss"] if math.isfinite(m["final_loss"]) else None,
                    "seconds": m["seconds"],
                }
                cell["score"] = cell[score_name]
                result.cells.append(cell)
                if on_cell is not None:
                    on_cell(len(result.cells), total, cell)
    result.seconds = time.perf_counter() - start
    return result


def plot_heatmap(result: GridResult, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
    """Draw the score over (batch size × η) with each cell's value and the best point marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    scores = result.matrix("score") * 100
    fig, ax = plt.subplots(figsize=(1.2 * len(result.batch_sizes) + 3, 0.8 * len(result.lrs) + 2.2))
    finite = scores[np.isfinite(scores)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0, 100)
    # A diverged corner (10 % on ten classes) would squash the good cells into one colour; clip the
    # scale to the top 15 points so that differences where it matters stay visible.
    clipped = vmin < vmax - 15
    vmin = max(vmin, vmax - 15)
    image = ax.imshow(scores, cmap="viridis", origin="lower", aspect="auto", vmin=vmin, vmax=vmax)
    mid = (vmin + vmax) / 2
    for i in range(len(result.lrs)):
        for j in range(len(result.batch_sizes)):
            value = scores[i, j]
            text = "diverged" if not np.isfinite(value) else f"{value:.1f}"
            # dark text on the light (high) end of viridis, light text on the dark end
            color = "black" if np.isfinite(value) and value > mid else "white"
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color=color)
    best = result.best
    bi, bj = result.lrs.index(best["lr"]), result.batch_sizes.index(best["batch_size"])
    ax.add_patch(
        plt.Rectangle((bj - 0.5, bi - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=3, zorder=3)
    )
    ax.plot(bj + 0.32, bi + 0.28, marker="*", markersize=14, color="gold", markeredgecolor="black", zorder=4)
    label = result.score_name.replace("_", " ")
    ax.annotate(
        f"best: batch {best['batch_size']}, η = {best['lr']:g}: {label} {100 * _num(best['score'], 0):.1f} %",
        xy=(bj, bi + 0.5),
        xytext=(0.5, 1.03),
        textcoords="axes fraction",
        ha="center",
        va="bottom",
        fontsize=9,
        bbox={"boxstyle": "round,pad=0.4", "fc": "lightyellow", "ec": "red"},
        arrowprops={"arrowstyle": "->", "color": "red", "lw": 1.5},
        zorder=5,
    )
    ax.set_xticks(range(len(result.batch_sizes)), [str(b) for b in result.batch_sizes])
    ax.set_yticks(range(len(result.lrs)), [f"{v:g}" for v in result.lrs])
    ax.set_xlabel("mini-batch size")
    ax.set_ylabel("learning rate η")
    fig.colorbar(image, ax=ax, label=f"{label} (%)", extend="min" if clipped else "neither")
    ax.set_title(title or f"{result.dataset}: grid search over mini-batch size × η", pad=34)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_grid(result: GridResult, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``grid.json``, ``grid.csv`` and ``heatmap.png`` into ``out_dir``; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "grid.json"
    json_path.write_text(json.dumps(jsonable(result.to_dict()), indent=2) + "\n")
    csv_path = out / "grid.csv"
    columns_ = list(GRID_CSV_COLUMNS)
    with csv_path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns_, extrasaction="ignore")
        writer.writeheader()
        for cell in result.cells:
            writer.writerow({k: ("" if cell.get(k) is None else cell[k]) for k in columns_})
    return [json_path, csv_path, plot_heatmap(result, out / "heatmap.png")]
