"""The grid search over mini-batch size × learning rate: one training run per cell, and its heatmap.

A cell whose run diverged (see :mod:`checker.training.loop`) is recorded as diverged: its
accuracies and loss are ``null`` in ``grid.json`` (empty in ``grid.csv``), it reads "diverged"
in the heatmap, and it is never the best cell.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from checker.files import OutputSet, write_atomic
from checker.training.config import TrainConfig
from checker.training.datasets import Dataset
from checker.training.loop import Diverged, jsonable, train

__all__ = [
    "GRID_CSV_COLUMNS", "GridResult", "draw_cells", "grid_search", "heatmap_figure", "plot_heatmap",
    "write_grid",
]

#: The columns of ``grid.csv``.
GRID_CSV_COLUMNS = (
    "batch_size", "lr", "score", "train_accuracy", "val_accuracy", "test_accuracy", "final_loss", "seconds",
    "diverged",
)  # fmt: skip

CellCallback = Callable[[int, int, dict[str, Any]], None]


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

    @property
    def all_diverged(self) -> bool:
        """True when no cell has a score (every run diverged)."""
        return all(c["score"] is None for c in self.cells)

    def matrix(self, key: str = "score") -> np.ndarray:
        """``key`` as a (learning rates × batch sizes) array, NaN where a run diverged."""
        out = np.full((len(self.lrs), len(self.batch_sizes)), np.nan)
        for c in self.cells:
            out[self.lrs.index(c["lr"]), self.batch_sizes.index(c["batch_size"])] = _num(c[key], np.nan)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, as written to ``grid.json`` (``best`` is null when every cell diverged)."""
        return {
            "dataset": self.dataset,
            "batch_sizes": self.batch_sizes,
            "lrs": self.lrs,
            "score": self.score_name,
            "config": self.config,
            "seconds": round(self.seconds, 4),
            "best": None if self.all_diverged else self.best,
            "cells": self.cells,
        }


def _num(value: Any, default: float = -math.inf) -> float:
    return float(value) if value is not None and math.isfinite(value) else default


def _cell(ds: Dataset, config: TrainConfig, score_name: str) -> dict[str, Any]:
    """Train one cell; a diverged run becomes a cell with no accuracies, marked diverged."""
    cell: dict[str, Any] = {"batch_size": config.batch_size, "lr": config.lr}
    try:
        run = train(ds, config)
    except Diverged as exc:
        empty = dict.fromkeys(("train_accuracy", "test_accuracy", "val_accuracy", "final_loss", "seconds"))
        return cell | empty | {"score": None, "diverged": True, "diverged_epoch": exc.epoch}
    m = run.metrics
    cell |= {
        "train_accuracy": m["train_accuracy"],
        "test_accuracy": m["test_accuracy"],
        "val_accuracy": run.val_accuracy,
        "final_loss": m["final_loss"] if math.isfinite(m["final_loss"]) else None,
        "seconds": m["seconds"],
    }
    return cell | {"score": cell[score_name], "diverged": False}


def grid_search(
    ds: Dataset,
    config: TrainConfig,
    batch_sizes: Sequence[int],
    lrs: Sequence[float],
    *,
    on_cell: CellCallback | None = None,
) -> GridResult:
    """Train one model per (batch size, η) with everything else from ``config``.

    Each cell records train/test (and validation) accuracy, final loss and seconds, or that it
    diverged. ``on_cell(index, total, cell)`` is called after each run.
    """
    score_name = "val_accuracy" if ds.has_validation else "test_accuracy"
    result = GridResult(
        ds.name, list(batch_sizes), [float(v) for v in lrs], score_name, config=config.to_dict()
    )
    total = len(batch_sizes) * len(lrs)
    start = time.perf_counter()
    for bs in batch_sizes:
        for lr in result.lrs:
            result.cells.append(_cell(ds, replace(config, batch_size=int(bs), lr=float(lr)), score_name))
            if on_cell is not None:
                on_cell(len(result.cells), total, result.cells[-1])
    result.seconds = time.perf_counter() - start
    return result


def draw_cells(ax: Any, scores: np.ndarray) -> tuple[Any, bool]:
    """The coloured grid with each cell's value, "diverged" on a grey cell; returns (image, clipped)."""
    import matplotlib

    finite = scores[np.isfinite(scores)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0, 100)
    # A collapsed corner (10 % on ten classes) would squash the good cells into one colour; clip the
    # scale to the top 15 points so that differences where it matters stay visible.
    clipped = vmin < vmax - 15
    vmin = max(vmin, vmax - 15)
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#9e9e9e")
    image = ax.imshow(np.ma.masked_invalid(scores), cmap=cmap, origin="lower", aspect="auto",
                      vmin=vmin, vmax=vmax)  # fmt: skip
    mid = (vmin + vmax) / 2
    for i in range(scores.shape[0]):
        for j in range(scores.shape[1]):
            value = scores[i, j]
            text = "diverged" if not np.isfinite(value) else f"{value:.1f}"
            # dark text on the light (high) end of viridis and on grey, light text on the dark end
            color = "white" if np.isfinite(value) and value <= mid else "black"
            ax.text(j, i, text, ha="center", va="center", color=color)
    return image, clipped


def _mark_best(ax: Any, result: GridResult) -> None:
    """A red frame and a star on the best cell, with a label above the plot."""
    import matplotlib.pyplot as plt

    if result.all_diverged:
        ax.text(0.5, 1.05, "every cell diverged: try smaller learning rates", transform=ax.transAxes,
                ha="center", va="bottom")  # fmt: skip
        return
    best = result.best
    bi, bj = result.lrs.index(best["lr"]), result.batch_sizes.index(best["batch_size"])
    ax.add_patch(
        plt.Rectangle((bj - 0.5, bi - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=3, zorder=3)
    )
    ax.plot(bj + 0.32, bi + 0.28, marker="*", markersize=14, color="gold", markeredgecolor="black", zorder=4)
    ax.annotate(
        f"best: batch {best['batch_size']}, η = {best['lr']:g}: {100 * _num(best['score'], 0):.1f} %",
        xy=(bj, bi + 0.5),
        xytext=(0.5, 1.03),
        textcoords="axes fraction",
        ha="center",
        va="bottom",
        color="black",  # on the light yellow box, whatever the text colour around it
        bbox={"boxstyle": "round,pad=0.4", "fc": "lightyellow", "ec": "red"},
        arrowprops={"arrowstyle": "->", "color": "red", "lw": 1.5},
        zorder=5,
    )


def heatmap_figure(result: GridResult, *, title: str | None = None,
                   figsize: tuple[float, float] | None = None) -> Any:
    """The score over (batch size × η) with each cell's value and the best point marked, as a figure.

    Text, axes and title take matplotlib's current colours, so a caller can draw it in any theme.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = figsize or (1.2 * len(result.batch_sizes) + 3, 0.8 * len(result.lrs) + 2.2)
    fig, ax = plt.subplots(figsize=size)
    image, clipped = draw_cells(ax, result.matrix("score") * 100)
    _mark_best(ax, result)
    label = result.score_name.replace("_", " ")
    ax.set_xticks(range(len(result.batch_sizes)), [str(b) for b in result.batch_sizes])
    ax.set_yticks(range(len(result.lrs)), [f"{v:g}" for v in result.lrs])
    ax.set_xlabel("mini-batch size")
    ax.set_ylabel("learning rate η")
    fig.colorbar(image, ax=ax, label=f"{label} (%)", extend="min" if clipped else "neither")
    ax.set_title(title or f"{result.dataset}: grid search over mini-batch size × η", pad=40)
    fig.tight_layout()
    return fig


def plot_heatmap(result: GridResult, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
    """Write :func:`heatmap_figure` as a PNG at ``path``."""
    import matplotlib.pyplot as plt

    fig = heatmap_figure(result, title=title)
    buffer = io.BytesIO()
    # No timestamp or version in the PNG: the same grid gives the same bytes.
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    return write_atomic(path, buffer.getvalue())


def _grid_csv(result: GridResult) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(GRID_CSV_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for cell in result.cells:
        writer.writerow({k: ("" if cell.get(k) is None else cell[k]) for k in GRID_CSV_COLUMNS})
    return text.getvalue()


def write_grid(result: GridResult, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``grid.json``, ``grid.csv`` and ``heatmap.png`` into ``out_dir``, replaced together.

    Returns their paths. A failure on the way (a full disk) leaves ``out_dir`` as it was.
    """
    out = Path(out_dir)
    with OutputSet(out) as outputs:
        outputs.write("grid.json", json.dumps(jsonable(result.to_dict()), indent=2) + "\n")
        outputs.write("grid.csv", _grid_csv(result))
        plot_heatmap(result, outputs.path("heatmap.png"))
    return [out / "grid.json", out / "grid.csv", out / "heatmap.png"]
