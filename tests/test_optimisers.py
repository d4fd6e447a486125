"""The reference optimisers: each update is the catalogue's formula (the numeric check of its
derivation passes), every classic bug injected into one is caught by that same check, and each
trains a network through ``sgd`` and ``gradproof train --optimizer``."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest

from checker.commands.main import main
from checker.network import optimisers
from checker.network.mlp import MLP, sgd
from checker.network.optimisers import (
    OPTIMISERS,
    AdaGrad,
    Adam,
    AdamW,
    Momentum,
    Nesterov,
    RMSProp,
    optimiser,
)
from checker.proof.numeric import check_probe
from checker.training.config import ConfigError, TrainConfig, check_config, make_optimizer
from derivations import get

DERIVATION_OF = {
    "momentum": "momentum-update", "nesterov": "momentum-update", "adagrad": "adagrad-update",
    "rmsprop": "rmsprop-update", "adam": "adam-update", "adamw": "adamw-decoupled-decay",
}


def caught(derivation_id: str) -> bool:
    """Whether the numeric check of the derivation fails (a bug in the reference code is seen)."""
    return not all(c.ok for c in check_probe(get(derivation_id)))


# -- the bugs: each replaces one update with a wrong formula ---------------------------------


def momentum_without_damping(self: Momentum, i: int, p: np.ndarray, g: np.ndarray) -> None:
    """v ← v − ηG: μ forgotten."""
    v = self._state("v", i)
    v -= self.lr * g
    p += v


def nesterov_as_classical(self: Nesterov, i: int, p: np.ndarray, g: np.ndarray) -> None:
    """W̃ ← W̃ + v: the look-ahead correction μv − ηG of the shifted variable lost."""
    v = self._state("v", i)
    v *= self.mu
    v -= self.lr * g
    p += v


def adagrad_without_root(self: AdaGrad, i: int, p: np.ndarray, g: np.ndarray) -> None:
    """W ← W − ηG ⊘ (s + ε): the square root forgotten."""
    s = self._state("s", i)
    s += g * g
    p -= self.lr * g / (s + self.eps)


def rmsprop_without_weight(self: RMSProp, i: int, p: np.ndarray, g: np.ndarray) -> None:
    """s ← ρs + G⊙G: the weight 1 − ρ of the new squares forgotten."""
    s = self._state("s", i)
    s *= self.rho
    s += g * g
    p -= self.lr * g / (np.sqrt(s) + self.eps)


def adam_uncorrected(self: Adam, i: int) -> tuple[np.ndarray, np.ndarray]:
    """m̂ = m, v̂ = v: no bias correction."""
    return self._state("m", i), self._state("v", i)


def adamw_as_l2(self: AdamW, i: int, p: np.ndarray, g: np.ndarray) -> None:
    """The decay fed through Adam's moments: L2 in Adam, not decoupled decay."""
    Adam.update(self, i, p, g + self.weight_decay * p)


BUGS: dict[str, tuple[type, str, Callable, str]] = {
    "momentum without μ": (Momentum, "update", momentum_without_damping, "momentum-update"),
    "nesterov as classical momentum": (Nesterov, "update", nesterov_as_classical, "momentum-update"),
    "adagrad without the root": (AdaGrad, "update", adagrad_without_root, "adagrad-update"),
    "rmsprop without 1 − ρ": (RMSProp, "update", rmsprop_without_weight, "rmsprop-update"),
    "adam without bias correction": (Adam, "corrected", adam_uncorrected, "adam-update"),
    "adamw as L2 in adam": (AdamW, "update", adamw_as_l2, "adamw-decoupled-decay"),
}


@pytest.mark.parametrize("bug", list(BUGS))
def test_an_injected_bug_is_caught_by_the_derivation_check(bug: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cls, method, wrong, derivation_id = BUGS[bug]
    assert not caught(derivation_id)  # the right code passes
    monkeypatch.setattr(cls, method, wrong)
    assert caught(derivation_id), f"{bug} was not caught by {derivation_id}"


def test_every_optimiser_cites_its_derivation() -> None:
    for name, derivation_id in DERIVATION_OF.items():
        get(derivation_id)  # the cited derivation exists
        assert derivation_id in (OPTIMISERS[name].__doc__ or "") + (optimisers.__doc__ or "")


# -- plain behaviour ----------------------------------------------------------------------------


def test_unknown_names_and_bad_rates_are_refused() -> None:
    with pytest.raises(ValueError, match="known: sgd, momentum"):
        optimiser("adamax", 0.1)
    with pytest.raises(ValueError, match="positive"):
        optimiser("adam", 0.0)


def test_a_gradient_of_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match=r"parameter 0 is \(2, 3\) but its gradient is \(3, 2\)"):
        optimiser("adam", 0.1).step([np.zeros((2, 3))], [np.zeros((3, 2))])


def test_adam_first_step_moves_every_entry_by_eta() -> None:
    """With ε = 0 the corrected first step is η sign(G), whatever the gradient's size."""
    W = np.zeros((2, 3))
    G = np.array([[1e-6, -3.0, 50.0], [-2e-3, 7.0, -0.5]])
    Adam(lr=0.01, eps=0.0).step([W], [G])
    np.testing.assert_allclose(W, -0.01 * np.sign(G))


@pytest.mark.parametrize("name", list(OPTIMISERS))
def test_each_optimiser_trains_a_network(name: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 64))
    Y = (X[:1] * X[1:] > 0).astype(float)  # XOR of the signs
    model = MLP.create((2, 8, 1), activation="tanh", loss="sigmoid-bce", seed=1)
    before = model.cost(X, Y)
    lr = 0.3 if name in ("sgd", "momentum", "nesterov", "adagrad") else 0.02
    sgd(model, X, Y, epochs=40, batch_size=16, lr=lr, optimizer=optimiser(name, lr))
    assert model.cost(X, Y) < 0.8 * before, name


def test_sgd_refuses_momentum_beside_an_optimizer() -> None:
    model = MLP.create((2, 3, 1), loss="sigmoid-bce", seed=0)
    X, Y = np.zeros((2, 4)), np.ones((1, 4))
    with pytest.raises(ValueError, match="either momentum or an optimizer"):
        sgd(model, X, Y, epochs=1, batch_size=2, lr=0.1, momentum=0.9, optimizer=optimiser("adam", 0.1))


# -- gradproof train --optimizer -----------------------------------------------------------------


def test_config_names_the_optimizer_and_its_momentum() -> None:
    with pytest.raises(ConfigError, match="--optimizer must be one of sgd, momentum"):
        check_config(TrainConfig(layers=(2, 1), optimizer="adamax"))
    with pytest.raises(ConfigError, match="--momentum is for --optimizer sgd, momentum or nesterov"):
        check_config(TrainConfig(layers=(2, 1), optimizer="adam", momentum=0.9))
    assert make_optimizer(TrainConfig(layers=(2, 1))) is None
    nesterov = make_optimizer(TrainConfig(layers=(2, 1), optimizer="nesterov", momentum=0.5, lr=0.2))
    assert isinstance(nesterov, Nesterov) and (nesterov.mu, nesterov.lr) == (0.5, 0.2)


def test_train_command_runs_each_optimizer(capsys: pytest.CaptureFixture[str]) -> None:
    results = {}
    for name in ("nesterov", "adam"):
        code = main(["train", "--dataset", "xor", "--layers", "auto,4,auto", "--activation", "tanh",
                     "--loss", "sigmoid-bce", "--optimizer", name, "--lr", "0.05", "--epochs", "200",
                     "--batch-size", "4", "--json"])
        assert code == 0
        results[name] = json.loads(capsys.readouterr().out)
    assert all(r["final_loss"] < 0.5 for r in results.values()), results
    assert results["nesterov"]["final_loss"] != results["adam"]["final_loss"]  # the flag is used


def test_train_command_refuses_momentum_for_adam(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["train", "--dataset", "xor", "--layers", "auto,4,auto", "--optimizer", "adam",
                 "--momentum", "0.9"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "--momentum is for --optimizer sgd, momentum or nesterov, not adam" in err[0]
