"""Half moons: logistic regression against one hidden layer of 1 to 50 tanh units."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from checker.experiments.base import ExperimentResult, metrics_of, single_threaded_blas
from checker.experiments.figures import (
    FIGURE_WIDTH,
    Theme,
    boundary,
    pyplot,
    save_themed_svg,
    themed_markdown,
)
from checker.experiments.page import code, pct, reproduce, table, train_command
from checker.training.datasets import Dataset, load_dataset
from checker.training.loop import TrainConfig, TrainResult, train

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


def _figure(runs: list[tuple[str, TrainResult]], ds: Dataset, out_dir: Path) -> list[Path]:
    """One panel per model, two per row: its decision regions and the test points."""

    def draw(theme: Theme) -> Any:
        rows = (len(runs) + 1) // 2
        fig, axes = pyplot().subplots(rows, 2, figsize=(FIGURE_WIDTH, 2.6 * rows + 0.5))
        for ax, (name, run) in zip(axes.ravel(), runs, strict=False):
            boundary(ax, run.model, ds, f"{_short(name)}\ntest {pct(run.metrics['test_accuracy'])}", theme)
        for ax in axes.ravel()[len(runs):]:
            ax.set_visible(False)
        fig.suptitle("Half moons: decision regions, test points")
        fig.tight_layout()
        return fig

    return save_themed_svg(draw, out_dir, "moons-boundaries")


def _short(name: str) -> str:
    return "logistic regression" if name.startswith("logistic") else name.replace("hidden unit", "unit")


def _alt(metrics: dict[str, Any]) -> str:
    """What the moons figure shows, in words."""
    models = metrics["models"]
    accuracies = "; ".join(f"{name} {pct(m['test_accuracy'])}" for name, m in models.items())
    return (
        f"{len(models)} panels of the half-moons plane, each shaded by one model's predicted class "
        "(blue for class 0, red for class 1) with its boundary and the test points: logistic regression "
        f"draws a straight line, the networks a curve that follows the moons more closely as the layer "
        f"grows. Test accuracy: {accuracies}."
    )


def _metrics(runs: list[tuple[str, TrainResult]]) -> dict[str, Any]:
    per_model = {
        name: metrics_of(run, hidden=(run.sizes[1] if len(run.sizes) == 3 else 0)) for name, run in runs
    }
    # Ties go to the smaller network: it is the simpler explanation of the same accuracy.
    best = max(per_model, key=lambda n: (per_model[n]["test_accuracy"], -per_model[n]["hidden"]))
    return {
        "models": per_model,
        "best_model": best,
        "best_test_accuracy": per_model[best]["test_accuracy"],
        "logistic_test_accuracy": per_model["logistic regression"]["test_accuracy"],
        "seconds": sum(m["seconds"] for m in per_model.values()),
    }


def _page(ds: Dataset, metrics: dict[str, Any]) -> str:
    rows = [
        (name, "-".join(map(str, m["layers"])), pct(m["train_accuracy"]), pct(m["test_accuracy"]))
        for name, m in metrics["models"].items()
    ]
    models_table = table(["model", "layers", "train accuracy", "test accuracy"], rows)
    commands = code(
        train_command("moons", LOGISTIC_CONFIG), train_command("moons", MOONS_CONFIG), reproduce("moons")
    )
    c = MOONS_CONFIG
    logistic, best = pct(metrics["logistic_test_accuracy"]), pct(metrics["best_test_accuracy"])
    hidden_sizes = ", ".join(map(str, MOONS_HIDDEN))
    return f"""\
Two interleaving half circles with Gaussian noise (σ = 0.15): {len(ds.y_train)} training points and
{len(ds.y_test)} test points from gradproof's own seeded generator. The same training code fits a
logistic regression (a 2-1 network: one sigmoid unit and the binary cross-entropy loss) and networks
with one hidden layer of {hidden_sizes} tanh units, each for {c.epochs} epochs of mini-batch SGD
(batch {c.batch_size}, η = {c.lr:g}, momentum {c.momentum:g}).

{commands}

(change the middle number of `--layers` for the other hidden sizes)

{themed_markdown(_alt(metrics), 'moons-boundaries')}

{models_table}

A straight boundary (logistic regression) classifies {logistic} of the test
points. The best model, **{metrics["best_model"]}**, reaches **{best}**. One or two
hidden units draw little more than a line; from three units on, the boundary follows the moons, and
wider layers add little on this much data.
"""


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
    figures = _figure(runs, ds, out_dir)
    metrics = _metrics(runs)
    return ExperimentResult(figures, metrics, _page(ds, metrics))
