"""Dropout and early stopping against the overfitting of the digits page: the same 300 training
images and the same wide hidden layer, trained as it is, with inverted dropout, and stopped early."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from checker.experiments.base import ExperimentResult, single_threaded_blas
from checker.experiments.digits import DIGITS_VAL, OVERFIT_CONFIG, OVERFIT_TRAIN_SIZE
from checker.experiments.figures import (
    FIGURE_WIDTH,
    Theme,
    line_key,
    pyplot,
    save_themed_svg,
    themed_markdown,
)
from checker.experiments.page import code, compare, num, pct, reproduce, table, train_command
from checker.network.deepnet import DeepNet
from checker.network.layers import Dropout
from checker.training.datasets import columns, load_dataset, targets

HIDDEN, DROP = 100, 0.5
EPOCHS, BATCH = OVERFIT_CONFIG.epochs, OVERFIT_CONFIG.batch_size
LR, MOMENTUM = OVERFIT_CONFIG.lr, OVERFIT_CONFIG.momentum


def _evaluate(net: DeepNet, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
    p, _ = net.forward(X)  # no rng: dropout off, as at test time
    return float(-(Y * np.log(np.maximum(p, 1e-300))).sum() / Y.shape[1]), float(
        (p.argmax(axis=0) == Y.argmax(axis=0)).mean())


def _train(data: dict[str, tuple[np.ndarray, np.ndarray]], dropout: float) -> dict[str, Any]:
    """The wide network for every epoch, recording train/validation loss and accuracy, and the test
    accuracy of the weights at the epoch of lowest validation loss (early stopping) and at the end."""
    net = DeepNet.create([64, HIDDEN, 10], "sigmoid", "xavier", seed=0)
    net.dropout = Dropout(dropout) if dropout else None
    rng, velocity = np.random.default_rng(0), {}
    history, best = [], (np.inf, 0, None)
    for epoch in range(1, EPOCHS + 1):
        net.sgd_epoch(*data["train"], LR, BATCH, rng, momentum=MOMENTUM, velocity=velocity)
        record = {"epoch": epoch}
        for split in ("train", "val"):
            record[f"{split}_loss"], record[f"{split}_accuracy"] = _evaluate(net, *data[split])
        history.append(record)
        if record["val_loss"] < best[0]:
            best = (record["val_loss"], epoch, _evaluate(net, *data["test"])[1])
    return {"history": history, "best_epoch": best[1], "stopped_test_accuracy": best[2],
            "final_test_accuracy": _evaluate(net, *data["test"])[1]}


def _figure(runs: dict[str, dict[str, Any]], out_dir: Path) -> list[Path]:
    """Loss above accuracy per epoch, without and with dropout, and the early-stopping epoch."""
    stop = runs["no dropout"]["best_epoch"]

    def draw(theme: Theme) -> Any:
        fig, (ax_loss, ax_acc) = pyplot().subplots(2, 1, figsize=(FIGURE_WIDTH, 8.4), layout="constrained")
        colors = dict(zip(runs, (theme.color("red"), theme.color("blue")), strict=True))
        for name, run in runs.items():
            h = run["history"]
            epochs = [r["epoch"] for r in h]
            for ax, key, scale in ((ax_loss, "loss", 1), (ax_acc, "accuracy", 100)):
                ax.plot(epochs, [scale * r[f"train_{key}"] for r in h], color=colors[name], ls="--")
                ax.plot(epochs, [scale * r[f"val_{key}"] for r in h], color=colors[name])
        for ax in (ax_loss, ax_acc):
            ax.axvline(stop, color=theme.ink, lw=1.2, ls=":")
            ax.set_xlabel("epoch")
            ax.grid(True)
        ax_loss.set_yscale("log")
        ax_loss.set_ylabel("cross-entropy (log scale)")
        ax_acc.set_ylabel("accuracy (%)")
        ax_acc.set_ylim(70, 100.5)
        ax_loss.set_title(f"{OVERFIT_TRAIN_SIZE} training images, 64-{HIDDEN}-10 sigmoid")
        key = line_key(theme, colors, {"training": "--", "validation": "-"})
        key += line_key(theme, {}, {f"early stop (epoch {stop})": ":"})
        fig.legend(handles=key, loc="outside lower center", ncol=2)
        return fig

    return save_themed_svg(draw, out_dir, "dropout-early-stopping")


def _alt(runs: dict[str, dict[str, Any]]) -> str:
    plain = runs["no dropout"]
    return (
        "Top: training (dashed) and validation (solid) cross-entropy per epoch, log scale, without "
        f"dropout (red) and with dropout p = {DROP:g} (blue); a dotted vertical line marks epoch "
        f"{plain['best_epoch']}, where the validation loss without dropout is lowest. Bottom: training "
        "and validation accuracy of both networks; the training accuracy reaches 100 % while the "
        "validation accuracy levels off below it."
    )


def run_regularisation(out_dir: Path) -> ExperimentResult:
    """Train without and with dropout; stop early on the validation loss; plot and write the page."""
    ds = load_dataset("digits", val_fraction=DIGITS_VAL, train_size=OVERFIT_TRAIN_SIZE)
    data = {split: (columns(X), targets(y, 10)) for split, X, y in (
        ("train", ds.X_train, ds.y_train), ("val", ds.X_val, ds.y_val), ("test", ds.X_test, ds.y_test))}
    with single_threaded_blas():
        runs = {"no dropout": _train(data, 0.0), f"dropout p = {DROP:g}": _train(data, DROP)}
    figures = _figure(runs, out_dir)
    plain, dropped = runs["no dropout"], runs[f"dropout p = {DROP:g}"]

    def gap(run: dict[str, Any]) -> float:
        last = run["history"][-1]
        return last["train_accuracy"] - last["val_accuracy"]

    stopped = plain["history"][plain["best_epoch"] - 1]
    little = " only a little" if abs(gap(dropped) - gap(plain)) < 0.02 else ""
    rises = "rises" if plain["history"][-1]["val_loss"] > stopped["val_loss"] else "stays"
    rows = [
        ("as it is (the digits page's wide network)", pct(plain["history"][-1]["train_accuracy"]),
         pct(plain["history"][-1]["val_accuracy"]), pct(plain["final_test_accuracy"])),
        (f"early stopping (weights of epoch {plain['best_epoch']})",
         pct(plain["history"][plain["best_epoch"] - 1]["train_accuracy"]),
         pct(plain["history"][plain["best_epoch"] - 1]["val_accuracy"]), pct(plain["stopped_test_accuracy"])),
        (f"inverted dropout, p = {DROP:g}", pct(dropped["history"][-1]["train_accuracy"]),
         pct(dropped["history"][-1]["val_accuracy"]), pct(dropped["final_test_accuracy"])),
    ]
    metrics = {"runs": runs, "train_images": OVERFIT_TRAIN_SIZE}
    wide = replace(OVERFIT_CONFIG, layers=(None, HIDDEN, None))
    baseline = train_command("digits", wide, val_fraction=DIGITS_VAL, train_size=OVERFIT_TRAIN_SIZE)
    markdown = f"""\
The digits page shows a wide hidden layer overfitting {OVERFIT_TRAIN_SIZE} training images, and L2
regularisation against it. Here the two other remedies of the course, on the same images and the
same validation split: 64-{HIDDEN}-10 with sigmoid units, softmax cross-entropy, SGD with momentum
{MOMENTUM:g}, η = {LR:g}, batch {BATCH}, {EPOCHS} epochs. *Inverted dropout* (dropout-backward) drops
each hidden unit with probability {DROP:g} in every training step and scales the kept ones by
1/(1 − p), in the forward and in the backward pass, so nothing changes at test time. *Early stopping*
keeps the weights of the epoch with the lowest validation loss.

{themed_markdown(_alt(runs), 'dropout-early-stopping')}

{table(("network", "train accuracy", "validation accuracy", "test accuracy"), rows)}

Without dropout the validation loss is lowest at epoch {plain['best_epoch']} and {rises} after it (to
{num(plain["history"][-1]["val_loss"], 3)} at epoch {EPOCHS}) while the training loss keeps falling:
the overfitting. Stopping there gives a test accuracy of {pct(plain["stopped_test_accuracy"])} against
{pct(plain["final_test_accuracy"])} at the end. The gap between training and validation accuracy ends
at {100 * gap(plain):.1f} points without dropout and at {100 * gap(dropped):.1f} with it: here dropout
{compare(gap(dropped), gap(plain), "narrows", "widens")} the gap{little}.
With {OVERFIT_TRAIN_SIZE} images the training set is fitted perfectly either way; dropout's noise
mostly slows that down, and the validation images decide how much it helped.

The network without dropout, trained by the command line (its early-stopping point is where the
validation loss it reports is lowest), and this page:

{code(baseline, reproduce("dropout-early-stopping"))}
"""
    return ExperimentResult(figures, metrics, markdown)
