"""MNIST and CIFAR-10: the commands that train the homework networks, and results where the data is.

Nothing is downloaded: the page runs only when ``GRADPROOF_MNIST_DIR`` / ``GRADPROOF_CIFAR10_DIR``
name directories holding the files, and otherwise says how to configure them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from checker.experiments.base import ExperimentResult, metrics_of, single_threaded_blas
from checker.experiments.figures import FIGURE_WIDTH, Theme, pyplot, save_themed_svg, themed_markdown
from checker.experiments.page import code, pct, train_command
from checker.training.datasets import CIFAR10_ENV, MNIST_ENV, DatasetError, load_dataset, take_train
from checker.training.loop import Diverged, TrainConfig, train

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
    try:
        run = train(ds, config)
    except Diverged as exc:  # data unlike MNIST's can make a known-good η overshoot
        return {"configured": True, "error": str(exc)}
    return {
        "configured": True,
        "train_images_available": available,
        "train_images_used": len(ds.y_train),
        "test_images": len(ds.y_test),
        "command": train_command(name, config, train_size=train_size, extra="--data-dir DIR"),
        **metrics_of(run),
        "history": run.metrics["history"],
    }


def _status(label: str, env: str, dataset: str, m: dict[str, Any]) -> str:
    """What the page says about one data set: not configured, unreadable, or the measured run."""
    files = MNIST_FILES if dataset == "mnist" else CIFAR_FILES
    if not m["configured"]:
        return (
            f"*Not run here:* no {label} directory is configured. gradproof never downloads data: put "
            f"{files} in a directory and set `{env}=DIR` before building the site to see results here."
        )
    if "error" in m:
        return f"*Not run:* `{env}` is set, but the data could not be read: {m['error']}"
    used, available = m["train_images_used"], m["train_images_available"]
    subset = (
        f" on the first {used:,} of {available:,} training images (to keep the site build short)"
        if used < available
        else f" on {used:,} training images"
    )
    layers = "-".join(map(str, m["layers"]))
    return (
        f"Measured with the configured data, a short run of {layers} for {m['epochs']} epochs{subset}: "
        f"**test accuracy {pct(m['test_accuracy'], 2)}** on {m['test_images']:,} test images "
        f"(train {pct(m['train_accuracy'], 2)}; {m['seconds']:.1f} s).\n\n{code(m['command'])}"
    )


def _big_section(
    label: str, env: str, dataset: str, m: dict[str, Any], configs: Sequence[TrainConfig]
) -> str:
    commands = code(
        *(
            train_command(
                dataset, c, extra=f"--data-dir DIR --out runs/{dataset}-{'-'.join(map(str, c.layers))}"
            )
            for c in configs
        )
    )
    return f"{commands}\n\n{_status(label, env, dataset, m)}"


def _figure(measured: list[tuple[str, dict[str, Any]]], out_dir: Path) -> list[Path]:
    """Training accuracy per epoch and the test accuracy, one panel per measured data set, stacked."""

    def draw(theme: Theme) -> Any:
        fig, axes = pyplot().subplots(len(measured), 1, figsize=(FIGURE_WIDTH, 4.2 * len(measured)),
                                      squeeze=False, layout="constrained")
        for ax, (label, m) in zip(axes[:, 0], measured, strict=True):
            h = m["history"]
            ax.plot([e["epoch"] for e in h], [100 * e["accuracy"] for e in h], marker="o",
                    color=theme.color("blue"), label="training (running)")
            ax.axhline(100 * m["test_accuracy"], color=theme.ink, ls="--", lw=1.2,
                       label="test, after training")
            ax.set_title(f"{label}: {'-'.join(map(str, m['layers']))}")
            ax.set_xlabel("epoch")
            ax.set_ylabel("accuracy (%)")
            ax.grid(True)
            ax.legend()
        return fig

    return save_themed_svg(draw, out_dir, "mnist-cifar")


def _alt(measured: list[tuple[str, dict[str, Any]]]) -> str:
    parts = [f"{label}, {'-'.join(map(str, m['layers']))}: test accuracy {pct(m['test_accuracy'])}"
             for label, m in measured]
    return ("The running training accuracy per epoch (blue line) and the test accuracy after training "
            f"(dashed line), one panel per data set. {'; '.join(parts)}.")


def run_mnist_cifar(out_dir: Path) -> ExperimentResult:
    """Commands for MNIST and CIFAR-10, and results when their directories are configured."""
    with single_threaded_blas():
        mnist = _big_run(MNIST_ENV, "mnist", MNIST_CONFIG)
        cifar = _big_run(CIFAR10_ENV, "cifar10", CIFAR_CONFIG)
    metrics = {"mnist": mnist, "cifar10": cifar, "page_train_limit": PAGE_TRAIN_LIMIT}
    measured = [(label, m) for label, m in (("MNIST", mnist), ("CIFAR-10", cifar)) if "history" in m]
    figures = _figure(measured, out_dir) if measured else []
    mnist_section = _big_section("MNIST", MNIST_ENV, "mnist", mnist, (MNIST_CONFIG, MNIST_DEEP_CONFIG))
    cifar_section = _big_section("CIFAR-10", CIFAR10_ENV, "cifar10", cifar, (CIFAR_CONFIG,))
    figure = f"\n{themed_markdown(_alt(measured), 'mnist-cifar')}\n" if figures else ""
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
