"""SGD, momentum, RMSProp and Adam on the digits (and the MNIST subset when configured): the same
network, the same initial weights and the same mini-batches, each at its best learning rate."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from checker.experiments.base import ExperimentResult, single_threaded_blas
from checker.experiments.figures import FIGURE_WIDTH, Theme, pyplot, save_themed_svg, themed_markdown
from checker.experiments.page import code, num, pct, reproduce, table, train_command
from checker.training.datasets import MNIST_ENV, Dataset, DatasetError, load_dataset, take_train
from checker.training.loop import Diverged, TrainConfig, train

# name on the page -> (optimizer, learning rates tried); momentum is SGD with μ = 0.9
OPTIMISERS: dict[str, tuple[str, tuple[float, ...]]] = {
    "SGD": ("sgd", (0.3, 1.0, 3.0, 10.0)),
    "momentum": ("momentum", (0.03, 0.1, 0.3, 1.0)),
    "RMSProp": ("rmsprop", (0.003, 0.01, 0.03, 0.1)),
    "Adam": ("adam", (0.003, 0.01, 0.03, 0.1)),
}
COLORS = {"SGD": "grey", "momentum": "blue", "RMSProp": "green", "Adam": "red"}  # series of the theme
DIGITS = TrainConfig(layers=(None, 30, None), activation="sigmoid", loss="softmax-ce", epochs=20,
                     batch_size=32)
MNIST = replace(DIGITS, epochs=5, dtype="float32")
MNIST_TRAIN = 5_000


def _race(ds: Dataset, base: TrainConfig) -> dict[str, Any]:
    """Each optimiser at each of its rates (tuning: lowest final training loss), seed 0 throughout —
    the same initial weights and the same shuffled mini-batches for every run."""
    out: dict[str, Any] = {}
    for name, (optimizer, lrs) in OPTIMISERS.items():
        tried = {}
        for lr in lrs:
            mu = 0.9 if optimizer == "momentum" else 0.0
            config = replace(base, optimizer=optimizer, lr=lr, momentum=mu)
            try:
                run = train(ds, config)
            except Diverged:
                tried[lr] = None
                continue
            h = run.metrics["history"]
            tried[lr] = {"loss": [e["loss"] for e in h], "test_accuracy": run.metrics["test_accuracy"],
                         "command": train_command(ds.name, config)}
        finite = {lr: r for lr, r in tried.items() if r is not None}
        best = min(finite, key=lambda lr: finite[lr]["loss"][-1])
        out[name] = {"best_lr": best, "tried": {f"{lr:g}": (r and r["loss"][-1]) for lr, r in tried.items()},
                     **finite[best]}
    return out


def _mnist() -> dict[str, Any]:
    directory = os.environ.get(MNIST_ENV)
    if not directory:
        return {"configured": False}
    try:
        ds = take_train(load_dataset("mnist", data_dir=directory), MNIST_TRAIN)
    except DatasetError as exc:
        return {"configured": True, "error": str(exc)}
    return {"configured": True, "runs": _race(ds, MNIST)}


def _figure(panels: list[tuple[str, dict[str, Any]]], out_dir: Path) -> list[Path]:
    """Training loss per epoch of each optimiser at its chosen η, one panel per data set, stacked."""

    def draw(theme: Theme) -> Any:
        fig, axes = pyplot().subplots(len(panels), 1, figsize=(FIGURE_WIDTH, 4.6 * len(panels)),
                                      squeeze=False, layout="constrained")
        for ax, (title, runs) in zip(axes[:, 0], panels, strict=True):
            for name, r in runs.items():
                epochs = range(1, len(r["loss"]) + 1)
                ax.plot(epochs, r["loss"], color=theme.color(COLORS[name]), marker="o", ms=3,
                        label=f"{name}, η = {r['best_lr']:g}")
            ax.set_yscale("log")
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.set_xlabel("epoch")
            ax.set_ylabel("training cross-entropy")
            ax.set_title(f"{title} (log scale)")
            ax.grid(True)
            ax.legend()
        return fig

    return save_themed_svg(draw, out_dir, "optimisers")


def _alt(panels: list[tuple[str, dict[str, Any]]]) -> str:
    described = []
    for title, runs in panels:
        finals = ", ".join(f"{name} {num(r['loss'][-1], 3)}" for name, r in runs.items())
        described.append(f"{title}: final training loss {finals}")
    return (
        "The training cross-entropy per epoch, log scale, of SGD (grey), momentum (blue), RMSProp (green) "
        f"and Adam (red), each at the learning rate that ended lowest. {'. '.join(described)}."
    )


def _rows(runs: dict[str, Any]) -> list[tuple[str, ...]]:
    def chosen(name: str, lr: float) -> str:
        edge = " (the largest tried)" if lr == max(OPTIMISERS[name][1]) else ""
        return f"{lr:g}{edge}"

    def tried(r: dict[str, Any]) -> str:
        return ", ".join(f"{lr}: {num(v, 3)}" for lr, v in r["tried"].items())

    return [(name, chosen(name, r["best_lr"]), tried(r), num(r["loss"][-1], 3), pct(r["test_accuracy"]))
            for name, r in runs.items()]


def run_optimisers(out_dir: Path) -> ExperimentResult:
    """The four optimisers on the digits and, when configured, on the MNIST subset."""
    from checker.training.datasets import load_digits

    with single_threaded_blas():
        digits = _race(load_digits(), DIGITS)
        mnist = _mnist()
    metrics = {"digits": digits, "mnist": mnist}
    panels = [(f"digits, 64-30-10, batch {DIGITS.batch_size}", digits)]
    if "runs" in mnist:
        panels.append((f"MNIST subset ({MNIST_TRAIN:,} images), 784-30-10", mnist["runs"]))
    figures = _figure(panels, out_dir)
    headers = ("optimiser", "η chosen", "final training loss at each η tried", "final loss", "test accuracy")
    if "runs" in mnist:
        mnist_text = table(headers, _rows(mnist["runs"]))
    elif mnist["configured"]:
        mnist_text = f"*Not run:* `{MNIST_ENV}` is set, but the data could not be read: {mnist['error']}"
    else:
        mnist_text = (f"*Not run here:* no MNIST directory is configured; set `{MNIST_ENV}=DIR` (the IDX "
                      f"files) and run {reproduce('optimisers')} to add the MNIST panel.")
    fastest = min(digits, key=lambda name: digits[name]["loss"][-1])
    markdown = f"""\
The same network (sigmoid hidden units, softmax cross-entropy), the same initial weights and the
same shuffled mini-batches for every run; only the update rule and its learning rate change. Each
optimiser is tuned over four learning rates (a run that diverges counts as the worst), keeping the
one with the lowest training loss after the last epoch. The rules are the catalogue's:
momentum-update (μ = 0.9), rmsprop-update (ρ = 0.9), adam-update (β₁ = 0.9, β₂ = 0.999, with the
bias correction).

{themed_markdown(_alt(panels), 'optimisers')}

### Digits

{table(headers, _rows(digits))}

Lowest training loss after {DIGITS.epochs} epochs: **{fastest}**. Plain SGD's best learning rate
is {digits['SGD']['best_lr'] / digits['Adam']['best_lr']:g} times Adam's: the adaptive rules (RMSProp,
Adam) divide each weight's step by the size of its recent gradients, so their η is a step length
in the weights' own units, and one rate suits every layer. Momentum's best η is
{digits['SGD']['best_lr'] / digits['momentum']['best_lr']:g} times smaller than SGD's (with μ = 0.9 the
velocity adds up to about 1/(1 − μ) = 10 steps of η).

### MNIST subset

{mnist_text}

{code(digits[fastest]['command'], reproduce('optimisers'))}
"""
    return ExperimentResult(figures, metrics, markdown)
