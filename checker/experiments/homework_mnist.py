"""Seed 003's own setting on the MNIST subset: 784-15-10 with its grid of mini-batch size × η, and
784-30-10, whose gap between training and test accuracy is the overfitting the homework reports.

Runs only when ``GRADPROOF_MNIST_DIR`` names a directory with the IDX files (the 10,000-image
subset the repository's users share is enough); otherwise the page gives the commands.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from checker.experiments.base import ExperimentResult, single_threaded_blas
from checker.experiments.figures import FIGURE_WIDTH, Theme, pyplot, save_themed_svg, themed_markdown
from checker.experiments.page import code, compare, pct, reproduce, table, train_command
from checker.training.datasets import MNIST_ENV, Dataset, DatasetError, load_dataset, take_train
from checker.training.grid import GridResult, draw_cells, grid_search
from checker.training.loop import TrainConfig, train

# The homework: network.Network([784, 15, 10], cost=CrossEntropyCost), training_data[0:5000],
# test_data[0:1000], 10 epochs per cell, mini-batch 5..15 × η 0.08..0.18 (11 × 11 cells).
TRAIN, TEST = 5_000, 1_000
HOMEWORK_BATCHES, HOMEWORK_LRS = tuple(range(5, 16)), tuple(round(0.08 + 0.01 * k, 2) for k in range(11))
# The page runs the corners and the middle of that grid, for fewer epochs, to keep a site build short.
PAGE_BATCHES, PAGE_LRS, PAGE_GRID_EPOCHS = (5, 10, 15), (0.08, 0.13, 0.18), 5
SMALL = TrainConfig(layers=(784, 15, 10), activation="sigmoid", loss="softmax-ce", epochs=10, batch_size=10,
                    lr=0.1, dtype="float32")
# Its parts (4) and (5): 30 epochs, mini-batch 9, η = 0.1, with 15 and then 30 hidden units (the
# homework's runs also carry a penalty; these do not, to show what it is there to cure).
WIDE_EPOCHS = 30
WIDTHS = replace(SMALL, epochs=WIDE_EPOCHS, batch_size=9, lr=0.1)


def _subset(directory: str) -> Dataset:
    ds = take_train(load_dataset("mnist", data_dir=directory), TRAIN)
    # the test images double as the homework's evaluation_data, measured after every epoch
    X_test, y_test = ds.X_test[:TEST], ds.y_test[:TEST]
    return replace(ds, X_test=X_test, y_test=y_test, X_val=X_test, y_val=y_test)


def _curves(ds: Dataset, config: TrainConfig) -> dict[str, Any]:
    run = train(ds, config, eval_train=True)
    h = run.metrics["history"]
    return {
        "layers": run.sizes,
        "train": [e["train_accuracy"] for e in h],
        "test": [e["val_accuracy"] for e in h],
        "train_loss": [e["train_loss"] for e in h],
        "test_loss": [e["val_loss"] for e in h],
        "final_train": h[-1]["train_accuracy"],
        "final_test": h[-1]["val_accuracy"],
        "best_test": max(e["val_accuracy"] for e in h),
    }


def _measure(directory: str) -> dict[str, Any]:
    try:
        ds = _subset(directory)
    except DatasetError as exc:
        return {"configured": True, "error": str(exc)}
    grid = grid_search(replace(ds, X_val=None, y_val=None), replace(SMALL, epochs=PAGE_GRID_EPOCHS),
                       PAGE_BATCHES, PAGE_LRS)
    return {
        "configured": True,
        "grid": grid.to_dict(),
        "narrow": _curves(ds, WIDTHS),
        "wide": _curves(ds, replace(WIDTHS, layers=(784, 30, 10))),
    }


def _figure(m: dict[str, Any], grid: GridResult, out_dir: Path) -> list[Path]:
    """The grid's test accuracy above the accuracy per epoch of both widths."""

    def draw(theme: Theme) -> Any:
        fig, (ax_grid, ax_acc) = pyplot().subplots(2, 1, figsize=(FIGURE_WIDTH, 9.2), layout="constrained")
        image, _ = draw_cells(ax_grid, 100 * grid.matrix())
        ax_grid.set_xticks(range(len(grid.batch_sizes)), grid.batch_sizes)
        ax_grid.set_yticks(range(len(grid.lrs)), [f"{v:g}" for v in grid.lrs])
        ax_grid.set_xlabel("mini-batch size")
        ax_grid.set_ylabel("η")
        ax_grid.set_title(f"784-15-10, test accuracy (%), {PAGE_GRID_EPOCHS} epochs")
        fig.colorbar(image, ax=ax_grid, fraction=0.046)
        for key, color in (("narrow", theme.color("blue")), ("wide", theme.color("red"))):
            c = m[key]
            epochs = np.arange(1, len(c["train"]) + 1)
            name = "-".join(map(str, c["layers"]))
            ax_acc.plot(epochs, 100 * np.array(c["train"]), color=color, ls="--", label=f"{name}, training")
            ax_acc.plot(epochs, 100 * np.array(c["test"]), color=color, label=f"{name}, test")
        ax_acc.set_xlabel("epoch")
        ax_acc.set_ylabel("accuracy (%)")
        ax_acc.set_title(f"η = {WIDTHS.lr:g}, batch {WIDTHS.batch_size}, {TRAIN:,} images")
        ax_acc.set_ylim(80, 100.5)
        ax_acc.grid(True)
        ax_acc.legend(loc="lower right")
        return fig

    return save_themed_svg(draw, out_dir, "homework-mnist")


def _alt(m: dict[str, Any]) -> str:
    best = m["grid"]["best"]
    return (
        "Top: the test accuracy of 784-15-10 in each cell of the grid of η against mini-batch size, "
        f"coloured and labelled; the best cell is batch {best['batch_size']}, η = {best['lr']:g} at "
        f"{pct(best['score'])}. Bottom: training (dashed) and test (solid) accuracy per epoch of 784-15-10 "
        f"(blue) and 784-30-10 (red); the wide network ends at {pct(m['wide']['final_train'])} on its "
        f"training images and {pct(m['wide']['final_test'])} on the test images."
    )


def _commands() -> str:
    lrs = ",".join(f"{v:g}" for v in HOMEWORK_LRS)
    batches = ",".join(map(str, HOMEWORK_BATCHES))
    grid = train_command("mnist", SMALL, command="grid", train_size=TRAIN, extra=(
        f"--batch-sizes {batches} --lrs {lrs} --data-dir DIR --out runs/grid-784-15-10"))
    wide = train_command("mnist", replace(WIDTHS, layers=(784, 30, 10)), train_size=TRAIN,
                         extra="--data-dir DIR")
    return code(grid, wide, f"{MNIST_ENV}=DIR {reproduce('homework-mnist')}")


def run_homework_mnist(out_dir: Path) -> ExperimentResult:
    """The grid of 784-15-10 and the overfitting of 784-30-10 on the MNIST subset, when configured."""
    directory = os.environ.get(MNIST_ENV)
    if not directory:
        markdown = (f"*Not run here:* no MNIST directory is configured (`{MNIST_ENV}`). gradproof never "
                    f"downloads data; with the IDX files in a directory, these commands reproduce the "
                    f"homework:\n\n{_commands()}\n")
        return ExperimentResult([], {"configured": False}, markdown)
    with single_threaded_blas():
        m = _measure(directory)
    if "error" in m:
        return ExperimentResult([], m, f"*Not run:* `{MNIST_ENV}` is set, but the data could not be read: "
                                      f"{m['error']}\n")
    grid = GridResult(m["grid"]["dataset"], m["grid"]["batch_sizes"], m["grid"]["lrs"], m["grid"]["score"],
                      m["grid"]["cells"])
    figures = _figure(m, grid, out_dir)
    narrow, wide = m["narrow"], m["wide"]
    best = m["grid"]["best"]
    rows = [("-".join(map(str, c["layers"])), pct(c["final_train"]), pct(c["final_test"]),
             f"{100 * (c['final_train'] - c['final_test']):.1f} points", pct(c["best_test"]))
            for c in (narrow, wide)]
    headers = ("network", f"train accuracy (epoch {WIDE_EPOCHS})", "test accuracy", "gap", "best test")
    gap_n, gap_w = (c["final_train"] - c["final_test"] for c in (narrow, wide))
    scores = [c["score"] for c in m["grid"]["cells"] if c["score"] is not None]
    homework_gap = 0.975 - 0.965
    markdown = f"""\
Seed 003 trains Nielsen's `network.Network([784, 15, 10])` with the cross-entropy cost on the first
{TRAIN:,} training images and the first {TEST:,} test images, searches mini-batch sizes 5–15 and
learning rates 0.08–0.18 (10 epochs per cell), then trains 30 epochs with mini-batch 9 and η = 0.1,
first with 15 hidden units and then with 30, and reports for the wider one a training accuracy that
rises further than the test accuracy: overfitting. Here the same on the MNIST subset in
`{MNIST_ENV}`, with sigmoid hidden units and softmax cross-entropy. The page runs
{len(PAGE_BATCHES)} × {len(PAGE_LRS)} cells of the grid for {PAGE_GRID_EPOCHS} epochs each (the full
11 × 11 grid with 10 epochs is the first command below); the best cell is mini-batch
{best['batch_size']}, η = {best['lr']:g} at {pct(best['score'])}, and the cells differ by
{100 * (max(scores) - min(scores)):.1f} points at most: in this range the choice matters little.

{themed_markdown(_alt(m), 'homework-mnist')}

{table(headers, rows)}

With 30 hidden units the network fits its {TRAIN:,} training images to {pct(wide['final_train'])}; the test
images stay at {pct(wide['final_test'])}, a gap of {100 * gap_w:.1f} points, which is
{compare(gap_w, gap_n, "smaller than", "larger than")} the {100 * gap_n:.1f} points of 15 hidden units. The
homework saw 97.5 % against 96.5 % on the full 50,000 training images, a gap of 1 point; with a
tenth of the images it is {min(gap_n, gap_w) / homework_gap:.0f} to {max(gap_n, gap_w) / homework_gap:.0f}
times that. (The commands below test on all 2,000 test images of the subset.) The remedies the
homework turns to — L2 regularisation, fewer hidden units — are measured on the digits page.

{_commands()}
"""
    return ExperimentResult(figures, m, markdown)
