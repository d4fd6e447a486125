"""Half moons: logistic regression against one hidden layer of 1 to 50 tanh units."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from checker.experiments.base import ExperimentResult, metrics_of, single_threaded_blas
from checker.experiments.figures import boundary, pyplot, save_figure
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


def _figure(runs: list[tuple[str, TrainResult]], ds: Dataset, out_dir: Path) -> Path:
    fig, axes = pyplot().subplots(2, 4, figsize=(12, 6.2))
    for ax, (name, run) in zip(axes.ravel(), runs, strict=True):
        boundary(ax, run.model, ds, f"{name}\ntest accuracy {pct(run.metrics['test_accuracy'])}")
    fig.suptitle("Half moons: decision boundaries (test points shown)", fontsize=11)
    fig.tight_layout()
    return save_figure(fig, out_dir, "moons-boundaries.png")


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

![Decision boundaries on the half moons](moons-boundaries.png)

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
    figures = [_figure(runs, ds, out_dir)]
    metrics = _metrics(runs)
    return ExperimentResult(figures, metrics, _page(ds, metrics))
