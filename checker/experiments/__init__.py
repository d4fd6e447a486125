"""The course's experiments, run for real with the reference MLP; the site renders their results.

Each :class:`Experiment` has an ``id``, a ``title`` and ``run(out_dir) -> ExperimentResult``: the
PNG figures it wrote into ``out_dir``, a JSON-able ``metrics`` dict holding every number it
measured, and a Markdown page body that cites those numbers and references the figures by bare file
name. Everything is seeded, so a second run draws the same figures and measures the same
accuracies (only the ``seconds`` differ).

The whole set runs cold in well under half a minute on two cores: the sizes and epochs below were
chosen for that. Run them from the command line with::

    python -m checker.experiments [ID ...] --out DIR

This room may import ``checker.training`` and ``checker.network`` (and ``derivations``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from checker.training.datasets import (
    CIFAR10_ENV,
    MNIST_ENV,
    Dataset,
    DatasetError,
    columns,
    load_dataset,
    take_train,
)
from checker.training.loop import TrainConfig, TrainResult, grid_search, jsonable, plot_heatmap, train

__all__ = ["EXPERIMENTS", "Experiment", "ExperimentResult", "get", "run_all", "train_command"]


@dataclass(frozen=True)
class ExperimentResult:
    """What one run produced: figures in ``out_dir``, the measured numbers, and the page body."""

    figures: list[Path]
    metrics: dict[str, Any]
    markdown: str


@dataclass(frozen=True)
class Experiment:
    """One experiment of the course: ``run(out_dir)`` trains, measures, plots and writes the page."""

    id: str
    title: str
    run: Callable[[Path], ExperimentResult]
    summary: str = ""
    env: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """What besides the source code decides this experiment's output: the environment it reads.

        A cache keyed by content should include this (the MNIST/CIFAR page changes when
        ``GRADPROOF_MNIST_DIR`` / ``GRADPROOF_CIFAR10_DIR`` do).
        """
        return json.dumps({name: os.environ.get(name) for name in self.env}, sort_keys=True)


# ---------------------------------------------------------------------------------------------
# Shared helpers: threads, commands, tables, plots
# ---------------------------------------------------------------------------------------------


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the small matrix products of these experiments on one BLAS thread.

    The matrices here are tiny (a mini-batch of 10 × a few dozen units): a second BLAS thread costs
    more in hand-over than it saves, and on a busy two-core machine its spin-waiting made the same
    runs several times slower. Numbers are unchanged; only the time is.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def train_command(
    dataset: str,
    config: TrainConfig,
    *,
    command: str = "train",
    val_fraction: float = 0.0,
    train_size: int | None = None,
    extra: str = "",
) -> str:
    """The ``gradproof train`` command line that reproduces a run of ``config`` on ``dataset``.

    Built from the very config the experiment trains with, so the page cannot drift from the run.
    """
    layers = ",".join("auto" if s is None else str(s) for s in config.layers)
    parts = [f"gradproof {command} --dataset {dataset}"]
    if val_fraction or command == "grid":  # grid holds out 0.1 unless told otherwise
        parts.append(f"--val-fraction {val_fraction:g}")
    if train_size is not None:
        parts.append(f"--train-size {train_size}")
    parts.append(f"--layers {layers}")
    if len(config.layers) > 2:
        parts.append(f"--activation {config.activation}")
    parts.append(f"--loss {config.loss}")
    if config.output_activation:
        parts.append(f"--output-activation {config.output_activation}")
    parts.append(f"--epochs {config.epochs}")
    if command == "train":
        parts.append(f"--batch-size {config.batch_size} --lr {config.lr:g}")
    for flag, value, default in (
        ("--momentum", config.momentum, 0.0),
        ("--l1", config.l1, 0.0),
        ("--l2", config.l2, 0.0),
        ("--seed", config.seed, 0),
    ):
        if value != default:
            parts.append(f"{flag} {value:g}")
    if config.dtype != "float64":
        parts.append(f"--dtype {config.dtype}")
    if extra:
        parts.append(extra)
    return " ".join(parts)


def _pct(x: float | None, digits: int = 1) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{100 * x:.{digits}f} %"


def _num(x: float | None, digits: int = 4) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}g}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _code(*commands: str) -> str:
    return "```bash\n" + "\n".join(commands) + "\n```"


def _reproduce(exp_id: str) -> str:
    return f"python -m checker.experiments {exp_id} --out results/{exp_id}"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, out_dir: Path, name: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    # No timestamp or version in the PNG: the same run gives the same bytes.
    fig.savefig(path, dpi=100, metadata={"Software": None})
    _pyplot().close(fig)
    return path


def _class1_probability(model: Any, X_cols: np.ndarray) -> np.ndarray:
    out = model.predict(X_cols)
    return out[0] if out.shape[0] == 1 else out[1]


def _boundary(
    ax: Any,
    model: Any,
    ds: Dataset,
    title: str,
    *,
    squares: bool = False,
    resolution: int = 150,
    points: str = "test",
    bounds: tuple[float, float, float, float] | None = None,
    marker_size: float = 9,
) -> None:
    """Shade P(class 1) over the plane, draw the 0.5 contour, scatter the points by label."""
    if bounds is None:
        X = ds.X_train[:, :2]
        pad = 0.25 * (X.max(axis=0) - X.min(axis=0)).max()
        (x0, y0), (x1, y1) = X.min(axis=0) - pad, X.max(axis=0) + pad
    else:
        x0, x1, y0, y1 = bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    if squares:
        grid = np.hstack([grid, grid**2])
    p = _class1_probability(model, columns(grid, model.dtype)).reshape(gx.shape)
    ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55, vmin=0, vmax=1)
    if p.min() < 0.5 < p.max():
        ax.contour(gx, gy, p, levels=[0.5], colors="black", linewidths=1.2)
    Xp, yp = (ds.X_test, ds.y_test) if points == "test" else (ds.X_train, ds.y_train)
    for label, color in ((0, "#2166ac"), (1, "#b2182b")):
        sel = yp == label
        ax.scatter(
            Xp[sel, 0], Xp[sel, 1], s=marker_size, c=color, edgecolors="white", linewidths=0.5, zorder=3
        )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)


def _metrics_of(result: TrainResult, **extra: Any) -> dict[str, Any]:
    m = result.metrics
    return {
        "layers": result.sizes,
        "train_accuracy": m["train_accuracy"],
        "test_accuracy": m["test_accuracy"],
        "final_loss": m["final_loss"],
        "epochs": m["epochs"],
        "seconds": m["seconds"],
        **extra,
    }


def _first_epoch_below(history: list[dict[str, float]], key: str, threshold: float) -> int | None:
    return next((int(h["epoch"]) for h in history if h.get(key, math.inf) <= threshold), None)


# ---------------------------------------------------------------------------------------------
# XOR
# ---------------------------------------------------------------------------------------------

XOR_CONFIG = TrainConfig(
    layers=(2, 2, 1), activation="sigmoid", loss="mse", epochs=500, batch_size=4, lr=10.0
)
XOR_SEEDS = 10


def run_xor(out_dir: Path) -> ExperimentResult:
    """2-2-1 sigmoid net on XOR: the loss curve, the outputs, and how many seeds solve it."""
    ds = load_dataset("xor")
    with single_threaded_blas():
        run = train(ds, XOR_CONFIG)
        seeds = [train(ds, replace(XOR_CONFIG, seed=s)) for s in range(XOR_SEEDS)]
    outputs = run.model.predict(columns(ds.X_train))[0]
    solved = [s for s, r in enumerate(seeds) if r.metrics["train_accuracy"] == 1.0]
    stuck = [s for s in range(XOR_SEEDS) if s not in solved]
    history = run.metrics["history"]

    plt = _pyplot()
    fig, (ax_loss, ax_map) = plt.subplots(1, 2, figsize=(9, 3.8))
    ax_loss.semilogy([h["epoch"] for h in history], [h["loss"] for h in history], color="#b2182b")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("mean squared error (log scale)")
    ax_loss.set_title(f"training loss, 2-2-1 sigmoid, η = {XOR_CONFIG.lr:g}", fontsize=10)
    ax_loss.grid(alpha=0.3)
    title = "output ≥ 0.5 (red) and the hidden units' lines"
    _boundary(ax_map, run.model, ds, title, points="train", bounds=(-0.5, 1.5, -0.5, 1.5), marker_size=80)
    xs = np.linspace(-0.5, 1.5, 2)
    W, b = run.model.weights[0], run.model.biases[0]
    for j, style in enumerate(("--", ":")):
        if abs(W[j, 1]) > 1e-9:  # hidden unit j is half on along w·x + b = 0
            line = -(W[j, 0] * xs + b[j, 0]) / W[j, 1]
            ax_map.plot(xs, line, "k" + style, lw=1, label=f"hidden unit {j + 1}")
    ax_map.legend(loc="lower left", fontsize=7)
    fig.tight_layout()
    figures = [_save(fig, out_dir, "xor-training.png")]

    metrics = {
        **_metrics_of(run),
        "outputs": [float(v) for v in outputs],
        "targets": [int(v) for v in ds.y_train],
        "seeds_tried": XOR_SEEDS,
        "seeds_solved": len(solved),
        "unsolved_seeds": stuck,
        "seed_final_losses": [r.metrics["final_loss"] for r in seeds],
    }
    rows = [
        (f"({x1:g}, {x2:g})", int(t), f"{o:.3f}", int(o >= 0.5))
        for (x1, x2), t, o in zip(ds.X_train, ds.y_train, outputs, strict=True)
    ]
    if stuck:
        stuck_text = (
            f"The other {'seeds' if len(stuck) > 1 else 'seed'} ({', '.join(map(str, stuck))}) "
            f"{'stop' if len(stuck) > 1 else 'stops'} in a local "
            "minimum of the loss with an input still wrong: two hidden units are just enough for XOR, "
            "and not every starting point leads to a solution."
        )
    else:
        stuck_text = "Every seed tried finds a solution."
    commands = _code(train_command("xor", XOR_CONFIG), _reproduce("xor"))
    accuracy, loss = _pct(run.metrics["train_accuracy"], 0), _num(run.metrics["final_loss"], 3)
    seconds = run.metrics["seconds"]
    table = _table(["input", "target", "output a⁽²⁾", "predicted"], rows)
    markdown = f"""\
XOR is the smallest problem a single neuron cannot solve: no line separates (0, 1) and (1, 0) from
(0, 0) and (1, 1). A hidden layer of two sigmoid units can. A 2-2-1 network with sigmoid units
everywhere is trained on the four points by full-batch gradient descent on the mean squared error,
with the backward pass of gradproof's reference MLP.

{commands}

**Result: {accuracy} accuracy** after {XOR_CONFIG.epochs} epochs (final loss {loss}, {seconds:.2f} s).

{table}

![Training loss of the 2-2-1 network on XOR and its decision regions](xor-training.png)

Each dashed line is where one hidden unit is half on (w·x + b = 0); the output unit combines the
two half-planes into the band that holds (0, 1) and (1, 0).

**Seeds.** The same network from {XOR_SEEDS} random initialisations (seeds 0–{XOR_SEEDS - 1}):
{len(solved)} of {XOR_SEEDS} reach 100 % accuracy. {stuck_text}
"""
    return ExperimentResult(figures, metrics, markdown)


# ---------------------------------------------------------------------------------------------
# Half moons
# ---------------------------------------------------------------------------------------------

MOONS_HIDDEN = (1, 2, 3, 4, 5, 20, 50)
MOONS_CONFIG = TrainConfig(
    layers=(None, 5, None),
    activation="tanh",
    loss="sigmoid-bce",
    epochs=100,
    batch_size=50,
    lr=0.2,
    momentum=0.9,
)
LOGISTIC_CONFIG = replace(MOONS_CONFIG, layers=(None, None))


def run_moons(out_dir: Path) -> ExperimentResult:
    """Decision boundaries of logistic regression and of one hidden layer of 1–50 tanh units."""
    ds = load_dataset("moons")
    models = [("logistic regression", LOGISTIC_CONFIG)]
    for h in MOONS_HIDDEN:
        models.append(
            (f"{h} hidden unit{'s' if h > 1 else ''}", replace(MOONS_CONFIG, layers=(None, h, None)))
        )
    with single_threaded_blas():
        runs = [(name, train(ds, config)) for name, config in models]

    plt = _pyplot()
    fig, axes = plt.subplots(2, 4, figsize=(12, 6.2))
    for ax, (name, run) in zip(axes.ravel(), runs, strict=True):
        _boundary(ax, run.model, ds, f"{name}\ntest accuracy {_pct(run.metrics['test_accuracy'])}")
    fig.suptitle("Half moons: decision boundaries (test points shown)", fontsize=11)
    fig.tight_layout()
    figures = [_save(fig, out_dir, "moons-boundaries.png")]

    per_model = {
        name: _metrics_of(run, hidden=(run.sizes[1] if len(run.sizes) == 3 else 0)) for name, run in runs
    }
    # Ties go to the smaller network: it is the simpler explanation of the same accuracy.
    best = max(per_model, key=lambda n: (per_model[n]["test_accuracy"], -per_model[n]["hidden"]))
    logistic = per_model["logistic regression"]
    metrics = {
        "models": per_model,
        "best_model": best,
        "best_test_accuracy": per_model[best]["test_accuracy"],
        "logistic_test_accuracy": logistic["test_accuracy"],
        "seconds": sum(m["seconds"] for m in per_model.values()),
    }
    rows = [
        (name, "-".join(map(str, m["layers"])), _pct(m["train_accuracy"]), _pct(m["test_accuracy"]))
        for name, m in per_model.items()
    ]
    table = _table(["model", "layers", "train accuracy", "test accuracy"], rows)
    commands = _code(
        train_command("moons", LOGISTIC_CONFIG), train_command("moons", MOONS_CONFIG), _reproduce("moons")
    )
    c = MOONS_CONFIG
    hidden_sizes = ", ".join(map(str, MOONS_HIDDEN))
    markdown = f"""\
Two interleaving half circles with Gaussian noise (σ = 0.15): {len(ds.y_train)} training points and
{len(ds.y_test)} test points from gradproof's own seeded generator. The same training code fits a
logistic regression (a 2-1 network: one sigmoid unit and the binary cross-entropy loss) and networks
with one hidden layer of {hidden_sizes} tanh units, each for {c.epochs} epochs of mini-batch SGD
(batch {c.batch_size}, η = {c.lr:g}, momentum {c.momentum:g}).

{commands}

(change the middle number of `--layers` for the other hidden sizes)

![Decision boundaries on the half moons](moons-boundaries.png)

{table}

A straight boundary (logistic regression) classifies {_pct(logistic["test_accuracy"])} of the test
points. The best model, **{best}**, reaches **{_pct(metrics["best_test_accuracy"])}**. One or two
hidden units draw little more than a line; from three units on, the boundary follows the moons, and
wider layers add little on this much data.
"""
    return ExperimentResult(figures, metrics, markdown)


# ---------------------------------------------------------------------------------------------
# TensorFlow playground
# ---------------------------------------------------------------------------------------------

PLAYGROUND_CONFIG = TrainConfig(
    layers=(None, 4, None),
    activation="sigmoid",
    loss="sigmoid-bce",
    epochs=150,
    batch_size=25,
    lr=0.1,
    momentum=0.9,
)
RELU_SIGMOID_CONFIG = replace(PLAYGROUND_CONFIG, layers=(None, 8, 8, None))
CONVERGED_LOSS = 0.1
PLAYGROUND_VARIANTS = (
    ("linear units; x1, x2", "circles", "identity"),
    ("sigmoid units; x1, x2", "circles", "sigmoid"),
    ("linear units; x1, x2, x1², x2²", "circles+squares", "identity"),
    ("sigmoid units; x1, x2, x1², x2²", "circles+squares", "sigmoid"),
)


def run_playground(out_dir: Path) -> ExperimentResult:
    """Linear vs sigmoid units on the circles, with and without x1², x2²; ReLU vs sigmoid."""
    data = {name: load_dataset(name) for name in ("circles", "circles+squares")}
    with single_threaded_blas():
        runs = []
        for label, name, act in PLAYGROUND_VARIANTS:
            runs.append((label, name, train(data[name], replace(PLAYGROUND_CONFIG, activation=act))))
        contest = {
            a: train(data["circles"], replace(RELU_SIGMOID_CONFIG, activation=a)) for a in ("relu", "sigmoid")
        }

    plt = _pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.6))
    for ax, (label, name, run) in zip(axes, runs, strict=True):
        title = f"{label}\ntest accuracy {_pct(run.metrics['test_accuracy'])}"
        _boundary(ax, run.model, data[name], title, squares=name.endswith("+squares"))
    fig.suptitle("Circle data: which units and which features can draw a circle?", fontsize=11)
    fig.tight_layout()
    fig_features = _save(fig, out_dir, "playground-features.png")

    fig = plt.figure(figsize=(13, 3.8))
    ax_loss = fig.add_subplot(1, 3, 1)
    colors = {"relu": "#1b7837", "sigmoid": "#762a83"}
    for act, run in contest.items():
        h = run.metrics["history"]
        ax_loss.semilogy([e["epoch"] for e in h], [e["loss"] for e in h], color=colors[act], label=act)
    ax_loss.axhline(CONVERGED_LOSS, color="grey", lw=0.8, ls="--")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss (log scale)")
    ax_loss.set_title("2-8-8-1, same seed, η and momentum", fontsize=10)
    ax_loss.legend()
    ax_loss.grid(alpha=0.3)
    for i, (act, run) in enumerate(contest.items()):
        title = f"{act}: test accuracy {_pct(run.metrics['test_accuracy'])}"
        _boundary(fig.add_subplot(1, 3, 2 + i), run.model, data["circles"], title, resolution=200)
    fig.tight_layout()
    fig_relu = _save(fig, out_dir, "playground-relu-sigmoid.png")

    features = {
        label: _metrics_of(run, dataset=name, activation=run.config.activation) for label, name, run in runs
    }
    relu_sigmoid = {
        act: _metrics_of(
            run, epochs_to_converge=_first_epoch_below(run.metrics["history"], "loss", CONVERGED_LOSS)
        )
        for act, run in contest.items()
    }
    metrics = {"features": features, "relu_vs_sigmoid": relu_sigmoid, "converged_loss": CONVERGED_LOSS}

    rows = [
        (label, m["dataset"], _pct(m["train_accuracy"]), _pct(m["test_accuracy"]))
        for label, m in features.items()
    ]
    features_table = _table(["hidden units; features", "data set", "train accuracy", "test accuracy"], rows)
    contest_rows = [
        (
            act,
            m["epochs_to_converge"] or f"none of {m['epochs']}",
            _num(m["final_loss"], 3),
            _pct(m["test_accuracy"]),
        )
        for act, m in relu_sigmoid.items()
    ]
    contest_table = _table(
        ["hidden units", f"first epoch with loss ≤ {CONVERGED_LOSS:g}", "final loss", "test accuracy"],
        contest_rows,
    )
    lin, sig, lin_sq, _ = (features[label] for label, _, _ in PLAYGROUND_VARIANTS)
    relu, sigm = relu_sigmoid["relu"], relu_sigmoid["sigmoid"]
    relu_epochs, sig_epochs = relu["epochs_to_converge"], sigm["epochs_to_converge"]
    if relu_epochs and (sig_epochs is None or relu_epochs < sig_epochs):
        speed = f"ReLU reaches a training loss of {CONVERGED_LOSS:g} at epoch {relu_epochs}, sigmoid " + (
            f"only at epoch {sig_epochs}." if sig_epochs else f"not within {sigm['epochs']} epochs."
        )
    elif sig_epochs and (relu_epochs is None or sig_epochs < relu_epochs):
        speed = f"Here sigmoid reaches a training loss of {CONVERGED_LOSS:g} first (epoch {sig_epochs})."
    else:
        speed = f"Both reach a training loss of {CONVERGED_LOSS:g} in the same epoch ({relu_epochs})."
    commands = _code(
        train_command("circles", replace(PLAYGROUND_CONFIG, activation="identity")),
        train_command("circles+squares", replace(PLAYGROUND_CONFIG, activation="identity")),
        _reproduce("playground"),
    )
    contest_command = _code(train_command("circles", replace(RELU_SIGMOID_CONFIG, activation="relu")))
    n_train, n_test = len(data["circles"].y_train), len(data["circles"].y_test)
    c = RELU_SIGMOID_CONFIG
    markdown = f"""\
The TensorFlow playground's circle data set, generated by gradproof with the playground's recipe
(class 1 inside radius 2.5, class 0 in the ring from 3.5 to 5, coordinates divided by 5):
{n_train} training and {n_test} test points. The playground's questions, answered with the reference MLP.

### Linear or sigmoid units, with or without squared features

A 2-4-1 network (4-4-1 with the squared features) with a sigmoid output and the binary
cross-entropy loss; the four hidden units are either linear (the identity) or sigmoid.

{commands}

(`--activation sigmoid` for the sigmoid units)

![Linear vs sigmoid hidden units, with and without squared features](playground-features.png)

{features_table}

Linear hidden units compose into one linear map, so on x1, x2 alone the network can only draw a
line: {_pct(lin["test_accuracy"])} of the test points. Sigmoid units bend the boundary around the
inner class ({_pct(sig["test_accuracy"])}). With x1² and x2² among the inputs a circle is a *linear*
boundary in feature space, and the linear network gets {_pct(lin_sq["test_accuracy"])}.

### ReLU vs sigmoid: speed and smoothness

The same 2-8-8-1 network with ReLU or with sigmoid hidden units: same seed, η = {c.lr:g}, momentum
{c.momentum:g}, {c.epochs} epochs.

{contest_command}

![Loss curves and decision boundaries of ReLU and sigmoid networks](playground-relu-sigmoid.png)

{contest_table}

{speed} A ReLU unit does not saturate: its derivative is 1 wherever it is on, while σ'(z) ≤ ¼,
and the gradient of the first layer passes through two such factors. The ReLU boundary is a polygon,
since a ReLU network is linear between the kinks of its units; the sigmoid boundary is smooth.
"""
    return ExperimentResult([fig_features, fig_relu], metrics, markdown)


# ---------------------------------------------------------------------------------------------
# Digits: learning curves, overfitting and L2, grid search
# ---------------------------------------------------------------------------------------------

DIGITS_VAL = 0.15
DIGITS_CONFIG = TrainConfig(
    layers=(None, 30, None),
    activation="sigmoid",
    loss="softmax-ce",
    epochs=60,
    batch_size=20,
    lr=0.05,
    momentum=0.9,
)
OVERFIT_TRAIN_SIZE = 300
OVERFIT_CONFIG = replace(DIGITS_CONFIG, epochs=100, batch_size=20, lr=0.1, momentum=0.9)
OVERFIT_L2 = 5e-4
#: SGD with momentum wanders from epoch to epoch; "final" figures average the last epochs.
LAST_EPOCHS = 10
OVERFIT_RUNS = (
    ("narrow: 15 hidden", 15, 0.0),
    ("wide: 100 hidden", 100, 0.0),
    ("wide + L2", 100, OVERFIT_L2),
)
# plain SGD, as in the homework's grid search: η alone sets the step
GRID_CONFIG = replace(DIGITS_CONFIG, epochs=6, momentum=0.0)
GRID_BATCH_SIZES = (10, 20, 50, 100)
GRID_LRS = (0.3, 1.0, 3.0, 10.0)


def _curves(ax_loss: Any, ax_acc: Any, history: list[dict[str, float]], color: str, label: str) -> None:
    epochs = [h["epoch"] for h in history]
    prefix = f"{label}: " if label else ""
    for ax, key, scale in ((ax_loss, "data_loss", 1), (ax_acc, "accuracy", 100)):
        ax.plot(
            epochs, [scale * h[f"train_{key}"] for h in history], color=color, ls="--", label=prefix + "train"
        )
        ax.plot(epochs, [scale * h[f"val_{key}"] for h in history], color=color, label=prefix + "validation")


def _overfit_metrics(run: TrainResult) -> dict[str, Any]:
    h = run.metrics["history"]
    val_losses = [e["val_data_loss"] for e in h]
    best = int(np.argmin(val_losses))
    last = h[-LAST_EPOCHS:]

    def mean(key: str) -> float:
        return float(np.mean([e[key] for e in last]))

    return _metrics_of(
        run,
        l2=run.config.l2,
        val_accuracy=run.val_accuracy,
        last_epochs=len(last),
        last_train_accuracy=mean("train_accuracy"),
        last_val_accuracy=mean("val_accuracy"),
        last_train_data_loss=mean("train_data_loss"),
        last_val_data_loss=mean("val_data_loss"),
        best_val_data_loss=val_losses[best],
        best_val_epoch=best + 1,
        val_loss_rise=mean("val_data_loss") - val_losses[best],
        accuracy_gap=mean("train_accuracy") - mean("val_accuracy"),
        weight_norm=math.sqrt(sum(float(np.vdot(W, W)) for W in run.model.weights)),
    )


def _compare(new: float, old: float, lower: str, higher: str) -> str:
    return lower if new < old else higher if new > old else "the same"


def run_digits(out_dir: Path) -> ExperimentResult:
    """The 8×8 digits: learning curves, a wide layer overfitting and L2 against it, the grid search."""
    ds = load_dataset("digits", val_fraction=DIGITS_VAL)
    small = load_dataset("digits", val_fraction=DIGITS_VAL, train_size=OVERFIT_TRAIN_SIZE)
    with single_threaded_blas():
        main = train(ds, DIGITS_CONFIG, eval_train=True)
        overfit = []
        for label, hidden, l2 in OVERFIT_RUNS:
            config = replace(OVERFIT_CONFIG, layers=(None, hidden, None), l2=l2)
            overfit.append((label, train(small, config, eval_train=True)))
        grid = grid_search(ds, GRID_CONFIG, GRID_BATCH_SIZES, GRID_LRS)

    plt = _pyplot()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    _curves(ax_loss, ax_acc, main.metrics["history"], "#2166ac", "")
    ax_loss.set_ylabel("cross-entropy loss")
    ax_acc.set_ylabel("accuracy (%)")
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    c = DIGITS_CONFIG
    fig.suptitle(f"64-30-10 sigmoid network, batch {c.batch_size}, η = {c.lr:g}, momentum {c.momentum:g}")
    fig.tight_layout()
    fig_curves = _save(fig, out_dir, "digits-learning-curves.png")

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    for (label, run), color in zip(overfit, ("#7f7f7f", "#b2182b", "#2166ac"), strict=True):
        _curves(ax_loss, ax_acc, run.metrics["history"], color, label)
    ax_loss.set_ylabel("cross-entropy (without the L2 term)")
    ax_loss.set_yscale("log")
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_ylim(80, 100.5)
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    ax_acc.legend(fontsize=7, loc="lower right", ncol=2)
    fig.suptitle(f"{OVERFIT_TRAIN_SIZE} training images: narrow, wide, and wide with L2 (λ = {OVERFIT_L2:g})")
    fig.tight_layout()
    fig_overfit = _save(fig, out_dir, "digits-overfitting.png")

    title = f"digits, {GRID_CONFIG.epochs} epochs of 64-30-10: validation accuracy"
    fig_grid = plot_heatmap(grid, out_dir / "digits-grid.png", title=title)

    overfitting = {label: _overfit_metrics(run) for label, run in overfit}
    best = grid.best
    split = {"train": len(ds.y_train), "validation": len(ds.y_val), "test": len(ds.y_test)}
    metrics = {
        "test_accuracy": main.metrics["test_accuracy"],
        "learning_curves": _metrics_of(main, val_accuracy=main.val_accuracy, split=split),
        "overfitting": overfitting,
        "grid": {
            "score": grid.score_name,
            "epochs": GRID_CONFIG.epochs,
            "batch_sizes": grid.batch_sizes,
            "lrs": grid.lrs,
            "cells": grid.cells,
            "best": best,
            "seconds": grid.seconds,
        },
    }

    m = metrics["learning_curves"]
    curves_commands = _code(
        train_command("digits", DIGITS_CONFIG, val_fraction=DIGITS_VAL), _reproduce("digits")
    )
    wide_config = replace(OVERFIT_CONFIG, layers=(None, 100, None))
    overfit_commands = _code(
        *(
            train_command("digits", cfg, val_fraction=DIGITS_VAL, train_size=OVERFIT_TRAIN_SIZE)
            for cfg in (wide_config, replace(wide_config, l2=OVERFIT_L2))
        )
    )
    over_rows = [
        (
            label,
            f"{o['l2']:g}",
            _pct(o["last_train_accuracy"]),
            _pct(o["last_val_accuracy"]),
            _pct(o["accuracy_gap"]),
            f"{_num(o['best_val_data_loss'], 3)} (epoch {o['best_val_epoch']})",
            _num(o["last_val_data_loss"], 3),
            _num(o["weight_norm"], 3),
        )
        for label, o in overfitting.items()
    ]
    headers = ["network", "λ", "train acc.", "val. acc.", "gap", "lowest val. loss", "val. loss", "‖W‖"]
    over_table = _table(headers, over_rows)
    narrow, wide, wide_l2 = (overfitting[label] for label, _, _ in OVERFIT_RUNS)
    rise = _compare(wide["val_loss_rise"], narrow["val_loss_rise"], "less", "more")
    rise = "as much" if rise == "the same" else rise
    overfit_text = (
        f"Both networks fit their {OVERFIT_TRAIN_SIZE} training images (train accuracy "
        f"{_pct(narrow['last_train_accuracy'])} narrow, {_pct(wide['last_train_accuracy'])} wide), yet reach "
        f"only {_pct(narrow['last_val_accuracy'])} and {_pct(wide['last_val_accuracy'])} on the validation "
        f"images. The wide network's validation loss is lowest at epoch {wide['best_val_epoch']} and then "
        f"climbs by {_num(wide['val_loss_rise'], 2)} while its training loss keeps falling (to "
        f"{_num(wide['last_train_data_loss'], 2)}): from there on it learns the training images rather "
        f"than digits. The narrow network's climbs by {_num(narrow['val_loss_rise'], 2)}, so the wide one "
        f"overfits {rise}."
    )
    direction = _compare(wide_l2["last_val_data_loss"], wide["last_val_data_loss"], "down", "up")
    l2_text = (
        f"With λ = {OVERFIT_L2:g} the wide network's validation loss ends at "
        f"{_num(wide_l2['last_val_data_loss'], 3)} ({direction} from {_num(wide['last_val_data_loss'], 3)}) "
        f"and {_num(wide_l2['val_loss_rise'], 2)} above its lowest point (against "
        f"{_num(wide['val_loss_rise'], 2)}); its validation accuracy is "
        f"{_pct(wide_l2['last_val_accuracy'])} (against {_pct(wide['last_val_accuracy'])}) and its weights "
        f"have norm {_num(wide_l2['weight_norm'], 3)} (against {_num(wide['weight_norm'], 3)}). The penalty "
        "λ/2‖W‖² adds λW to every weight gradient, so each step shrinks the weights a little (weight "
        "decay); small weights keep the sigmoid units near their linear range, and the network cannot bend "
        "its boundary around every training image."
    )
    best_cells = sorted(grid.cells, key=lambda cell: -(cell["score"] or 0))[:5]
    grid_rows = [
        (cell["batch_size"], f"{cell['lr']:g}", _pct(cell["train_accuracy"]), _pct(cell["val_accuracy"]))
        for cell in best_cells
    ]
    grid_table = _table(["batch", "η", "train acc.", "val. acc."], grid_rows)
    per_batch_best = {}
    for cell in grid.cells:
        kept = per_batch_best.get(cell["batch_size"])
        if kept is None or (cell["score"] or 0) > (kept["score"] or 0):
            per_batch_best[cell["batch_size"]] = cell
    per_batch = ", ".join(
        f"batch {b} → η = {c['lr']:g} ({_pct(c['score'])})" for b, c in per_batch_best.items()
    )
    batch_list = ",".join(map(str, GRID_BATCH_SIZES))
    lr_list = ",".join(f"{v:g}" for v in GRID_LRS)
    grid_extra = f"--batch-sizes {batch_list} --lrs {lr_list} --out grid"
    grid_command = _code(
        train_command("digits", GRID_CONFIG, command="grid", val_fraction=DIGITS_VAL, extra=grid_extra)
    )
    g = GRID_CONFIG
    o = OVERFIT_CONFIG
    markdown = f"""\
scikit-learn's 8×8 handwritten digits (1,797 images, read from the file inside the installed
package; pixels divided by 16): {split["train"]} images for training, {split["validation"]} for
validation and {split["test"]} for the final test. Every network here has softmax outputs and the
cross-entropy loss.

### Learning curves

A 64-30-10 network with sigmoid hidden units, {c.epochs} epochs of mini-batch SGD, batch
{c.batch_size}, η = {c.lr:g}, momentum {c.momentum:g}. The training figures are measured on the whole
training split after each epoch, like the validation ones.

{curves_commands}

![Learning curves: training and validation loss and accuracy](digits-learning-curves.png)

**Test accuracy {_pct(m["test_accuracy"])}** with one hidden layer (train {_pct(m["train_accuracy"])},
validation {_pct(m["val_accuracy"])}; trained in {m["seconds"]:.2f} s).

### Overfitting, and what L2 does to it

Trained on only the first {OVERFIT_TRAIN_SIZE} training images (the validation images stay the same),
{o.epochs} epochs, batch {o.batch_size}, η = {o.lr:g}, momentum {o.momentum:g}. The losses are shown
without the L2 term so that the runs compare; SGD with momentum wanders from epoch to epoch, so the
table gives the mean of the last {LAST_EPOCHS} epochs.

{overfit_commands}

(`--layers auto,15,auto` for the narrow one)

![A wide hidden layer overfits; L2 regularisation](digits-overfitting.png)

{over_table}

{overfit_text}

{l2_text}

### Grid search over mini-batch size × η

The 64-30-10 network for {g.epochs} epochs at every combination of batch size in {{{batch_list}}}
and η in {{{lr_list}}}; the best cell is chosen on the validation images (choosing it on the test
images would make the test accuracy an optimistic estimate).

{grid_command}

![Grid search heatmap with the best point marked](digits-grid.png)

Best: **batch {best["batch_size"]}, η = {best["lr"]:g}**, validation accuracy {_pct(best["val_accuracy"])}
(test {_pct(best["test_accuracy"])}); {len(grid.cells)} runs in {grid.seconds:.1f} s. The five best cells:

{grid_table}

The best η for each batch size: {per_batch}. With a fixed number of epochs a smaller batch makes
more updates, and each update follows a noisier gradient; a larger batch makes fewer, steadier
updates and can take a larger η. Too large an η overshoots: the loss jumps out of the valley, the
sigmoid units saturate, and accuracy collapses (the dark cells).
"""
    return ExperimentResult([fig_curves, fig_overfit, fig_grid], metrics, markdown)


# ---------------------------------------------------------------------------------------------
# MNIST and CIFAR-10 (only where the user has the files)
# ---------------------------------------------------------------------------------------------

# The homework networks, with hyperparameters that reach 93 % and 95.5 % on the 8,000-image subset
# in shared/data/mnist-10k (see bench/bench_experiments.py, which checks them against PyTorch).
MNIST_CONFIG = TrainConfig(
    layers=(784, 30, 10), activation="sigmoid", loss="softmax-ce", epochs=30, batch_size=10, lr=0.5, l2=1e-4,
    dtype="float32",
)  # fmt: skip
MNIST_DEEP_CONFIG = TrainConfig(
    layers=(784, 256, 256, 10), activation="relu", loss="softmax-ce", epochs=20, batch_size=100, lr=0.1,
    momentum=0.9, dtype="float32",
)  # fmt: skip
CIFAR_CONFIG = TrainConfig(
    layers=(3072, 100, 10), activation="relu", loss="softmax-ce", epochs=10, batch_size=50, lr=0.01,
    momentum=0.9, dtype="float32",
)  # fmt: skip
#: The page's own runs are short, to keep a site build short: few epochs on a capped training set.
PAGE_EPOCHS = 3
#: ... and on at most this many training images; the commands shown train on everything.
PAGE_TRAIN_LIMIT = 10_000
MNIST_FILES = (
    "the four IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, "
    "`t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally `.gz`)"
)
CIFAR_FILES = (
    "the python batches from `cifar-10-python.tar.gz` (`data_batch_1` … `data_batch_5`, `test_batch`)"
)


def _big_run(env: str, name: str, config: TrainConfig) -> dict[str, Any]:
    directory = os.environ.get(env)
    if not directory:
        return {"configured": False}
    try:
        ds = load_dataset(name, data_dir=directory)
    except DatasetError as exc:
        return {"configured": True, "error": str(exc)}
    available = len(ds.y_train)
    train_size = PAGE_TRAIN_LIMIT if available > PAGE_TRAIN_LIMIT else None
    if train_size is not None:
        ds = take_train(ds, train_size)
    config = replace(config, epochs=min(config.epochs, PAGE_EPOCHS))
    run = train(ds, config)
    return {
        "configured": True,
        "train_images_available": available,
        "train_images_used": len(ds.y_train),
        "test_images": len(ds.y_test),
        "command": train_command(name, config, train_size=train_size, extra="--data-dir DIR"),
        **_metrics_of(run),
        "history": run.metrics["history"],
    }


def _big_section(
    label: str, env: str, dataset: str, m: dict[str, Any], configs: Sequence[TrainConfig]
) -> str:
    commands = _code(
        *(
            train_command(
                dataset, c, extra=f"--data-dir DIR --out runs/{dataset}-{'-'.join(map(str, c.layers))}"
            )
            for c in configs
        )
    )
    files = MNIST_FILES if dataset == "mnist" else CIFAR_FILES
    if not m["configured"]:
        status = (
            f"*Not run here:* no {label} directory is configured. gradproof never downloads data: put "
            f"{files} in a directory and set `{env}=DIR` before building the site to see results here."
        )
    elif "error" in m:
        status = f"*Not run:* `{env}` is set, but the data could not be read: {m['error']}"
    else:
        used, available = m["train_images_used"], m["train_images_available"]
        subset = (
            f" on the first {used:,} of {available:,} training images (to keep the site build short)"
            if used < available
            else f" on {used:,} training images"
        )
        layers = "-".join(map(str, m["layers"]))
        status = (
            f"Measured with the configured data, a short run of {layers} for {m['epochs']} epochs{subset}: "
            f"**test accuracy {_pct(m['test_accuracy'], 2)}** on {m['test_images']:,} test images "
            f"(train {_pct(m['train_accuracy'], 2)}; {m['seconds']:.1f} s).\n\n{_code(m['command'])}"
        )
    return f"{commands}\n\n{status}"


def run_mnist_cifar(out_dir: Path) -> ExperimentResult:
    """Commands for MNIST and CIFAR-10, and results when their directories are configured."""
    with single_threaded_blas():
        mnist = _big_run(MNIST_ENV, "mnist", MNIST_CONFIG)
        cifar = _big_run(CIFAR10_ENV, "cifar10", CIFAR_CONFIG)
    metrics = {"mnist": mnist, "cifar10": cifar, "page_train_limit": PAGE_TRAIN_LIMIT}
    figures: list[Path] = []
    measured = [(label, m) for label, m in (("MNIST", mnist), ("CIFAR-10", cifar)) if "history" in m]
    if measured:
        plt = _pyplot()
        fig, axes = plt.subplots(1, len(measured), figsize=(5 * len(measured), 3.6), squeeze=False)
        for ax, (label, m) in zip(axes[0], measured, strict=True):
            h = m["history"]
            ax.plot(
                [e["epoch"] for e in h],
                [100 * e["accuracy"] for e in h],
                marker="o",
                label="training (running)",
            )
            ax.axhline(100 * m["test_accuracy"], color="black", ls="--", lw=1, label="test, after training")
            ax.set_title(f"{label}: {'-'.join(map(str, m['layers']))}", fontsize=10)
            ax.set_xlabel("epoch")
            ax.set_ylabel("accuracy (%)")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        fig.tight_layout()
        figures.append(_save(fig, out_dir, "mnist-cifar.png"))
    mnist_section = _big_section("MNIST", MNIST_ENV, "mnist", mnist, (MNIST_CONFIG, MNIST_DEEP_CONFIG))
    cifar_section = _big_section("CIFAR-10", CIFAR10_ENV, "cifar10", cifar, (CIFAR_CONFIG,))
    figure = "\n![Training accuracy per epoch and test accuracy](mnist-cifar.png)\n" if figures else ""
    markdown = f"""\
The homework's large data sets are read from disk and never downloaded; pixels are divided by 255.
The commands below train on everything in the directory (replace `DIR`); `--dtype float32` halves
the memory and the time of the larger networks.

### MNIST

The homework networks: 784-30-10 with sigmoid units (as in Nielsen's book), and 784-256-256-10 with
ReLU units and batch 100.

{mnist_section}

### CIFAR-10

32×32 colour images, 3,072 inputs, ten classes. One hidden layer is a baseline here, far below what
convolutional networks reach.

{cifar_section}
{figure}"""
    return ExperimentResult(figures, metrics, markdown)


# ---------------------------------------------------------------------------------------------
# The list the site renders
# ---------------------------------------------------------------------------------------------

EXPERIMENTS: list[Experiment] = [
    Experiment("xor", "XOR with a 2-2-1 network", run_xor, "the smallest problem that needs a hidden layer"),
    Experiment(
        "moons",
        "Half moons: hidden layer size and the decision boundary",
        run_moons,
        "logistic regression and one hidden layer of 1 to 50 units",
    ),
    Experiment(
        "playground",
        "Playground: activations and features",
        run_playground,
        "linear vs sigmoid units, squared features, ReLU vs sigmoid",
    ),
    Experiment(
        "digits",
        "Digits: learning curves, overfitting, L2 and the grid search",
        run_digits,
        "8×8 digits with one hidden layer",
    ),
    Experiment(
        "mnist-cifar",
        "MNIST and CIFAR-10",
        run_mnist_cifar,
        "the commands, and results where the data is configured",
        env=(MNIST_ENV, CIFAR10_ENV),
    ),
]


def get(exp_id: str) -> Experiment:
    """The experiment with this id."""
    for exp in EXPERIMENTS:
        if exp.id == exp_id:
            return exp
    raise KeyError(f"no experiment {exp_id!r}; choose one of {', '.join(e.id for e in EXPERIMENTS)}")


def run_all(out_dir: Path, ids: Sequence[str] | None = None) -> dict[str, tuple[ExperimentResult, float]]:
    """Run the experiments (all, or ``ids``) into ``out_dir/<id>/``; returns each result and its seconds.

    Each folder also gets ``page.md`` (the title and the Markdown body) and ``metrics.json``.
    """
    results = {}
    for exp in [get(i) for i in ids] if ids else EXPERIMENTS:
        folder = out_dir / exp.id
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        result = exp.run(folder)
        results[exp.id] = (result, time.perf_counter() - start)
        (folder / "page.md").write_text(f"# {exp.title}\n\n{result.markdown}")
        (folder / "metrics.json").write_text(json.dumps(jsonable(result.metrics), indent=2) + "\n")
    return results


def main(argv: list[str] | None = None) -> int:
    """``python -m checker.experiments [ID ...] --out DIR``: run, write figures, page.md, metrics.json."""
    parser = argparse.ArgumentParser(
        prog="python -m checker.experiments", description=__doc__.splitlines()[0]
    )
    ids_help = "experiment ids (default: all): " + ", ".join(e.id for e in EXPERIMENTS)
    parser.add_argument("ids", nargs="*", help=ids_help)
    parser.add_argument(
        "--out", type=Path, default=Path("results"), help="one folder per experiment goes here"
    )
    args = parser.parse_args(argv)
    try:
        for exp_id in args.ids:
            get(exp_id)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    results = run_all(args.out, args.ids)
    for exp_id, (result, seconds) in results.items():
        print(f"{exp_id:<12} {seconds:6.2f} s  {len(result.figures)} figure(s) in {args.out / exp_id}")
    print(f"{'total':<12} {sum(s for _, s in results.values()):6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
