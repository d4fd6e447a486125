"""What an experiment is and what it returns, and the helpers every experiment's run shares.

An :class:`Experiment` has an ``id``, a ``title`` and ``run(out_dir) -> ExperimentResult``: the
PNG figures it wrote into ``out_dir``, a JSON-able ``metrics`` dict holding every number it
measured, and a Markdown page body that cites those numbers and references the figures by bare
file name.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.training.loop import TrainResult

__all__ = ["Experiment", "ExperimentResult", "first_epoch_below", "metrics_of", "single_threaded_blas"]


@dataclass(frozen=True)
class ExperimentResult:
    """What one run produced: figures in ``out_dir``, the measured numbers, and the page body."""

    figures: list[Path]
    metrics: dict[str, Any]
    markdown: str


@dataclass(frozen=True)
class Experiment:
    """One experiment of the course: ``run(out_dir)`` trains, measures, plots and writes the page."""

    id: str
    title: str
    run: Callable[[Path], ExperimentResult]
    summary: str = ""
    env: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """What besides the source code decides this experiment's output: the environment it reads.

        A cache keyed by content should include this (the MNIST/CIFAR page changes when
        ``GRADPROOF_MNIST_DIR`` / ``GRADPROOF_CIFAR10_DIR`` do).
        """
        return json.dumps({name: os.environ.get(name) for name in self.env}, sort_keys=True)


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the small matrix products of these experiments on one BLAS thread.

    The matrices here are tiny (a mini-batch of 10 × a few dozen units): a second BLAS thread costs
    more in hand-over than it saves, and on a busy two-core machine its spin-waiting made the same
    runs several times slower. Numbers are unchanged; only the time is.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def metrics_of(result: TrainResult, **extra: Any) -> dict[str, Any]:
    """The numbers of one training run every experiment records, plus ``extra``."""
    m = result.metrics
    return {
        "layers": result.sizes,
        "train_accuracy": m["train_accuracy"],
        "test_accuracy": m["test_accuracy"],
        "final_loss": m["final_loss"],
        "epochs": m["epochs"],
        "seconds": m["seconds"],
        **extra,
    }


def first_epoch_below(history: list[dict[str, float]], key: str, threshold: float) -> int | None:
    """The first epoch whose ``key`` is at most ``threshold``, or None."""
    return next((int(h["epoch"]) for h in history if h.get(key, math.inf) <= threshold), None)
