"""The course's experiments, run for real with the reference MLP; the site renders their results.

One module per experiment (``xor``, ``moons``, ``playground``, ``digits``, ``mnist_cifar``), each
with its configurations, its run, its figures and its page text; ``base`` (what an experiment is
and returns), ``figures`` and ``page`` hold what they share, and ``run`` runs them from the
command line. Each :class:`Experiment` has an ``id``, a ``title`` and
``run(out_dir) -> ExperimentResult``: the PNG figures it wrote into ``out_dir``, a JSON-able
``metrics`` dict holding every number it measured, and a Markdown page body that cites those
numbers and references the figures by bare file name. Everything is seeded, so a second run draws
the same figures and measures the same accuracies (only the ``seconds`` differ).

The whole set runs cold in well under half a minute on two cores: the sizes and epochs were
chosen for that. Run them from the command line with::

    python -m checker.experiments [ID ...] --out DIR

This room may import ``checker.training``, ``checker.network`` and ``checker.files`` (and
``derivations``), nothing above it.
"""

from __future__ import annotations

from checker.experiments.base import Experiment, ExperimentResult
from checker.experiments.page import train_command
from checker.experiments.registry import EXPERIMENTS, get
from checker.experiments.run import main, run_all
from checker.training.config import TrainConfig

__all__ = [
    "EXPERIMENTS",
    "Experiment",
    "ExperimentResult",
    "TrainConfig",
    "get",
    "main",
    "run_all",
    "train_command",
]
