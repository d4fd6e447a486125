"""The experiments the site renders, in the order it shows them, and :func:`get` to find one by id."""

from __future__ import annotations

from checker.experiments.base import Experiment
from checker.experiments.cnn import run_cnn
from checker.experiments.digits import run_digits
from checker.experiments.homework_mnist import run_homework_mnist
from checker.experiments.mnist_cifar import run_mnist_cifar
from checker.experiments.moons import run_moons
from checker.experiments.optimisers import run_optimisers
from checker.experiments.playground import run_playground
from checker.experiments.regularisation import run_regularisation
from checker.experiments.vanishing import run_vanishing
from checker.experiments.xor import run_xor
from checker.training.datasets import CIFAR10_ENV, MNIST_ENV

__all__ = ["EXPERIMENTS", "get"]

EXPERIMENTS: list[Experiment] = [
    Experiment("xor", "XOR with a 2-2-1 network", run_xor, "the smallest problem that needs a hidden layer"),
    Experiment(
        "moons",
        "Half moons: hidden layer size and the decision boundary",
        run_moons,
        "logistic regression and one hidden layer of 1 to 50 units",
    ),
    Experiment(
        "playground",
        "Playground: activations and features",
        run_playground,
        "linear vs sigmoid units, squared features, ReLU vs sigmoid",
    ),
    Experiment(
        "digits",
        "Digits: learning curves, overfitting, L2 and the grid search",
        run_digits,
        "8×8 digits with one hidden layer",
    ),
    Experiment(
        "dropout-early-stopping",
        "Dropout and early stopping against overfitting",
        run_regularisation,
        "the digits page's wide network on 300 images, with inverted dropout and stopped early",
    ),
    Experiment(
        "cnn",
        "A small CNN on the digits (and CIFAR-10)",
        run_cnn,
        "conv-pool-conv-pool-dense with the NumPy layers, beside the MLP",
        env=(CIFAR10_ENV,),
    ),
    Experiment(
        "homework-mnist",
        "Seed 003 on MNIST: the grid of 784-15-10 and the overfitting of 784-30-10",
        run_homework_mnist,
        "mini-batch 5–15 × η 0.08–0.18, then 30 hidden units",
        env=(MNIST_ENV,),
    ),
    Experiment(
        "optimisers",
        "Optimisers: SGD, momentum, RMSProp and Adam",
        run_optimisers,
        "the same network, weights and batches, each at its best learning rate",
        env=(MNIST_ENV,),
    ),
    Experiment(
        "vanishing",
        "Vanishing gradients: ten layers, three activations, initialisation and batch norm",
        run_vanishing,
        "per-layer gradient norms, and the measured shrink beside the bound",
    ),
    Experiment(
        "mnist-cifar",
        "MNIST and CIFAR-10",
        run_mnist_cifar,
        "the commands, and results where the data is configured",
        env=(MNIST_ENV, CIFAR10_ENV),
    ),
]


def get(exp_id: str) -> Experiment:
    """The experiment with this id."""
    for exp in EXPERIMENTS:
        if exp.id == exp_id:
            return exp
    raise KeyError(f"no experiment {exp_id!r}; choose one of {', '.join(e.id for e in EXPERIMENTS)}")
