"""The TensorFlow playground's circle data: linear vs sigmoid units, squared features, ReLU vs sigmoid."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from checker.experiments.base import ExperimentResult, first_epoch_below, metrics_of, single_threaded_blas
from checker.experiments.figures import (
    FIGURE_WIDTH,
    Theme,
    boundary,
    pyplot,
    save_themed_svg,
    themed_markdown,
)
from checker.experiments.page import code, num, pct, reproduce, table, train_command
from checker.training.datasets import Dataset, load_dataset
from checker.training.loop import TrainConfig, TrainResult, train

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

Runs = list[tuple[str, str, TrainResult]]


def _features_figure(runs: Runs, data: dict[str, Dataset], out_dir: Path) -> list[Path]:
    """Four panels, two per row: the decision regions of each kind of unit and features."""

    def draw(theme: Theme) -> Any:
        fig, axes = pyplot().subplots(2, 2, figsize=(FIGURE_WIDTH, 6.2))
        for ax, (label, name, run) in zip(axes.ravel(), runs, strict=True):
            units, features = label.split("; ")
            title = f"{units}\n{features}\ntest {pct(run.metrics['test_accuracy'])}"
            boundary(ax, run.model, data[name], title, theme, squares=name.endswith("+squares"))
        fig.tight_layout()
        return fig

    return save_themed_svg(draw, out_dir, "playground-features")


def _contest_figure(contest: dict[str, TrainResult], circles: Dataset, out_dir: Path) -> list[Path]:
    """The training loss of both networks above their decision regions, side by side."""

    def draw(theme: Theme) -> Any:
        fig = pyplot().figure(figsize=(FIGURE_WIDTH, 6.4))
        grid = fig.add_gridspec(2, 2, height_ratios=(1.1, 1))
        ax_loss = fig.add_subplot(grid[0, :])
        colors = {"relu": theme.color("green"), "sigmoid": theme.color("purple")}
        for act, run in contest.items():
            h = run.metrics["history"]
            ax_loss.semilogy([e["epoch"] for e in h], [e["loss"] for e in h], color=colors[act], label=act)
        ax_loss.axhline(CONVERGED_LOSS, color=theme.muted, lw=1, ls="--")
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("training loss")
        ax_loss.set_title("2-8-8-1: loss (log scale)")
        ax_loss.legend()
        ax_loss.grid(True)
        for i, (act, run) in enumerate(contest.items()):
            title = f"{act}: test {pct(run.metrics['test_accuracy'])}"
            boundary(fig.add_subplot(grid[1, i]), run.model, circles, title, theme, resolution=200)
        fig.tight_layout()
        return fig

    return save_themed_svg(draw, out_dir, "playground-relu-sigmoid")


def _features_alt(metrics: dict[str, Any]) -> str:
    accuracies = "; ".join(f"{label}: {pct(m['test_accuracy'])}" for label, m in metrics["features"].items())
    return (
        "Four panels of the circle data, each shaded by a network's predicted class (blue outside, "
        "red inside) with the test points. Linear units on x1, x2 draw a straight line; sigmoid units, "
        f"or the squared features, draw a closed curve around the inner class. Test accuracy: {accuracies}."
    )


def _contest_alt(metrics: dict[str, Any]) -> str:
    m = metrics["relu_vs_sigmoid"]
    return (
        f"Top: the training loss per epoch, log scale, of the ReLU and the sigmoid 2-8-8-1 networks, "
        f"with a dashed line at {CONVERGED_LOSS:g}. Bottom: their decision regions on the circle data; "
        f"ReLU's boundary is a polygon, sigmoid's a smooth curve. Test accuracy: ReLU "
        f"{pct(m['relu']['test_accuracy'])}, sigmoid {pct(m['sigmoid']['test_accuracy'])}."
    )


def _metrics(runs: Runs, contest: dict[str, TrainResult]) -> dict[str, Any]:
    features = {
        label: metrics_of(run, dataset=name, activation=run.config.activation) for label, name, run in runs
    }
    relu_sigmoid = {
        act: metrics_of(
            run, epochs_to_converge=first_epoch_below(run.metrics["history"], "loss", CONVERGED_LOSS)
        )
        for act, run in contest.items()
    }
    return {"features": features, "relu_vs_sigmoid": relu_sigmoid, "converged_loss": CONVERGED_LOSS}


def _speed_text(relu: dict[str, Any], sigm: dict[str, Any]) -> str:
    """Which activation reaches the converged loss first, in words."""
    relu_epochs, sig_epochs = relu["epochs_to_converge"], sigm["epochs_to_converge"]
    if relu_epochs and (sig_epochs is None or relu_epochs < sig_epochs):
        return f"ReLU reaches a training loss of {CONVERGED_LOSS:g} at epoch {relu_epochs}, sigmoid " + (
            f"only at epoch {sig_epochs}." if sig_epochs else f"not within {sigm['epochs']} epochs."
        )
    if sig_epochs and (relu_epochs is None or sig_epochs < relu_epochs):
        return f"Here sigmoid reaches a training loss of {CONVERGED_LOSS:g} first (epoch {sig_epochs})."
    return f"Both reach a training loss of {CONVERGED_LOSS:g} in the same epoch ({relu_epochs})."


def _tables(metrics: dict[str, Any]) -> tuple[str, str]:
    rows = [
        (label, m["dataset"], pct(m["train_accuracy"]), pct(m["test_accuracy"]))
        for label, m in metrics["features"].items()
    ]
    features_table = table(["hidden units; features", "data set", "train accuracy", "test accuracy"], rows)
    contest_rows = [
        (
            act,
            m["epochs_to_converge"] or f"none of {m['epochs']}",
            num(m["final_loss"], 3),
            pct(m["test_accuracy"]),
        )
        for act, m in metrics["relu_vs_sigmoid"].items()
    ]
    contest_table = table(
        ["hidden units", f"first epoch with loss ≤ {CONVERGED_LOSS:g}", "final loss", "test accuracy"],
        contest_rows,
    )
    return features_table, contest_table


def _page(circles: Dataset, metrics: dict[str, Any]) -> str:
    features_table, contest_table = _tables(metrics)
    lin, sig, lin_sq, _ = (metrics["features"][label] for label, _, _ in PLAYGROUND_VARIANTS)
    speed = _speed_text(metrics["relu_vs_sigmoid"]["relu"], metrics["relu_vs_sigmoid"]["sigmoid"])
    commands = code(
        train_command("circles", replace(PLAYGROUND_CONFIG, activation="identity")),
        train_command("circles+squares", replace(PLAYGROUND_CONFIG, activation="identity")),
        reproduce("playground"),
    )
    contest_command = code(train_command("circles", replace(RELU_SIGMOID_CONFIG, activation="relu")))
    n_train, n_test = len(circles.y_train), len(circles.y_test)
    c = RELU_SIGMOID_CONFIG
    return f"""\
The TensorFlow playground's circle data set, generated by gradproof with the playground's recipe
(class 1 inside radius 2.5, class 0 in the ring from 3.5 to 5, coordinates divided by 5):
{n_train} training and {n_test} test points. The playground's questions, answered with the reference MLP.

### Linear or sigmoid units, with or without squared features

A 2-4-1 network (4-4-1 with the squared features) with a sigmoid output and the binary
cross-entropy loss; the four hidden units are either linear (the identity) or sigmoid.

{commands}

(`--activation sigmoid` for the sigmoid units)

{themed_markdown(_features_alt(metrics), 'playground-features')}

{features_table}

Linear hidden units compose into one linear map, so on x1, x2 alone the network can only draw a
line: {pct(lin["test_accuracy"])} of the test points. Sigmoid units bend the boundary around the
inner class ({pct(sig["test_accuracy"])}). With x1² and x2² among the inputs a circle is a *linear*
boundary in feature space, and the linear network gets {pct(lin_sq["test_accuracy"])}.

### ReLU vs sigmoid: speed and smoothness

The same 2-8-8-1 network with ReLU or with sigmoid hidden units: same seed, η = {c.lr:g}, momentum
{c.momentum:g}, {c.epochs} epochs.

{contest_command}

{themed_markdown(_contest_alt(metrics), 'playground-relu-sigmoid')}

{contest_table}

{speed} A ReLU unit does not saturate: its derivative is 1 wherever it is on, while σ'(z) ≤ ¼,
and the gradient of the first layer passes through two such factors. The ReLU boundary is a polygon,
since a ReLU network is linear between the kinks of its units; the sigmoid boundary is smooth.
"""


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
    figures = [*_features_figure(runs, data, out_dir), *_contest_figure(contest, data["circles"], out_dir)]
    metrics = _metrics(runs, contest)
    return ExperimentResult(figures, metrics, _page(data["circles"], metrics))
