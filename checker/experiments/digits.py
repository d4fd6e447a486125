"""The 8×8 digits: learning curves, a wide layer overfitting and L2 against it, and the grid search."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from checker.experiments.base import ExperimentResult, metrics_of, single_threaded_blas
from checker.experiments.figures import (
    FIGURE_WIDTH,
    Theme,
    line_key,
    pyplot,
    save_themed_svg,
    themed_markdown,
)
from checker.experiments.page import code, compare, num, pct, reproduce, table, train_command
from checker.training.datasets import load_dataset
from checker.training.grid import GridResult, grid_search, heatmap_figure
from checker.training.loop import TrainConfig, TrainResult, train

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


def _curves(ax_loss: Any, ax_acc: Any, history: list[dict[str, float]], color: str) -> None:
    """Training (dashed) and validation (solid) loss and accuracy of one run, per epoch."""
    epochs = [h["epoch"] for h in history]
    for ax, key, scale in ((ax_loss, "data_loss", 1), (ax_acc, "accuracy", 100)):
        ax.plot(epochs, [scale * h[f"train_{key}"] for h in history], color=color, ls="--", label="training")
        ax.plot(epochs, [scale * h[f"val_{key}"] for h in history], color=color, label="validation")


def _stacked(theme: Theme, height: float) -> tuple[Any, Any, Any]:
    """A figure of the site's width with a loss panel above an accuracy panel."""
    fig, (ax_loss, ax_acc) = pyplot().subplots(2, 1, figsize=(FIGURE_WIDTH, height), layout="constrained")
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("epoch")
        ax.grid(True)
    return fig, ax_loss, ax_acc


def _curves_figure(main: TrainResult, out_dir: Path) -> list[Path]:
    def draw(theme: Theme) -> Any:
        fig, ax_loss, ax_acc = _stacked(theme, 7.2)
        _curves(ax_loss, ax_acc, main.metrics["history"], theme.color("blue"))
        ax_loss.set_ylabel("cross-entropy loss")
        ax_acc.set_ylabel("accuracy (%)")
        ax_loss.legend()
        c = DIGITS_CONFIG
        ax_loss.set_title(f"64-30-10 sigmoid, batch {c.batch_size}, η = {c.lr:g}")
        return fig

    return save_themed_svg(draw, out_dir, "digits-learning-curves")


def _overfit_figure(overfit: list[tuple[str, TrainResult]], out_dir: Path) -> list[Path]:
    def draw(theme: Theme) -> Any:
        fig, ax_loss, ax_acc = _stacked(theme, 8.4)
        colors = dict(zip((label for label, _ in overfit), (theme.color(c) for c in ("grey", "red", "blue")),
                          strict=True))
        for label, run in overfit:
            _curves(ax_loss, ax_acc, run.metrics["history"], colors[label])
        ax_loss.set_ylabel("cross-entropy (no L2 term)")
        ax_loss.set_yscale("log")
        ax_acc.set_ylabel("accuracy (%)")
        ax_acc.set_ylim(80, 100.5)
        ax_loss.set_title(f"{OVERFIT_TRAIN_SIZE} training images, λ = {OVERFIT_L2:g}")
        key = line_key(theme, colors, {"training": "--", "validation": "-"})
        fig.legend(handles=key, loc="outside lower center", ncol=2)
        return fig

    return save_themed_svg(draw, out_dir, "digits-overfitting")


def _curves_alt(m: dict[str, Any]) -> str:
    return (
        f"Top: training (dashed) and validation (solid) cross-entropy of the 64-30-10 network per epoch, "
        f"both falling over {DIGITS_CONFIG.epochs} epochs. Bottom: its training and validation accuracy, "
        f"ending at {pct(m['train_accuracy'])} and {pct(m['val_accuracy'])}."
    )


def _overfit_alt(overfitting: dict[str, Any]) -> str:
    narrow, wide, wide_l2 = (overfitting[label] for label, _, _ in OVERFIT_RUNS)
    return (
        "Top: training (dashed) and validation (solid) cross-entropy per epoch, log scale, of the narrow "
        "(grey), wide (red) and wide + L2 (blue) networks; the training losses keep falling while the "
        f"validation losses level off or climb. Bottom: their accuracy; mean validation accuracy over "
        f"the last epochs {pct(narrow['last_val_accuracy'])} narrow, {pct(wide['last_val_accuracy'])} wide, "
        f"{pct(wide_l2['last_val_accuracy'])} wide + L2."
    )


def _overfit_metrics(run: TrainResult) -> dict[str, Any]:
    h = run.metrics["history"]
    val_losses = [e["val_data_loss"] for e in h]
    best = int(np.argmin(val_losses))
    last = h[-LAST_EPOCHS:]

    def mean(key: str) -> float:
        return float(np.mean([e[key] for e in last]))

    return metrics_of(
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


def _metrics(main: TrainResult, overfit: list[tuple[str, TrainResult]], grid: GridResult,
             split: dict[str, int]) -> dict[str, Any]:  # fmt: skip
    return {
        "test_accuracy": main.metrics["test_accuracy"],
        "learning_curves": metrics_of(main, val_accuracy=main.val_accuracy, split=split),
        "overfitting": {label: _overfit_metrics(run) for label, run in overfit},
        "grid": {
            "score": grid.score_name,
            "epochs": GRID_CONFIG.epochs,
            "batch_sizes": grid.batch_sizes,
            "lrs": grid.lrs,
            "cells": grid.cells,
            "best": grid.best,
            "seconds": grid.seconds,
        },
    }


def _curves_section(metrics: dict[str, Any]) -> str:
    m, c = metrics["learning_curves"], DIGITS_CONFIG
    commands = code(train_command("digits", DIGITS_CONFIG, val_fraction=DIGITS_VAL), reproduce("digits"))
    return f"""\
### Learning curves

A 64-30-10 network with sigmoid hidden units, {c.epochs} epochs of mini-batch SGD, batch
{c.batch_size}, η = {c.lr:g}, momentum {c.momentum:g}. The training figures are measured on the whole
training split after each epoch, like the validation ones.

{commands}

{themed_markdown(_curves_alt(m), 'digits-learning-curves')}

**Test accuracy {pct(m["test_accuracy"])}** with one hidden layer (train {pct(m["train_accuracy"])},
validation {pct(m["val_accuracy"])}; trained in {m["seconds"]:.2f} s).
"""


def _overfit_table(overfitting: dict[str, Any]) -> str:
    rows = [
        (
            label,
            f"{o['l2']:g}",
            pct(o["last_train_accuracy"]),
            pct(o["last_val_accuracy"]),
            pct(o["accuracy_gap"]),
            f"{num(o['best_val_data_loss'], 3)} (epoch {o['best_val_epoch']})",
            num(o["last_val_data_loss"], 3),
            num(o["weight_norm"], 3),
        )
        for label, o in overfitting.items()
    ]
    headers = ["network", "λ", "train acc.", "val. acc.", "gap", "lowest val. loss", "val. loss", "‖W‖"]
    return table(headers, rows)


def _overfit_text(overfitting: dict[str, Any]) -> str:
    narrow, wide, wide_l2 = (overfitting[label] for label, _, _ in OVERFIT_RUNS)
    rise = compare(wide["val_loss_rise"], narrow["val_loss_rise"], "less", "more")
    rise = "as much" if rise == "the same" else rise
    gap = compare(wide["accuracy_gap"], narrow["accuracy_gap"], "less", "more")
    gap = "as much" if gap == "the same" else gap
    overfit_text = (
        f"Both networks fit their {OVERFIT_TRAIN_SIZE} training images (train accuracy "
        f"{pct(narrow['last_train_accuracy'])} narrow, {pct(wide['last_train_accuracy'])} wide), yet reach "
        f"only {pct(narrow['last_val_accuracy'])} and {pct(wide['last_val_accuracy'])} on the validation "
        f"images. The wide network's validation loss is lowest at epoch {wide['best_val_epoch']} and then "
        f"climbs by {num(wide['val_loss_rise'], 2)} while its training loss keeps falling (to "
        f"{num(wide['last_train_data_loss'], 2)}): from there on it learns the training images rather "
        f"than digits. The narrow network's climbs by {num(narrow['val_loss_rise'], 2)}: measured by "
        f"that rise, the wide one overfits {rise}; measured by the gap between training and validation "
        f"accuracy ({pct(wide['accuracy_gap'])} wide, {pct(narrow['accuracy_gap'])} narrow), it overfits "
        f"{gap}."
    )
    direction = compare(wide_l2["last_val_data_loss"], wide["last_val_data_loss"], "down", "up")
    l2_text = (
        f"With λ = {OVERFIT_L2:g} the wide network's validation loss ends at "
        f"{num(wide_l2['last_val_data_loss'], 3)} ({direction} from {num(wide['last_val_data_loss'], 3)}) "
        f"and {num(wide_l2['val_loss_rise'], 2)} above its lowest point (against "
        f"{num(wide['val_loss_rise'], 2)}); its validation accuracy is "
        f"{pct(wide_l2['last_val_accuracy'])} (against {pct(wide['last_val_accuracy'])}) and its weights "
        f"have norm {num(wide_l2['weight_norm'], 3)} (against {num(wide['weight_norm'], 3)}). The penalty "
        "λ/2‖W‖² adds λW to every weight gradient, so each step shrinks the weights a little (weight "
        "decay); small weights keep the sigmoid units near their linear range, and the network cannot bend "
        "its boundary around every training image."
    )
    return f"{overfit_text}\n\n{l2_text}"


def _overfit_section(metrics: dict[str, Any]) -> str:
    wide_config = replace(OVERFIT_CONFIG, layers=(None, 100, None))
    commands = code(
        *(
            train_command("digits", cfg, val_fraction=DIGITS_VAL, train_size=OVERFIT_TRAIN_SIZE)
            for cfg in (wide_config, replace(wide_config, l2=OVERFIT_L2))
        )
    )
    o = OVERFIT_CONFIG
    return f"""\
### Overfitting, and what L2 does to it

Trained on only the first {OVERFIT_TRAIN_SIZE} training images (the validation images stay the same),
{o.epochs} epochs, batch {o.batch_size}, η = {o.lr:g}, momentum {o.momentum:g}. The losses are shown
without the L2 term so that the runs compare; SGD with momentum wanders from epoch to epoch, so the
table gives the mean of the last {LAST_EPOCHS} epochs.

{commands}

(`--layers auto,15,auto` for the narrow one)

{themed_markdown(_overfit_alt(metrics['overfitting']), 'digits-overfitting')}

{_overfit_table(metrics["overfitting"])}

{_overfit_text(metrics["overfitting"])}
"""


def _grid_tables(cells: list[dict[str, Any]]) -> tuple[str, str]:
    """The five best cells as a table, and the best η for each batch size in words."""
    best_cells = sorted(cells, key=lambda cell: -(cell["score"] or 0))[:5]
    rows = [
        (cell["batch_size"], f"{cell['lr']:g}", pct(cell["train_accuracy"]), pct(cell["val_accuracy"]))
        for cell in best_cells
    ]
    per_batch_best: dict[int, dict[str, Any]] = {}
    for cell in cells:
        kept = per_batch_best.get(cell["batch_size"])
        if kept is None or (cell["score"] or 0) > (kept["score"] or 0):
            per_batch_best[cell["batch_size"]] = cell
    per_batch = ", ".join(
        f"batch {b} → η = {c['lr']:g} ({pct(c['score'])})" for b, c in per_batch_best.items()
    )
    return table(["batch", "η", "train acc.", "val. acc."], rows), per_batch


def _grid_alt(grid: dict[str, Any]) -> str:
    best = grid["best"]
    return (
        f"A {len(grid['lrs'])} by {len(grid['batch_sizes'])} grid of validation accuracy, learning rate η "
        f"against mini-batch size, each cell coloured and labelled with its accuracy; the best cell, "
        f"batch {best['batch_size']} and η = {best['lr']:g} at {pct(best['score'])}, is framed in red "
        "with a star. Too large an η makes the accuracy collapse (the dark cells)."
    )


def _grid_section(metrics: dict[str, Any], n_cells: int, seconds: float) -> str:
    grid_table, per_batch = _grid_tables(metrics["grid"]["cells"])
    best = metrics["grid"]["best"]
    batch_list = ",".join(map(str, GRID_BATCH_SIZES))
    lr_list = ",".join(f"{v:g}" for v in GRID_LRS)
    extra = f"--batch-sizes {batch_list} --lrs {lr_list} --out grid"
    command = code(train_command("digits", GRID_CONFIG, command="grid", val_fraction=DIGITS_VAL, extra=extra))
    return f"""\
### Grid search over mini-batch size × η

The 64-30-10 network for {GRID_CONFIG.epochs} epochs at every combination of batch size in {{{batch_list}}}
and η in {{{lr_list}}}; the best cell is chosen on the validation images (choosing it on the test
images would make the test accuracy an optimistic estimate).

{command}

{themed_markdown(_grid_alt(metrics['grid']), 'digits-grid')}

Best: **batch {best["batch_size"]}, η = {best["lr"]:g}**, validation accuracy {pct(best["val_accuracy"])}
(test {pct(best["test_accuracy"])}); {n_cells} runs in {seconds:.1f} s. The five best cells:

{grid_table}

The best η for each batch size: {per_batch}. With a fixed number of epochs a smaller batch makes
more updates, and each update follows a noisier gradient; a larger batch makes fewer, steadier
updates and can take a larger η. Too large an η overshoots: the loss jumps out of the valley, the
sigmoid units saturate, and accuracy collapses (the dark cells).
"""


def _page(metrics: dict[str, Any], n_cells: int, seconds: float) -> str:
    split = metrics["learning_curves"]["split"]
    return f"""\
scikit-learn's 8×8 handwritten digits (1,797 images, read from the file inside the installed
package; pixels divided by 16): {split["train"]} images for training, {split["validation"]} for
validation and {split["test"]} for the final test. Every network here has softmax outputs and the
cross-entropy loss.

{_curves_section(metrics)}
{_overfit_section(metrics)}
{_grid_section(metrics, n_cells, seconds)}"""


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
    title = f"{GRID_CONFIG.epochs} epochs of 64-30-10"
    figures = [
        *_curves_figure(main, out_dir),
        *_overfit_figure(overfit, out_dir),
        *save_themed_svg(lambda _: heatmap_figure(grid, title=title, figsize=(FIGURE_WIDTH, 5.2)),
                         out_dir, "digits-grid"),
    ]
    split = {"train": len(ds.y_train), "validation": len(ds.y_val), "test": len(ds.y_test)}  # type: ignore[arg-type]
    metrics = _metrics(main, overfit, grid, split)
    return ExperimentResult(figures, metrics, _page(metrics, len(grid.cells), grid.seconds))
