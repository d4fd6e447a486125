"""XOR with a 2-2-1 sigmoid network: the loss curve, the outputs, and how many seeds solve it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from checker.experiments.base import ExperimentResult, metrics_of, single_threaded_blas
from checker.experiments.figures import (
    FIGURE_WIDTH,
    Theme,
    boundary,
    pyplot,
    save_themed_svg,
    themed_markdown,
)
from checker.experiments.page import code, num, pct, reproduce, table, train_command
from checker.training.datasets import Dataset, columns, load_dataset
from checker.training.loop import TrainConfig, TrainResult, train

XOR_CONFIG = TrainConfig(
    layers=(2, 2, 1), activation="sigmoid", loss="mse", epochs=500, batch_size=4, lr=10.0
)
XOR_SEEDS = 10


def _figure(run: TrainResult, ds: Dataset, out_dir: Path) -> list[Path]:
    """The loss curve above the decision regions with each hidden unit's line."""
    history = run.metrics["history"]
    W, b = run.model.weights[0], run.model.biases[0]
    xs = np.linspace(-0.5, 1.5, 2)

    def draw(theme: Theme) -> Any:
        fig, (ax_loss, ax_map) = pyplot().subplots(2, 1, figsize=(FIGURE_WIDTH, 8.2))
        losses = [h["loss"] for h in history]
        ax_loss.semilogy([h["epoch"] for h in history], losses, color=theme.color("red"))
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("mean squared error")
        ax_loss.set_title(f"training loss (log scale), η = {XOR_CONFIG.lr:g}")
        ax_loss.grid(True)
        title = "output ≥ 0.5 (red), hidden units' lines"
        boundary(ax_map, run.model, ds, title, theme, points="train", bounds=(-0.5, 1.5, -0.5, 1.5),
                 marker_size=80)
        for j, style in enumerate(("--", ":")):
            if abs(W[j, 1]) > 1e-9:  # hidden unit j is half on along w·x + b = 0
                line = -(W[j, 0] * xs + b[j, 0]) / W[j, 1]
                ax_map.plot(xs, line, style, color=theme.ink, lw=1.2, label=f"hidden unit {j + 1}")
        ax_map.legend(loc="lower left")
        fig.tight_layout()
        return fig

    return save_themed_svg(draw, out_dir, "xor-training")


def _alt(loss: str) -> str:
    """What the XOR figure shows, in words."""
    return (
        f"Top: the training loss of the 2-2-1 network falling over {XOR_CONFIG.epochs} epochs to {loss}, "
        "on a log scale. Bottom: the unit square shaded by the network's output, red where it is at least "
        "0.5, around the band that holds (0, 1) and (1, 0); the four training points; and a dashed and "
        "a dotted line where each hidden unit is half on."
    )


def _page(run: TrainResult, ds: Dataset, metrics: dict[str, Any]) -> str:
    outputs, stuck = metrics["outputs"], metrics["unsolved_seeds"]
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
    commands = code(train_command("xor", XOR_CONFIG), reproduce("xor"))
    accuracy, loss = pct(run.metrics["train_accuracy"], 0), num(run.metrics["final_loss"], 3)
    seconds = run.metrics["seconds"]
    outputs_table = table(["input", "target", "output a⁽²⁾", "predicted"], rows)
    return f"""\
XOR is the smallest problem a single neuron cannot solve: no line separates (0, 1) and (1, 0) from
(0, 0) and (1, 1). A hidden layer of two sigmoid units can. A 2-2-1 network with sigmoid units
everywhere is trained on the four points by full-batch gradient descent on the mean squared error,
with the backward pass of gradproof's reference MLP.

{commands}

**Result: {accuracy} accuracy** after {XOR_CONFIG.epochs} epochs (final loss {loss}, {seconds:.2f} s).

{outputs_table}

{themed_markdown(_alt(loss), 'xor-training')}

Each dashed line is where one hidden unit is half on (w·x + b = 0); the output unit combines the
two half-planes into the band that holds (0, 1) and (1, 0).

**Seeds.** The same network from {XOR_SEEDS} random initialisations (seeds 0–{XOR_SEEDS - 1}):
{metrics["seeds_solved"]} of {XOR_SEEDS} reach 100 % accuracy. {stuck_text}
"""


def run_xor(out_dir: Path) -> ExperimentResult:
    """2-2-1 sigmoid net on XOR: the loss curve, the outputs, and how many seeds solve it."""
    ds = load_dataset("xor")
    with single_threaded_blas():
        run = train(ds, XOR_CONFIG)
        seeds = [train(ds, replace(XOR_CONFIG, seed=s)) for s in range(XOR_SEEDS)]
    outputs = run.model.predict(columns(ds.X_train))[0]
    solved = [s for s, r in enumerate(seeds) if r.metrics["train_accuracy"] == 1.0]
    figures = _figure(run, ds, out_dir)
    metrics = {
        **metrics_of(run),
        "outputs": [float(v) for v in outputs],
        "targets": [int(v) for v in ds.y_train],
        "seeds_tried": XOR_SEEDS,
        "seeds_solved": len(solved),
        "unsolved_seeds": [s for s in range(XOR_SEEDS) if s not in solved],
        "seed_final_losses": [r.metrics["final_loss"] for r in seeds],
    }
    return ExperimentResult(figures, metrics, _page(run, ds, metrics))
